"""Print the five longest functions of the simulator package; fail on a long one in the core.

A function's length runs from its ``def`` line to the last line of its body
(decorators left out, docstring and comments inside counted). It exits 1 when
a function under one of LIMITED is longer than MAX_LINES: the engine and the
audio and speech paths are read and changed most, and a long function there is
hard to follow and to test on its own.

Usage: python scripts/longest_functions.py [package folder, default simulator]
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

#: The longest a function in LIMITED may be: about a screen.
MAX_LINES = 60
#: Folders (relative to the package's parent) whose functions must stay within MAX_LINES.
LIMITED = ("simulator/engine", "simulator/speech", "simulator/audio")
#: How many of the longest functions to print.
SHOWN = 5


@dataclass(frozen=True)
class Function:
    name: str
    path: str
    line: int
    lines: int


def functions(path: Path, shown_as: str) -> list[Function]:
    """Every function and method in one file, nested ones too, with a dotted name."""
    found: list[Function] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = prefix + child.name
                end = child.end_lineno or child.lineno
                found.append(Function(name, shown_as, child.lineno, end - child.lineno + 1))
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), "")
    return found


def main(argv: list[str]) -> int:
    package = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "simulator"
    root = package.parent
    everything = [f for path in sorted(package.rglob("*.py"))
                  for f in functions(path, path.relative_to(root).as_posix())]
    everything.sort(key=lambda f: (-f.lines, f.path, f.line))
    print(f"The {SHOWN} longest functions of {package.name}:")
    for f in everything[:SHOWN]:
        print(f"  {f.name}  {f.path}:{f.line}  {f.lines} lines")
    over = [f for f in everything
            if f.lines > MAX_LINES and any(f.path.startswith(d + "/") for d in LIMITED)]
    if over:
        print(f"\nOver {MAX_LINES} lines in {', '.join(LIMITED)}:", file=sys.stderr)
        for f in over:
            print(f"  {f.name}  {f.path}:{f.line}  {f.lines} lines", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
