"""The five seed reports in every encoding variant a portal serves them in, through the replica's own templates.

Each seed body is rendered with `replica.templates.detail` (header clock, nav, breadcrumbs, share and
font bars, QR line, related links, footer) inside its own portal's chrome, then encoded and labelled the ways
real portals do: UTF-8, GBK declared gb2312, GBK with no declaration, GBK that claims UTF-8 (in <meta>, in the
HTTP header, in both) and Big5 for the Traditional seed. The pages the replica itself serves for the seeds
(including the `/gate/big5/` Traditional copy) are checked the same way. Every variant must give the body with
no navigation or footer line, the title, the publication date (never the "今天是…" clock), the issuer and the
report year.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from nianbao.normalise import strip_pinyin, to_simplified
from replica import ground_truth
from replica import templates as T
from replica.build import BUILDERS, BY_LABEL, SiteTree
from replica.content import Doc, seed_body, seed_lines
from replica.server import SITE_DIR, load_meta
from workers.extract import extract

# seed prefix → the replica site whose chrome it is served in, and the ground-truth report it is.
SEED_SITES = {"000": "changping", "001": "xiangtan", "002": "panyu", "003": "guixi", "004": "jinghai-sfj"}
SEED_YEARS = {"000": 2021, "001": 2021, "002": 2021, "003": 2021, "004": 2024}

# (name, bytes encoding, <meta> charset, HTTP header charset); None: not declared there.
GBK_VARIANTS = [
    ("utf8", "utf-8", "utf-8", "utf-8"),
    ("utf8-undeclared", "utf-8", None, None),
    ("gbk-declared-gb2312", "gbk", "gb2312", "gb2312"),
    ("gbk-meta-gb2312", "gbk", "gb2312", None),
    ("gbk-undeclared", "gbk", None, None),
    ("gbk-declared-utf8", "gbk", "utf-8", "utf-8"),
    ("gbk-meta-utf8", "gbk", "utf-8", None),
    ("gbk-header-utf8", "gbk", None, "utf-8"),
]
BIG5_VARIANTS = [
    ("big5-declared", "big5", "big5", "big5"),
    ("big5-undeclared", "big5", None, None),
    ("big5-declared-gb2312", "big5", "gb2312", None),
    ("big5-declared-utf8", "big5", "utf-8", "utf-8"),
]


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@cache
def seed_docs() -> dict[str, Doc]:
    """The seeds' Docs as the replica builds them; attachment-only seeds get their body as HTML paragraphs."""
    docs: dict[str, Doc] = {}
    for prefix, label in SEED_SITES.items():
        tree = SiteTree(dict(BY_LABEL[label]))
        (doc,) = [d for d in BUILDERS[label](tree) if d.key == f"seed-{prefix}"]
        if doc.format != "html":
            doc = dataclasses.replace(doc, paragraphs=seed_body(prefix), format="html", attachment="")
        docs[prefix] = doc
    return docs


def expected(prefix: str) -> dict[str, Any]:
    doc = seed_docs()[prefix]
    (truth,) = [g for g in ground_truth() if g["title"] == doc.title]
    return {
        "title": strip_pinyin(truth["title"])[0],
        "published": truth["published"],
        "issuer": strip_pinyin(truth["issuer"])[0],
        "year": SEED_YEARS[prefix],
        "excludes": truth["text_excludes"],
    }


def render(prefix: str, encoding: str, meta: str | None, header: str | None) -> tuple[bytes, str]:
    """The seed's detail page in its portal's chrome, as bytes in `encoding` with the given declarations."""
    label = SEED_SITES[prefix]
    site = {**BY_LABEL[label], "declared": meta, "encoding": encoding, "http_charset": header}
    site["nav"] = [("法治政府建设", "/fzzfjs/index.html"), ("政务公开", "/zwgk/index.html")]
    related = [dataclasses.replace(seed_docs()[p], path=f"/fzzfjs/{p}.html") for p in SEED_SITES if p != prefix][:3]
    html = T.detail(site, seed_docs()[prefix], ("法治政府建设", "/fzzfjs/index.html"), related)
    body = html.encode(encoding, errors="xmlcharrefreplace")
    return body, f"text/html; charset={header}" if header else "text/html"


