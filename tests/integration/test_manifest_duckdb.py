"""The Parquet manifests read back with DuckDB, as an analyst would: from a local store and from S3 (moto).

The documents are built and stored by the workers' own functions (build_document, store_document), so `on_time`,
the history of a changed report and the keys are what a harvest writes. S3 is read through the store's own fsspec
filesystem registered in DuckDB: no httpfs extension, nothing downloaded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import boto3
import duckdb
import pytest

from nianbao.records import Capture
from storage import layout
from storage.manifest import COLUMNS, write_manifest
from storage.store import S3_ENDPOINT_ENV, Store
from workers.documents import build_document, store_document
from workers.extract import Extracted

pytestmark = pytest.mark.integration

BUCKET = "nianbao-duckdb"
# DuckDB's names for the types an analyst relies on.
EXPECTED_TYPES = {
    "doc_id": "VARCHAR",
    "site": "VARCHAR",
    "division": "VARCHAR",
    "kind": "VARCHAR",
    "report_year": "BIGINT",
    "title": "VARCHAR",
    "published": "DATE",
    "on_time": "BOOLEAN",
    "fetched_at": "TIMESTAMP WITH TIME ZONE",
    "text_chars": "BIGINT",
    "key": "VARCHAR",
}


def store_report(
    store: Store,
    site: str,
    path: str,
    title: str,
    published: str | None,
    *,
    kind: str = "rule_of_law",
    year: int = 2021,
    text: str = "一、主要举措和成效。",
    sha: str = "a",
) -> str:
    """Store one report as the `extract` task would (capture + extracted fields → Document); return its doc_id."""
    capture = Capture(
        site=site,
        year=year,
        url=f"http://127.0.0.1:8000{path}",
        final_url=f"http://127.0.0.1:8000{path}",
        status=200,
        headers={},
        fetched_at="2022-06-01T08:30:00+00:00",
        sha256=sha * 64,
        content_type="text/html",
        warc_key=layout.warc(year, site, "crawl1"),
        warc_offset=0,
        kind=kind,
        guessed_year=year,
    )
    found = Extracted(
        title=title, text=text, published=published, issuer=None, report_kind=kind, report_year=year,
        extractor="trafilatura",
    )  # fmt: skip
    document = build_document(capture, found, division="440113")
    store_document(store, document)
    return document.doc_id


def write_reports(store: Store) -> dict[str, str]:
    """The reports of three sites on 2021 (one changed since), plus others the 2021 rule-of-law manifest must skip."""
    ids = {
        "panyu": store_report(store, "panyu", "/fzzf/2022/t1.html", "番禺区2021年法治政府建设年度报告", "2022-03-15"),
        "huangpu": store_report(store, "huangpu", "/fz/t2.html", "黄埔区2021年度法治政府建设情况报告", "2022-05-10"),
        "nanshan": store_report(store, "nanshan", "/zw/t3.html", "南山区2021年法治政府建设年度报告", None),
        "nanshan-2": store_report(store, "nanshan", "/zw/t4.html", "南山区2021年依法行政工作报告", "2022-01-20"),
    }
    # The Panyu report changed after it was first stored: the old version goes to history/, not into the manifest.
    store_report(
        store, "panyu", "/fzzf/2022/t1.html", "番禺区2021年法治政府建设年度报告（修订）", "2022-03-15", sha="b"
    )
    store_report(
        store, "panyu", "/xxgk/t5.html", "番禺区2021年政府信息公开工作年度报告", "2022-01-25", kind="info_disclosure"
    )
    store_report(store, "panyu", "/fzzf/2021/t6.html", "番禺区2020年法治政府建设年度报告", "2021-03-10", year=2020)
    for kind, year in (("rule_of_law", 2021), ("info_disclosure", 2021), ("rule_of_law", 2020)):
        write_manifest(store, kind, year)
    return ids


def connect() -> duckdb.DuckDBPyConnection:
    """A DuckDB that never installs or loads an extension by itself (httpfs would be fetched from the internet)."""
    return duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})


def check_rule_of_law_2021(con: duckdb.DuckDBPyConnection, url: str, ids: dict[str, str]) -> None:
    """What an analyst reads from the 2021 rule-of-law manifest at `url`: columns, types, rows, and two queries."""
    source = f"read_parquet('{url}')"
    described = con.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()
    assert [row[0] for row in described] == COLUMNS
    types = {row[0]: row[1] for row in described}
    assert {c: types[c] for c in EXPECTED_TYPES} == EXPECTED_TYPES

    rows = con.sql(
        f"SELECT doc_id, site, kind, report_year, title, published, on_time, fetched_at, text_chars, key "
        f"FROM {source} ORDER BY site, published NULLS FIRST"
    ).fetchall()
    fetched = datetime(2022, 6, 1, 8, 30, tzinfo=UTC)
    text_chars = len("一、主要举措和成效。")

    def key(site: str) -> str:
        return layout.doc("rule_of_law", 2021, site.split("-")[0], ids[site])

    assert [(*row[:7], row[7].astimezone(UTC), *row[8:]) for row in rows] == [
        (
            ids["huangpu"],
            "huangpu",
            "rule_of_law",
            2021,
            "黄埔区2021年度法治政府建设情况报告",
            date(2022, 5, 10),
            False,  # after the 1 April deadline
            fetched,
            text_chars,
            key("huangpu"),
        ),
        (
            ids["nanshan"],
            "nanshan",
            "rule_of_law",
            2021,
            "南山区2021年法治政府建设年度报告",
            None,
            None,  # no publication date: unknown, not late
            fetched,
            text_chars,
            key("nanshan"),
        ),
        (
            ids["nanshan-2"],
            "nanshan",
            "rule_of_law",
            2021,
            "南山区2021年依法行政工作报告",
            date(2022, 1, 20),
            True,
            fetched,
            text_chars,
            key("nanshan-2"),
        ),
        (
            ids["panyu"],
            "panyu",
            "rule_of_law",
            2021,
            "番禺区2021年法治政府建设年度报告（修订）",  # the current version only, once
            date(2022, 3, 15),
            True,
            fetched,
            text_chars,
            key("panyu"),
        ),
    ]

    by_site = con.sql(
        f"SELECT site, count(*) AS reports, count(*) FILTER (WHERE on_time) AS on_time, "
        f"count(*) FILTER (WHERE NOT on_time) AS late, count(*) FILTER (WHERE on_time IS NULL) AS undated "
        f"FROM {source} GROUP BY site ORDER BY site"
    ).fetchall()
    assert by_site == [("huangpu", 1, 0, 1, 0), ("nanshan", 2, 1, 0, 1), ("panyu", 1, 1, 0, 0)]

    # Dates are dates: compared with a DATE and bucketed by month without a cast.
    by_month = con.sql(
        f"SELECT year(published), month(published) AS month, count(*) FROM {source} "
        f"WHERE published < DATE '2022-04-01' GROUP BY ALL ORDER BY month"
    ).fetchall()
    assert by_month == [(2022, 1, 1), (2022, 3, 1)]


def check_every_kind_of_2021(con: duckdb.DuckDBPyConnection, glob: str) -> None:
    """The manifests of every kind of one year read together through a glob, counted by kind and on_time."""
    counts = con.sql(
        f"SELECT kind, on_time, count(*) FROM read_parquet('{glob}') GROUP BY ALL ORDER BY kind, on_time NULLS FIRST"
    ).fetchall()
    assert counts == [
        ("info_disclosure", True, 1),
        ("rule_of_law", None, 1),
        ("rule_of_law", False, 1),
        ("rule_of_law", True, 2),
    ]


def test_duckdb_reads_the_manifests_of_a_local_store(tmp_path) -> None:
    store = Store(f"file://{tmp_path / 'data'}")
    ids = write_reports(store)
    con = connect()
    path = store.path(layout.manifest("rule_of_law", 2021))
    check_rule_of_law_2021(con, path, ids)
    check_every_kind_of_2021(con, store.path("manifests/*/2021.parquet"))
    # One row per current document: the manifest agrees with the documents stored, history aside.
    current = [k for k in store.keys(layout.docs_prefix("rule_of_law", 2021)) if layout.is_current_doc(k)]
    manifest_keys = con.sql(f"SELECT key FROM read_parquet('{path}') ORDER BY key").fetchall()
    assert [k for (k,) in manifest_keys] == sorted(current)
    assert any("/history/" in k for k in store.keys(layout.docs_prefix("rule_of_law", 2021)))
    assert con.sql(
        f"SELECT count(*) FROM read_parquet('{store.path(layout.manifest('rule_of_law', 2020))}')"
    ).fetchall() == [(1,)]


def test_an_empty_manifest_still_has_its_columns(tmp_path) -> None:
    store = Store(str(tmp_path / "data"))
    assert write_manifest(store, "rule_of_law", 2019)[1] == 0
    source = f"read_parquet('{store.path(layout.manifest('rule_of_law', 2019))}')"
    con = connect()
    assert con.sql(f"SELECT count(*) FROM {source}").fetchall() == [(0,)]
    types = {row[0]: row[1] for row in con.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    assert {c: types[c] for c in EXPECTED_TYPES} == EXPECTED_TYPES


def test_duckdb_reads_the_manifests_from_s3_through_the_stores_filesystem(
    s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(S3_ENDPOINT_ENV, s3_endpoint)
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=BUCKET)
    store = Store(f"s3://{BUCKET}/harvests")
    ids = write_reports(store)
    url = f"s3://{store.path(layout.manifest('rule_of_law', 2021))}"
    assert url == f"s3://{BUCKET}/harvests/manifests/rule_of_law/2021.parquet"

    con = connect()
    # Without a filesystem for s3:// DuckDB wants httpfs, which it may not fetch here.
    with pytest.raises(duckdb.Error, match="httpfs"):
        con.sql(f"SELECT count(*) FROM read_parquet('{url}')").fetchall()
    con.register_filesystem(store.fs)
    check_rule_of_law_2021(con, url, ids)
    check_every_kind_of_2021(con, f"s3://{store.path('manifests/*/2021.parquet')}")
    httpfs = con.sql("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'httpfs'").fetchall()
    assert httpfs in ([], [(False,)])
