"""The extraction quality gate of CI: run `bench/extract_quality.py`, fail when a figure falls below its floor.

    .venv/bin/python bench/quality_gate.py [--floors bench/quality_floors.json]

The floors are pinned in `bench/quality_floors.json`, one per figure of extract_quality's summary line
(`name=0.986` or `name=k/n`, read as k/n). A figure missing from the line fails too: a set that stopped being
measured is not a set that passed. Raising a floor belongs to the change that earns it (trafilatura's
tests/eval_gate.py works the same way). Plain trafilatura's figures are its baseline, not nianbao's: they are
printed but have no floor.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMMARY_PREFIX = "extract_quality:"


def summary_figures(line: str) -> dict[str, float]:
    """`extract_quality: a=0.9 b=3/4` → {"a": 0.9, "b": 0.75}."""
    figures = {}
    for pair in line.removeprefix(SUMMARY_PREFIX).split():
        name, _, value = pair.partition("=")
        top, _, bottom = value.partition("/")
        figures[name] = float(top) / float(bottom) if bottom else float(top)
    return figures


def broken_floors(figures: dict[str, float], floors: dict[str, float]) -> list[str]:
    """One line per floor the figures break, naming the figure, its value and its floor."""
    broken = []
    for name, floor in sorted(floors.items()):
        if name not in figures:
            broken.append(f"{name}: not measured (floor {floor})")
        elif figures[name] < floor:
            broken.append(f"{name}={figures[name]:.3f} is below its floor {floor}")
    return broken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floors", type=Path, default=ROOT / "bench" / "quality_floors.json")
    args = parser.parse_args()
    floors = json.loads(args.floors.read_text(encoding="utf-8"))
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "extract_quality.py")], capture_output=True, text=True, check=False
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith(SUMMARY_PREFIX)]
    if run.returncode != 0 or not lines:
        print(run.stdout[-4000:], run.stderr[-4000:], sep="\n")
        print(f"quality gate: bench/extract_quality.py failed (exit {run.returncode}) or printed no summary line")
        return 1
    print(lines[-1])
    broken = broken_floors(summary_figures(lines[-1]), floors)
    for line in broken:
        print(f"quality gate: {line}")
    print(f"quality gate: {'FAILED' if broken else 'passed'} ({len(floors) - len(broken)}/{len(floors)} floors held)")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