def check(record: dict[str, Any], prefix: str, *, simplified: bool = False) -> None:
    """Body complete, no furniture line, and the metadata of the seed."""
    want = expected(prefix)
    text = record.text_simplified if simplified else record.text
    title = to_simplified(record.title) if simplified else record.title
    body = [strip_pinyin(p)[0] for p in seed_body(prefix)]
    if simplified:
        body = [to_simplified(p) for p in body]
    heading = _compact(to_simplified(want["title"]) if simplified else want["title"])
    wanted_lines = {_compact(p) for p in body}
    got_lines = [_compact(line) for line in text.splitlines() if line.strip()]
    # The report's own heading may open the text; after it every body paragraph is there, in order, and
    # nothing else is: no navigation, metadata or footer line.
    if got_lines and got_lines[0] == heading:
        got_lines = got_lines[1:]
    assert [line for line in got_lines if line not in wanted_lines] == []
    assert got_lines == [_compact(p) for p in body]
    for marker in want["excludes"]:
        assert marker not in text, marker
    assert title == (to_simplified(want["title"]) if simplified else want["title"])
    assert record.published == want["published"]
    issuer = to_simplified(record.issuer or "") if simplified else record.issuer
    assert issuer == (to_simplified(want["issuer"]) if simplified else want["issuer"])
    assert record.report_year == want["year"]
    assert record.report_kind == "rule_of_law"


@pytest.mark.parametrize("variant", GBK_VARIANTS, ids=[v[0] for v in GBK_VARIANTS])
@pytest.mark.parametrize("prefix", sorted(SEED_SITES))
def test_seed_in_every_encoding(prefix: str, variant: tuple[str, str, str | None, str | None]) -> None:
    _name, encoding, meta, header = variant
    body, content_type = render(prefix, encoding, meta, header)
    record = extract(body, url=f"http://127.0.0.1/fzzfjs/{prefix}.html", content_type=content_type)
    if encoding == "gbk":
        assert record.encoding == "gb18030"
    check(record, prefix)


@pytest.mark.parametrize("variant", BIG5_VARIANTS, ids=[v[0] for v in BIG5_VARIANTS])
def test_traditional_seed_in_big5(variant: tuple[str, str, str | None, str | None]) -> None:
    _name, encoding, meta, header = variant
    body, content_type = render("001", encoding, meta, header)
    record = extract(body, url="http://127.0.0.1/xzzf/shigu/001.html", content_type=content_type)
    assert record.encoding == "big5hkscs"
    assert "traditional" in record.flags
    assert record.pinyin_removed > 0
    check(record, "001")


@pytest.mark.parametrize("prefix", ["000", "001", "002"])
def test_seed_pages_the_replica_serves(prefix: str) -> None:
    doc = seed_docs()[prefix]
    (truth,) = [g for g in ground_truth() if g["title"] == doc.title]
    label = SEED_SITES[prefix]
    meta = load_meta()["sites"][label]
    paths = [truth["path"], *truth["aliases"]]
    for path in paths:
        raw = (SITE_DIR / label / path.lstrip("/")).read_bytes()
        record = extract(raw, url=f"http://{truth['host']}{path}", content_type=meta["headers"][path])
        check(record, prefix, simplified=path.startswith("/gate/big5/"))
        for fragment in truth["text_contains"]:
            assert fragment in record.text or fragment in (record.text_simplified or "")


def test_gate_copy_is_big5_traditional() -> None:
    (truth,) = [g for g in ground_truth() if g["aliases"]]
    path = truth["aliases"][0]
    raw = (SITE_DIR / "panyu" / path.lstrip("/")).read_bytes()
    record = extract(raw, url=f"http://127.0.0.11{path}", content_type="text/html; charset=big5")
    assert record.encoding == "big5hkscs"
    assert "traditional" in record.flags
    assert to_simplified(record.title) == truth["title"]


def test_seed_files_begin_with_portal_lines_the_body_excludes() -> None:
    """The seeds' own navigation lines (copied off the portal) are what the checks above keep out."""
    lines = [line.strip() for line in seed_lines("000") if line.strip()]
    assert "扫一扫在手机打开当前页" in lines
    assert all(_compact(p) != "扫一扫在手机打开当前页" for p in seed_body("000"))


def test_served_files_exist() -> None:
    assert Path(SITE_DIR, "panyu", "gate", "big5").is_dir()
