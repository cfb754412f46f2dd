"""Figures past extraction: the Document fields, the Parquet table, the national summary and the CLI commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa
from typer.testing import CliRunner

from nianbao.records import Capture
from replica import ground_truth
from shell.cli import app
from storage import layout
from storage.figures import AMOUNTS, FIELDS, national_summary, read_figures, write_figures
from storage.store import Store
from workers.documents import build_document, store_document
from workers.extract import extract

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "replica" / "site" / "xinjin"
runner = CliRunner()
# The figures site's 2022 reports: Word-style HTML, the inconsistent one, the PDF.
PATHS = ["word", "inconsistent", "pdf"]


def reports() -> list[dict]:
    truths = {t["path"]: t for t in ground_truth() if t["site"] == "sc-xinjin" and t["year"] == 2022}
    by_key = {
        "word": next(t for t in truths.values() if "人民政府" in t["title"]),
        "inconsistent": next(t for t in truths.values() if t["figures_flags"]),
        "pdf": next(t for t in truths.values() if t["format"] == "pdf"),
    }
    return [by_key[k] for k in PATHS]


def store_reports(store: Store) -> list[dict]:
    """Extract and store three replica reports as the extract task does; a rule-of-law report beside them."""
    truths = reports()
    for truth in truths:
        body = (SITE / truth["path"].lstrip("/")).read_bytes()
        capture = Capture(
            site="sc-xinjin", year=2022, url=f"http://127.0.0.17{truth['path']}",
            final_url=f"http://127.0.0.17{truth['path']}", status=200, headers={}, fetched_at="2023-02-01T08:00:00",
            sha256="a" * 64, content_type="", warc_key="raw/2022/sc-xinjin/c.warc.gz", warc_offset=0,
            kind="info_disclosure", guessed_year=2022, attachment=truth["format"] != "html", anchor_text=truth["title"],
        )  # fmt: skip
        store_document(store, build_document(capture, extract(body, url=capture.url), "510132"))
    return truths


def test_documents_carry_the_figures_and_the_table_has_one_typed_column_per_cell(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "data"))
    truths = store_reports(store)
    docs = [store.get_json(k) for k in store.keys("docs/info_disclosure/2022/")]
    assert sorted(d["figures_source"]["format"] for d in docs) == ["html", "html", "pdf"]
    assert write_figures(store, 2022) == (layout.figures("info_disclosure", 2022), 3)
    table = read_figures(store, 2022)
    assert table.schema.field("requests.new.total").type == pa.int64()
    assert table.schema.field("active.fees.amount").type == pa.float64()
    assert table.schema.field("figures_flags").type == pa.list_(pa.string())
    rows = {row["url"].removeprefix("http://127.0.0.17"): row for row in table.to_pylist()}
    for truth in truths:
        row = rows[truth["path"]]
        assert {k: row[k] for k in truth["figures"]} == truth["figures"]
        assert row["figures_flags"] == truth["figures_flags"]

    summary = national_summary([{**row} for row in table.to_pylist()])
    assert (summary["reports"], summary["with_figures"]) == (3, 3)
    assert [r["flags"] for r in summary["failed_checks"]] == [reports()[1]["figures_flags"]]
    assert summary["totals"]["requests.new.total"] == sum(t["figures"]["requests.new.total"] for t in truths)
    assert "active.regulations.made" not in summary["totals"]  # a 2019-only cell no report prints
    assert set(AMOUNTS) <= set(FIELDS)


def test_an_empty_year_still_has_every_column(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "data"))
    assert write_figures(store, 2019)[1] == 0
    assert read_figures(store, 2019).column_names[-len(FIELDS) :] == FIELDS


def test_figures_command_prints_one_report_per_row(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "data"))
    truths = store_reports(store)
    result = runner.invoke(app, ["figures", "--year", "2022", "--store", store.url, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 3 and set(FIELDS) <= set(rows[0])
    result = runner.invoke(app, ["figures", "--year", "2022", "--store", store.url, "--format", "jsonl"])
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    by_url = {o["url"].removeprefix("http://127.0.0.17"): o for o in objects}
    for truth in truths:
        assert {k: by_url[truth["path"]]["figures"][k] for k in truth["figures"]} == truth["figures"]
    other = runner.invoke(app, ["figures", "--year", "2022", "--store", store.url, "--site", "elsewhere"])
    assert other.stdout.splitlines()[1:] == []
    assert runner.invoke(app, ["figures", "--year", "2022", "--format", "xml"]).exit_code == 2


def test_extract_jsonl_prints_the_figures_of_an_information_disclosure_report() -> None:
    truth = reports()[0]
    result = runner.invoke(app, ["extract", "--jsonl", str(SITE / truth["path"].lstrip("/"))])
    assert result.exit_code == 0, result.output
    (doc,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert doc["figures"] == truth["figures"]
    assert (doc["figures_format"], doc["figures_flags"]) == ("2021", [])
