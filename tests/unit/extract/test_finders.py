"""metadata.TITLE_FINDERS / PUBLISHED_FINDERS / ISSUER_FINDERS: the first finder that finds a value gives the
field, and the record names it (`title_by`, `published_by`, `issuer_by`), down to the stored Document.

Each page here is small and written for the test; it reproduces one pattern, not any real page.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from nianbao.records import Capture
from storage.store import Store
from tests.unit.extract.pages import REPORT, page, paragraphs
from workers.documents import build_document, store_document
from workers.extract import Extracted, extract
from workers.extract.metadata import Page, first_found, text_metadata

TITLE = "某某县司法局2021年法治政府建设年度报告"
SIGNATURE = "<p>某某县司法局</p><p>2022年1月20日</p>"


def test_the_first_finder_with_a_value_wins_and_is_named() -> None:
    def nothing(page: Page) -> str | None:
        return None

    def empty(page: Page) -> str | None:
        return ""  # found nothing either

    def url(page: Page) -> str | None:
        return page.url

    def later(page: Page) -> str | None:
        raise AssertionError("not asked once an earlier finder found the value")

    assert first_found((nothing, empty, url, later), Page(None, url="x")) == ("x", "url")  # type: ignore[arg-type]
    assert first_found((nothing, empty), Page(None)) == (None, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # The CMS's own records: the ArticleTitle tag, the printed 发布时间 and 来源.
        (
            f'<meta name="ArticleTitle" content="{TITLE}"><meta name="PubDate" content="2024-01-05">',
            f"<div>发布时间：2022-01-21 来源：某某县司法局</div>{paragraphs()}",
            ("title_in_meta_tag", "date_under_publication_label", "issuer_in_source_field"),
        ),
        # A tag beats a document date (成文日期); a heading opening the <title> is the title.
        (
            '<meta name="PubDate" content="2022-01-21">',
            f"<h1>{TITLE}</h1><div>成文日期：2022-01-10</div>{paragraphs()}",
            ("heading_opening_title_tag", "date_in_meta_tag", "issuer_in_title"),
        ),
        # Nothing but the <title> and the report's own signature.
        ("", paragraphs() + SIGNATURE, ("title_tag", "date_of_signature", "issuer_of_signature")),
    ],
)
def test_each_field_names_the_finder_that_gave_it(head: str, body: str, expected: tuple[str, str, str]) -> None:
    html = f'<html><head><meta charset="utf-8">{head}<title>{TITLE}_某某县人民政府</title></head><body>{body}</body>'
    record = extract(html.encode(), url="http://127.0.0.1/fzzf/index.html")
    assert record.title == TITLE
    assert (record.title_by, record.published_by, record.issuer_by) == expected


def test_a_field_nothing_found_names_no_finder() -> None:
    record = extract(page("某某县人民政府", paragraphs()))
    assert record.issuer is None and record.issuer_by is None


def test_a_document_without_html_names_its_finders() -> None:
    meta = text_metadata("\n".join([TITLE, *REPORT, "某某县司法局", "2022年1月20日"]))
    assert (meta.title, meta.published, meta.issuer) == (TITLE, "2022-01-20", "某某县司法局")
    assert (meta.title_by, meta.published_by, meta.issuer_by) == (
        "report_title_lines",
        "date_of_signature",
        "issuer_of_signature",
    )
    assert text_metadata("某某局工作动态\n" + "\n".join(REPORT)).title_by == "first_line"


def capture(**overrides: object) -> Capture:
    fields = dict(
        site="gz", year=2021, url="http://127.0.0.1/a.pdf", final_url="http://127.0.0.1/a.pdf", status=200,
        headers={}, fetched_at="2022-05-01T00:00:00+00:00", sha256="a" * 64, content_type="application/pdf",
        warc_key="raw/2021/gz/c.warc.gz", warc_offset=0, kind="rule_of_law", guessed_year=2021,
    )  # fmt: skip
    return Capture(**(fields | overrides))  # type: ignore[arg-type]


def signed_report() -> Extracted:
    """What extract reads from an attachment whose first line is its title and whose signature is dated."""
    return Extracted(
        title=TITLE, title_by="first_line", text="正文", published="2022-01-20", published_by="date_of_signature",
        issuer=None, report_kind="rule_of_law", report_year=2021, extractor="pdf",
    )  # fmt: skip


def test_the_crawlers_knowledge_is_named_when_it_wins() -> None:
    """An attachment takes the listing's anchor text and date over its own: the Document says so."""
    found = signed_report()
    listed = capture(attachment=True, anchor_text="某某县司法局2021年度法治政府建设报告", listed_date="2022-01-28")
    document = build_document(listed, found, "")
    assert (document.title_by, document.published_by) == ("anchor_text", "listed_date")
    page_document = build_document(capture(url="http://127.0.0.1/a.html"), found, "")
    assert (page_document.title_by, page_document.published_by) == ("first_line", "date_of_signature")


def test_a_report_stored_again_whose_finders_changed_is_unchanged(tmp_path: Path) -> None:
    """The finders' names are provenance, not content: the same bytes are the same report."""
    store = Store(str(tmp_path / "data"))
    found = signed_report()
    assert store_document(store, build_document(capture(), found, "")) == "new"
    again = build_document(capture(), replace(found, published_by="date_in_meta_tag", title_by="title_tag"), "")
    assert store_document(store, again) == "unchanged"
