"""Figures quality: the information-disclosure tables read by meaning, against reading by position, per format.

    .venv/bin/python bench/figures_quality.py

Corpus: every replica report with figures (HTML in several markups and Traditional, the PDF and DOCX LibreOffice
made from them, the 2019 format, totals that do not add up), every markup as PDF and DOCX too
(replica/attachments/figures/, made by `python -m replica.build --figure-attachments`), the same figures printed
in every HTML markup of replica/figures.py for a few more seeds, and the real gov-reports page (16 cells by hand).

For each format (html, pdf, docx) it prints the share of reports whose every field is right and the share of
fields right, for nianbao (workers.extract.figures: labels mapped by meaning) and for the baseline measured in
the same run: the same grids read by position, the numbers of each table in document order laid onto the
national 2021 template's cells in print order (what a reader tuned on one template does). PDF tables come from
pdfplumber (MIT; PyMuPDF's find_tables is AGPL, camelot needs Ghostscript/OpenCV, pypdfium2 gives text only);
its two strategies (ruled lines, text alignment) are both measured.

Last line: `figures_quality: html_reports=… html_fields=… pdf_reports=… pdf_fields=… docx_reports=… docx_fields=…`.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REAL = ROOT / "tests" / "fixtures" / "realpages" / "gov-reports"
EXTRA_SEEDS = 4  # more seeds printed in every HTML markup


def print_order(fmt: str) -> list[list[str]]:
    """The 2021 template's keys of each table in the order a report prints its numbers (the baseline's map)."""
    from replica import figures as F

    active = [
        f"active.{i}.{c}" for i in ("regulations", "normative_documents") for c in ("issued", "abolished", "in_force")
    ]
    active += [
        "active.licensing.decisions",
        "active.penalties.decisions",
        "active.coercion.decisions",
        "active.fees.amount",
    ]
    rows = ["new", "carried_over", *F.result_rows(fmt), "total", "carried_forward"]
    requests = [f"requests.{r}.{c}" for r in rows for c in F.COLUMNS]
    appeals = [f"{g}.{r}" for g, _ in F.GROUPS for r, _ in F.RESULTS]
    return [active, requests, appeals]


def by_position(grids: list[Any]) -> dict[str, Any]:
    """The baseline: each recognised table's numbers in document order onto the template's cells."""
    from nianbao import figures as schema
    from workers.extract.figures.engine import classify, parse_value

    order = dict(zip((schema.ACTIVE.name, schema.REQUESTS.name, schema.APPEALS.name), print_order("2021"), strict=True))
    values: dict[str, Any] = {}
    last = None
    for grid in grids:
        table = next(iter(classify(grid)), None) or last
        last = table
        if table is None:
            continue
        numbers, seen = [], set()
        for row in grid:
            for cell in row:
                is_value, value = parse_value(cell.text)
                if is_value and value is not None and cell.ident not in seen:
                    seen.add(cell.ident)
                    numbers.append(value)
        keys = [k for k in order[table.name] if k not in values]
        values.update(zip(keys, numbers, strict=False))
    return values


def cases() -> list[tuple[str, str, bytes | str, dict[str, Any], int, bool]]:
    """(name, format, body, expected figures, report year, Traditional)."""
    from nianbao.decode import decode
    from replica import figures as F
    from replica import ground_truth
    from replica.server import SITE_DIR, load_meta

    meta = load_meta()
    label_of = {s["host"]: label for label, s in meta["sites"].items()}
    from nianbao.normalise import to_simplified

    out: list[tuple[str, str, bytes | str, dict[str, Any], int, bool]] = []
    for truth in ground_truth():
        if not truth.get("figures"):
            continue
        raw = (SITE_DIR / label_of[truth["host"]] / truth["path"].lstrip("/")).read_bytes()
        body = decode(raw).text if truth["format"] == "html" else raw
        traditional = to_simplified(truth["title"]) != truth["title"]
        out.append((truth["path"], truth["format"], body, truth["figures"], truth["year"], traditional))
    for seed in range(EXTRA_SEEDS):
        for style, fmt in (("word", "2021"), ("flat", "2021"), ("split", "2021"), ("2019", "2019")):
            values = F.make_values(f"bench-{seed}", fmt)
            _, html = F.report_body("某县人民政府", 2022 if fmt == "2021" else 2020, values, fmt, style)
            out.append((f"bench-{seed}-{style}", "html", f"<html><body>{html}</body></html>", values, 2022, False))
    from replica.build import FIGURE_VARIANTS_DIR

    for line in (FIGURE_VARIANTS_DIR / "truth.jsonl").read_text("utf-8").splitlines():
        truth = json.loads(line)
        body = (FIGURE_VARIANTS_DIR / truth["file"]).read_bytes()
        fmt = truth["file"].rsplit(".", 1)[1]
        out.append((truth["file"], fmt, body, truth["figures"], truth["report_year"], truth["traditional"]))
    for line in (REAL / "truth.jsonl").read_text("utf-8").splitlines():
        truth = json.loads(line)
        body = (REAL / truth["file"]).read_text("utf-8")
        out.append((truth["file"], "html", body, truth["figures"], truth["report_year"], False))
    return out


def score(found: dict[str, Any] | None, expected: dict[str, Any]) -> tuple[int, int]:
    found = found or {}
    return sum(found.get(k, "missing") == v for k, v in expected.items()), len(expected)


def main() -> None:
    from workers.extract.figures import grids_of, read_figures, simplified_grids
    from workers.extract.figures.engine import figures_from_grids
    from workers.extract.figures.grids import PDF_TABLE_SETTINGS

    results: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for _name, fmt, body, expected, year, traditional in cases():
        grids = grids_of(body, fmt)
        grids = simplified_grids(grids) if traditional else grids
        figures = read_figures(body, fmt, report_year=year, traditional=traditional).values
        results[fmt]["nianbao"].append(score(figures, expected))
        results[fmt]["by position"].append(score(by_position(grids), expected))
        if fmt == "pdf":
            text_settings = {"vertical_strategy": "text", "horizontal_strategy": "text"}
            PDF_TABLE_SETTINGS.update(text_settings)
            try:
                text_grids = grids_of(body, fmt)
            finally:
                PDF_TABLE_SETTINGS.update({"vertical_strategy": "lines", "horizontal_strategy": "lines"})
            results[fmt]["nianbao, pdfplumber text strategy"].append(
                score(figures_from_grids(text_grids, year).values, expected)
            )
    summary = {}
    print(f"{'format':6} {'reader':36} {'reports':>7} {'all right':>9} {'fields right':>12}")
    for fmt in ("html", "pdf", "docx"):
        for reader, scores in results[fmt].items():
            whole = sum(right == total for right, total in scores) / len(scores)
            fields = sum(r for r, _ in scores) / sum(t for _, t in scores)
            print(f"{fmt:6} {reader:36} {len(scores):7} {whole:9.3f} {fields:12.3f}")
            if reader == "nianbao":
                summary[f"{fmt}_reports"], summary[f"{fmt}_fields"] = whole, fields
        base = results[fmt]["by position"]
        ours = results[fmt]["nianbao"]
        ratio = (sum(r for r, _ in ours) / max(1, sum(r for r, _ in base))) if base else 0
        print(f"{fmt:6} fields right, nianbao / by position: {ratio:.2f}×")
    print("figures_quality: " + " ".join(f"{k}={v:.3f}" for k, v in summary.items()))


if __name__ == "__main__":
    main()
