"""Feed bad banks, configs, personas, glossaries and flags to the real `interview` command.

Each case runs the installed CLI in a subprocess under a time limit, in a
throw-away home, and is counted as clean (exit 2, one line naming the file, no
traceback), or as a traceback, a crash (a signal), a hang or a wrong result.
Usage: .venv/bin/python scripts/probe_inputs.py [-k SUBSTRING] [-v]; with
PYTHONPATH=/path/to/an/older/checkout it probes that checkout's code instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: `python -m simulator`, so PYTHONPATH=OTHER_CHECKOUT probes that code (a baseline).
CLI = [sys.executable, "-m", "simulator"]
LIMIT_S = 20
GOOD_BANK = (ROOT / "bank" / "starter.yaml").read_text(encoding="utf-8")
GOOD_PERSONA = (ROOT / "voices" / "senior.toml").read_text(encoding="utf-8")
WORDS_200K = " ".join(["word"] * 200_000)
WORDS_20K = " ".join(["word"] * 20_000)


@dataclass
class Case:
    name: str
    write: Callable[[Path], list[str]]
    """Writes the case's files into a folder; returns the command's arguments."""
    expect: str = "error"
    """'error': exit 2, one line naming `names`; 'ok': exit 0."""
    names: str = ""
    """Text the error line must contain (the file or the field)."""


def _file(d: Path, name: str, data: str | bytes) -> Path:
    p = d / name
    if isinstance(data, str):
        p.write_text(data, encoding="utf-8")
    else:
        p.write_bytes(data)
    return p


def _silence(d: Path) -> Path:
    answers = d / "answers"
    answers.mkdir(exist_ok=True)
    with wave.open(str(answers / "01.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * 16000)
    return answers


def _run_args(d: Path, *extra: str) -> list[str]:
    return ["run", "--bank", "starter", "--question", "starter-lora", "--answers",
            str(_silence(d)), "--no-speak", "--sessions-dir", str(d / "s"), "--json", *extra]


def bank_case(name: str, data: str | bytes, via: str = "validate", **kw: str) -> Case:
    def write(d: Path) -> list[str]:
        p = _file(d, "b.yaml", data)
        if via == "validate":
            return ["bank", "validate", str(p)]
        return [*_run_args(d), "--bank", str(p)]
    return Case(f"bank-{via}-{name}", write, names=kw.get("names", "b.yaml"))


def bank_path_case(name: str, path: Callable[[Path], str], via: str = "validate") -> Case:
    def write(d: Path) -> list[str]:
        p = path(d)
        return ["bank", "validate", p] if via == "validate" else [*_run_args(d), "--bank", p]
    return Case(f"bank-{via}-{name}", write, names="")


def config_case(name: str, data: str | bytes, names: str = "c.toml", expect: str = "error",
                via: str = "sessions") -> Case:
    def write(d: Path) -> list[str]:
        p = _file(d, "c.toml", data)
        if via == "run":
            return [*_run_args(d), "--config", str(p)]
        return ["sessions", "--sessions-dir", str(d / "s"), "--config", str(p)]
    return Case(f"config-{via}-{name}", write, expect, names)


def persona_case(name: str, style: str, names: str = "p.toml", expect: str = "error") -> Case:
    def write(d: Path) -> list[str]:
        head = GOOD_PERSONA.split("[style]")[0]
        p = _file(d, "p.toml", head + "[style]\n" + style)
        return [*_run_args(d), "--persona", str(p)]
    return Case(f"persona-{name}", write, expect, names)


def persona_bytes(name: str, data: bytes, names: str = "p.toml") -> Case:
    def write(d: Path) -> list[str]:
        return [*_run_args(d), "--persona", str(_file(d, "p.toml", data))]
    return Case(f"persona-{name}", write, names=names)


def glossary_case(name: str, data: str | bytes, cmd: str = "list") -> Case:
    def write(d: Path) -> list[str]:
        g = d / "xdg-config" / "interview-simulator"
        g.mkdir(parents=True, exist_ok=True)
        _file(g, "glossary.yaml", data)
        return ["glossary", "list"] if cmd == "list" else _run_args(d)
    return Case(f"glossary-{cmd}-{name}", write, names="glossary.yaml")


def flag_case(name: str, *flags: str, names: str) -> Case:
    return Case(f"flag-{name}", lambda d: [*_run_args(d), *flags], names=names)


def _deep_yaml(n: int) -> str:
    return "topic: x\nquestions: " + "[" * n + "]" * n + "\n"


def _bank_with(prompt: str = "", follow_up: str = "") -> str:
    text = GOOD_BANK
    if prompt:
        text = text.replace("      Walk me through", f"      {prompt} Walk me through", 1)
    if follow_up:
        text = text.replace("prompt: Your retriever", f"prompt: {follow_up} Your retriever", 1)
    assert text != GOOD_BANK
    return text


def cases() -> list[Case]:
    bad_utf8 = GOOD_BANK.encode()[:200] + b"\xff\xfe\xfa" + GOOD_BANK.encode()[200:]
    out = [
        bank_case("deep-flow-50000", _deep_yaml(50_000)),
        bank_case("deep-flow-50000", _deep_yaml(50_000), via="run"),
        bank_case("deep-block-5000", "topic: x\nquestions:\n" + "".join(
            "  " * i + "-\n" for i in range(5000))),
        bank_case("deep-compact-50000", "topic: x\nquestions: " + "- " * 50_000 + "x\n"),
        bank_case("deep-maps-50000", "topic: x\nquestions: " + "{a: " * 50_000
                  + "}" * 50_000 + "\n"),
        bank_case("huge-30MB", "# filler\n" * 3_500_000),
        bank_case("prompt-200000-words", _bank_with(prompt=WORDS_200K), names="prompt"),
        bank_case("prompt-200000-words", _bank_with(prompt=WORDS_200K), via="run",
                  names="prompt"),
        bank_case("prompt-20000-words", _bank_with(prompt=" ".join(["word"] * 20_000)),
                  via="run", names="prompt"),
        bank_case("prompt-one-1MB-word", _bank_with(prompt="a" * 1_000_000), names="prompt"),
        bank_case("follow-up-200000-words", _bank_with(follow_up=WORDS_200K), names="prompt"),
        bank_case("invalid-utf8", bad_utf8),
        bank_case("invalid-utf8", bad_utf8, via="run"),
        bank_case("utf16", GOOD_BANK.encode("utf-16")),
        bank_case("utf16-no-bom", GOOD_BANK.encode("utf-16-le")),
        bank_case("binary", bytes(range(256)) * 64),
        bank_case("nul-bytes", b"topic: x\n\0\0\0questions: []\n"),
        bank_path_case("folder", lambda d: str(d)),
        bank_path_case("folder", lambda d: str(d), via="run"),
        bank_path_case("dev-zero", lambda d: "/dev/zero"),
        bank_path_case("dev-zero", lambda d: "/dev/zero", via="run"),
        config_case("invalid-utf8", b'[stt]\nmodel = "tiny.en\xff"\n'),
        config_case("utf16", '[stt]\nmodel = "tiny.en"\n'.encode("utf-16")),
        config_case("binary", bytes(range(256)) * 16),
        config_case("huge-30MB", "# filler\n" * 3_500_000),
        config_case("deep-array-50000", "x = " + "[" * 50_000 + "]" * 50_000 + "\n"),
        config_case("deep-table-20000", "x = " + "{a = " * 20_000 + "1" + "}" * 20_000 + "\n"),
        config_case("deep-array-100", "[stt]\nmodel_folders = " + "[" * 100 + "]" * 100 + "\n",
                    names="stt.model_folders"),
        config_case("cpu-threads-100000", "[stt]\ncpu_threads = 100000\n",
                    names="stt.cpu_threads"),
        config_case("cpu-threads-100000", "[stt]\ncpu_threads = 100000\n",
                    names="stt.cpu_threads", via="run"),
        config_case("fillers-empty", '[delivery]\nfillers = [""]\n', names="delivery.fillers"),
        config_case("fillers-empty", '[delivery]\nfillers = [""]\n', names="delivery.fillers",
                    via="run"),
        config_case("hedges-blank", '[delivery]\nhedges = ["  "]\n', names="delivery.hedges"),
        config_case("glossary-empty-variant", '[glossary]\nLoRA = [""]\n', names="glossary"),
        config_case("glossary-empty-term", '[glossary]\n"" = ["laura"]\n', names="glossary"),
        config_case("model-folders-empty", '[stt]\nmodel_folders = [""]\n',
                    names="stt.model_folders"),
        config_case("utf8-bom-ok", '\ufeff[stt]\nbeam_size = 2\n', expect="ok"),
        Case("config-folder", lambda d: ["sessions", "--config", str(d)], names=""),
        Case("config-dev-zero", lambda d: ["sessions", "--config", "/dev/zero"],
             names="/dev/zero"),
        persona_case("opening-brace", 'opening = "Hello {"\n', expect="ok"),
        persona_case("opening-0", 'opening = "Hello {0}"\n', names="style.opening"),
        persona_case("opening-foo", 'opening = "Hello {foo}"\n', names="style.opening"),
        persona_case("opening-mro", 'opening = "{count.__class__.__mro__}"\n',
                     names="style.opening"),
        persona_case("warning-count", 'time_warning = "{count} left"\n',
                     names="style.time_warning"),
        persona_case("closing-field", 'closing = "Bye {seconds}"\n', names="style.closing"),
        persona_case("opening-200000-words", f'opening = "{WORDS_200K}"\n'),
        persona_case("opening-20000-words", f'opening = "{WORDS_20K}"\n',
                     names="style.opening"),
        persona_case("transition-20000-words", f'transitions = ["{WORDS_20K}"]\n',
                     names="style.transitions"),
        persona_case("opening-empty", 'opening = ""\n', names="style.opening"),
        persona_case("transitions-empty", 'transitions = [""]\n', names="style.transitions"),
        persona_bytes("name-20000-words", GOOD_PERSONA.replace(
            'name = "', f'name = "{WORDS_20K} ', 1).encode(), names="name"),
        persona_bytes("invalid-utf8", GOOD_PERSONA.encode()[:40] + b"\xff" +
                      GOOD_PERSONA.encode()[40:]),
        persona_bytes("utf16", GOOD_PERSONA.encode("utf-16")),
        persona_bytes("binary", bytes(range(256)) * 16),
        persona_bytes("huge-30MB", b"# filler\n" * 3_500_000),
        Case("persona-folder", lambda d: [*_run_args(d), "--persona",
                                          str((d / "x.toml").mkdir() or d / "x.toml")], names=""),
        Case("persona-dev-zero", lambda d: [*_run_args(d), "--persona", str(
            (d / "z.toml").symlink_to("/dev/zero") or d / "z.toml")], names="z.toml"),
        glossary_case("invalid-utf8", b"LoRA: [laura\xff]\n"),
        glossary_case("utf16", "LoRA: [laura]\n".encode("utf-16")),
        glossary_case("deep-50000", "[" * 50_000 + "]" * 50_000),
        glossary_case("deep-50000", "[" * 50_000 + "]" * 50_000, cmd="run"),
        glossary_case("huge-30MB", "# filler\n" * 3_500_000),
        flag_case("questions-0", "--questions", "0", names="--questions"),
        flag_case("questions-negative", "--questions", "-2", names="--questions"),
    ]
    return out


def verdict(case: Case, rc: int, out: str, err: str) -> str:
    if rc == 124:
        return "hang"
    if rc < 0 or rc > 128:
        return f"crash (rc {rc})"
    if "Traceback" in err or "Traceback" in out:
        return "traceback"
    if case.expect == "ok":
        return "clean" if rc == 0 else f"wrong (rc {rc})"
    if rc != 2:
        return f"wrong (rc {rc})"
    # argparse puts its usage lines before its one-line error; the error is what counts.
    err = err.strip().split("\ninterview")[-1] if err.startswith("usage:") else err
    text = err.strip() or out.strip()
    if err.strip() and len(err.strip().splitlines()) != 1:
        return "wrong (not one line)"
    return "clean" if case.names in text else f"wrong (does not name {case.names!r})"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", default="", help="only the cases whose name contains this")
    ap.add_argument("-v", action="store_true", help="print each case's output")
    args = ap.parse_args()
    tally: dict[str, int] = {}
    for case in cases():
        if args.k not in case.name:
            continue
        d = Path(tempfile.mkdtemp(prefix="probe-"))
        try:
            argv = case.write(d)
            env = {**os.environ, "HOME": str(d), "XDG_CONFIG_HOME": str(d / "xdg-config"),
                   "XDG_DATA_HOME": str(d / "xdg-data")}
            p = subprocess.run(["timeout", str(LIMIT_S), *CLI, *argv], capture_output=True,
                               text=True, errors="replace", env=env, cwd=d)
            v = verdict(case, p.returncode, p.stdout, p.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)
        kind = v.split(" ")[0]
        tally[kind] = tally.get(kind, 0) + 1
        last = (p.stderr.strip() or p.stdout.strip()).splitlines()[-1:] or [""]
        print(f"{v:<32} {case.name:<40} {last[0][:150]}")
        if args.v:
            print(p.stdout[-2000:], p.stderr[-2000:])
    print("  ".join(f"{k}: {n}" for k, n in sorted(tally.items())),
          f"of {sum(tally.values())} cases")
    return 0 if set(tally) <= {"clean"} else 1


if __name__ == "__main__":
    sys.exit(main())
