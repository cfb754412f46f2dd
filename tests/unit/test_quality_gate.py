"""The CI quality gate reads extract_quality's summary line and fails on any figure below its pinned floor."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("quality_gate", ROOT / "bench" / "quality_gate.py")
assert spec is not None and spec.loader is not None
gate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gate)


def test_summary_figures_reads_decimals_and_fractions() -> None:
    line = "extract_quality: replica_f1=1.000 realpages_f1=0.986 dates=31/32"
    assert gate.summary_figures(line) == {"replica_f1": 1.0, "realpages_f1": 0.986, "dates": 31 / 32}


def test_a_figure_below_its_floor_or_missing_breaks_the_gate() -> None:
    floors = {"replica_f1": 0.995, "realpages_f1": 0.98, "dates": 1.0}
    assert gate.broken_floors({"replica_f1": 1.0, "realpages_f1": 0.98, "dates": 1.0}, floors) == []
    broken = gate.broken_floors({"replica_f1": 0.99, "dates": 31 / 32}, floors)
    assert broken == [
        "dates=0.969 is below its floor 1.0",
        "realpages_f1: not measured (floor 0.98)",
        "replica_f1=0.990 is below its floor 0.995",
    ]


def test_the_pinned_floors_name_figures_of_the_summary_line() -> None:
    """Every floor names a figure extract_quality prints (its docstring lists the summary line's fields)."""
    floors = json.loads((ROOT / "bench" / "quality_floors.json").read_text(encoding="utf-8"))
    bench = (ROOT / "bench" / "extract_quality.py").read_text(encoding="utf-8")
    assert floors and all(f"{name}=" in bench for name in floors)
