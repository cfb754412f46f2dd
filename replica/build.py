"""Write the replica portals and their ground truth: `python -m replica.build [--attachments]`.

Output (committed, so serving and CI never need to build):
  site/<label>/...         the bytes each URL serves, already in the page's encoding
  site/_meta.json          per site: address, Content-Type of every file, JCMS records, blocked flag
  ground_truth.json        every report a crawl of the replica should find, and the blocked sites

Every byte follows from this file, `content.py`, `templates.py` and the seeds, so two runs write the same
tree. The PDF and DOCX attachments are made once by `attachments.py` (LibreOffice) and kept under
`attachments/`; `--attachments` remakes them.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import opencc

from replica import figures as F
from replica import templates as T
from replica.content import (
    LOCAL,
    Doc,
    filler_doc,
    info_disclosure_report,
    lookalike_docs,
    pick_sentences,
    rule_of_law_report,
    seed_body,
    seed_lines,
    truncate,
)

HERE = Path(__file__).parent
SITE_DIR = HERE / "site"
ATTACH_DIR = HERE / "attachments"
GROUND_TRUTH = HERE / "ground_truth.json"

Site = dict[str, Any]

# --- the portals -----------------------------------------------------------------------------------
# `encoding` is what the bytes are; `declared` what the page's <meta> says (None: nothing);
# `http_charset` what the Content-Type header says (None: no charset parameter).

_COMMON = {"vendor": "开普云信息科技股份有限公司", "meta_tags": False, "info_style": "line", "nav": []}

SITES: list[Site] = [
    {
        **_COMMON,
        "label": "panyu",
        "host": "127.0.0.11",
        "name": "广州市番禺区人民政府",
        "owner": "广州市番禺区人民政府办公室",
        "host_unit": "广州市番禺区政务服务数据管理局",
        "site_id": "4401130001",
        "icp": "粤ICP备10203958号",
        "gongan": "粤公网安备 44011302000581号",
        "vendor": "拓尔思信息技术股份有限公司",
        "encoding": "utf-8",
        "declared": "utf-8",
        "http_charset": "utf-8",
        "container": 'class="TRS_Editor"',
        "meta_tags": True,
        "style": "trs",
    },
    {
        **_COMMON,
        "label": "xiangtan",
        "host": "127.0.0.12",
        "name": "湘潭县人民政府",
        "owner": "湘潭县人民政府办公室",
        "host_unit": "湘潭县政务服务中心",
        "site_id": "4303210001",
        "icp": "湘ICP备05004562号",
        "gongan": "湘公网安备 43032102000116号",
        "vendor": "湖南竞网智赢网络技术有限公司",
        "encoding": "utf-8",
        "declared": "utf-8",
        "http_charset": "utf-8",
        "container": 'id="zoom"',
        "style": "next",
    },
    {
        **_COMMON,
        "label": "changping",
        "host": "127.0.0.13",
        "name": "中国东莞常平镇栏目",
        "owner": "东莞市人民政府办公室",
        "host_unit": "东莞市政务服务数据管理局",
        "site_id": "4419000098",
        "icp": "粤ICP备19114884号",
        "gongan": "粤公网安备 44190002000375号",
        "vendor": "大汉软件股份有限公司",
        "encoding": "gbk",
        "declared": "gb2312",
        "http_charset": "gb2312",
        "container": 'id="zoom"',
        "info_style": "bullets",
        "style": "jcms",
    },
    {
        **_COMMON,
        "label": "guixi",
        "host": "127.0.0.14",
        "name": "垫江县人民政府桂溪街道办事处",
        "owner": "垫江县人民政府桂溪街道办事处",
        "host_unit": "垫江县大数据应用发展管理局",
        "site_id": "5002310012",
        "icp": "渝ICP备18002875号",
        "gongan": "渝公网安备 50023102000142号",
        "encoding": "gbk",
        "declared": None,
        "http_charset": None,
        "container": 'class="TRS_Editor"',
        "style": "query",
    },
    {
        **_COMMON,
        "label": "jinghai-sfj",
        "host": "127.0.0.15",
        "name": "天津市静海区司法局",
        "owner": "天津市静海区司法局",
        "host_unit": "天津市静海区司法局办公室",
        "site_id": "1201180023",
        "icp": "津ICP备05004390号",
        "gongan": "津公网安备 12022302000108号",
        "encoding": "gbk",
        "declared": "utf-8",  # the lie: GBK bytes, UTF-8 in <meta> and in the HTTP header
        "http_charset": "utf-8",
        "container": 'id="UCAP-CONTENT"',
        "style": "next",
    },
    {
        **_COMMON,
        "label": "xinjin",
        "host": "127.0.0.17",
        "name": "成都市新津区人民政府",
        "owner": "成都市新津区人民政府办公室",
        "host_unit": "成都市新津区政务服务管理和网络理政办公室",
        "site_id": "5101320001",
        "icp": "蜀ICP备05003364号",
        "gongan": "川公网安备 51013202000109号",
        "encoding": "utf-8",
        "declared": "utf-8",
        "http_charset": "utf-8",
        "container": 'id="zoom"',
        "style": "next",
    },
    {
        **_COMMON,
        "label": "jiangning",
        "host": "127.0.0.16",
        "name": "南京市江宁区人民政府",
        "owner": "南京市江宁区人民政府办公室",
        "host_unit": "南京市江宁区大数据管理中心",
        "site_id": "3201150001",
        "icp": "苏ICP备05008741号",
        "gongan": "苏公网安备 32011502010333号",
        "encoding": "utf-8",
        "declared": "utf-8",
        "http_charset": "utf-8",
        "container": 'class="TRS_Editor"',
        "style": "blocked",
    },
]

BY_LABEL = {s["label"]: s for s in SITES}

# Registry entries: several share a host (湘潭县 carries its towns' columns).
REGISTRY: list[dict[str, Any]] = [
    {"code": "gd-panyu", "name": "广州市番禺区人民政府", "division": "440113", "level": "district",
     "label": "panyu", "listing": ["/fzzfjs/index.html", "/zfxxgk/ndbg/index.html"]},
    {"code": "hn-xiangtan", "name": "湘潭县人民政府", "division": "430321", "level": "county",
     "label": "xiangtan", "listing": ["/fzzfjs/list.html"]},
    {"code": "hn-xiangtan-shigu", "name": "湘潭县石鼓镇人民政府", "division": "430321", "level": "township",
     "label": "xiangtan", "listing": ["/xzzf/shigu/list.html"], "start": "/xzzf/shigu/list.html"},
    {"code": "hn-xiangtan-yisuhe", "name": "湘潭县易俗河镇人民政府", "division": "430321", "level": "township",
     "label": "xiangtan", "listing": ["/xzzf/yisuhe/list.html"], "start": "/xzzf/yisuhe/list.html"},
    {"code": "hn-xiangtan-huashi", "name": "湘潭县花石镇人民政府", "division": "430321", "level": "township",
     "label": "xiangtan", "listing": ["/xzzf/huashi/list.html"], "start": "/xzzf/huashi/list.html"},
    {"code": "gd-dongguan-changping", "name": "东莞市常平镇人民政府", "division": "441900", "level": "township",
     "label": "changping", "listing": ["/col/col1234/index.html"]},
    {"code": "cq-dianjiang-guixi", "name": "垫江县人民政府桂溪街道办事处", "division": "500231",
     "level": "township", "label": "guixi", "listing": ["/fzzfjs/list.html"]},
    {"code": "tj-jinghai-sfj", "name": "天津市静海区司法局", "division": "120118", "level": "department",
     "label": "jinghai-sfj", "listing": ["/fzzfjs/list.html", "/zfxxgk/list.html"]},
    {"code": "sc-xinjin", "name": "成都市新津区人民政府", "division": "510132", "level": "district",
     "label": "xinjin", "listing": ["/zfxxgk/ndbg/list.html"]},
    {"code": "js-jiangning", "name": "南京市江宁区人民政府", "division": "320115", "level": "district",
     "label": "jiangning", "listing": []},
]  # fmt: skip

ROBOTS = "User-agent: *\nDisallow: /preview/\nDisallow: /search/\n"


# --- one site's pages ------------------------------------------------------------------------------


class SiteTree:
    """The files of one site while it is built: path → bytes, path → Content-Type, JCMS records."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.files: dict[str, bytes] = {}
        self.headers: dict[str, str] = {}
        self.jpage: dict[str, list[str]] = {}
        self.next_id = 5001

    def new_id(self) -> int:
        self.next_id += 7
        return self.next_id

    def content_type(self, mime: str = "text/html", charset: str | None = "site") -> str:
        cs = self.site["http_charset"] if charset == "site" else charset
        return f"{mime}; charset={cs}" if cs else mime

    def put_html(self, path: str, text: str) -> None:
        self.files[path] = text.encode(self.site["encoding"], errors="xmlcharrefreplace")
        self.headers[path] = self.content_type()

    def put_bytes(self, path: str, data: bytes, content_type: str) -> None:
        self.files[path] = data
        self.headers[path] = content_type


def trs_path(column: str, doc: Doc, ident: int) -> str:
    ymd = doc.published.replace("-", "")
    return f"/{column}/{ymd[:6]}/t{ymd}_{ident}.html"


def assign_path(tree: SiteTree, column: str, doc: Doc) -> None:
    """Give `doc` the URL its CMS would: TRS, JCMS /art/… or a plain content_N page."""
    ident = tree.new_id()
    style = tree.site["style"]
    if style in ("trs", "query"):
        doc.path = trs_path(column, doc, ident)
    elif style == "jcms":
        y, m, d = (int(x) for x in doc.published.split("-"))
        doc.path = f"/art/{y}/{m}/{d}/art_{column.removeprefix('col/col')}_{ident}.html"
    else:
        doc.path = f"/{column}/content_{ident}.html"
    if doc.format in ("pdf", "docx"):
        ymd = doc.published.replace("-", "")
        doc.attachment = f"/{column}/{ymd[:6]}/P0{ymd}{ident}.{doc.format}"


def write_column(
    tree: SiteTree, column: str, name: str, docs: list[Doc], per_page: int, *, extra_links: str = ""
) -> list[Doc]:
    """Write a column's listing pages and detail pages; return its docs newest first."""
    docs = sorted(docs, key=lambda d: (d.published, d.time), reverse=True)
    for d in docs:
        assign_path(tree, column, d)
    site, style = tree.site, tree.site["style"]
    chunks = [docs[i : i + per_page] for i in range(0, len(docs), per_page)] or [[]]
    if style == "trs":
        for i, chunk in enumerate(chunks):
            page = "index.html" if i == 0 else f"index_{i}.html"
            tree.put_html(
                f"/{column}/{page}", T.listing_trs(site, (name, f"/{column}/index.html"), chunk, i, len(chunks))
            )
    elif style == "jcms":
        tree.jpage[column.removeprefix("col/col")] = [T.jcms_record(d) for d in docs]
        html = T.column_jcms(
            site, (name, f"/{column}/index.html"), int(column.removeprefix("col/col")), 4021, len(docs)
        )
        tree.put_html(f"/{column}/index.html", html)
    else:
        first = f"/{column}/list.html"

        def page_url(n: int) -> str:
            if n == 1:
                return first
            return f"{first}?page={n}" if style == "query" else f"/{column}/list_{n}.html"

        for i, chunk in enumerate(chunks, start=1):
            path = page_url(i).replace("?", "@")  # a query string is stored as '@' (see server.py)
            tree.put_html(path, T.listing_next(site, (name, first), chunk, i, len(chunks), page_url))
    col_href = f"/{column}/index.html" if style in ("trs", "jcms") else f"/{column}/list.html"
    for d in docs:
        related = [r for r in docs if r is not d and (r.kind or "报告" in r.title)][:4]
        tree.put_html(d.path, T.detail(site, d, (name, col_href), related, extra_links=extra_links))
        d.excludes = [r.title for r in related[:2]]
    return docs


def report(key: str, title: str, published: str, issuer: str, kind: str, year: int, body: list[str], **kw: Any) -> Doc:
    """A report Doc; `text_contains` is drawn from its body unless given."""
    doc = Doc(
        key=key,
        title=title,
        published=published,
        time=kw.pop("time", "10:00"),
        paragraphs=body,
        source=kw.pop("source", issuer),
        kind=kind,
        year=year,
        issuer=issuer,
        **kw,
    )
    if not doc.text_contains:
        doc.text_contains = pick_sentences(body)
    return doc


def fillers(key: str, name: str, count: int, start: int = 0) -> list[Doc]:
    """`count` filler items with dates spread over 2019–2024."""
    out = []
    for i in range(start, start + count):
        year, month, day = 2019 + (i * 7) % 6, 1 + (i * 5) % 12, 1 + (i * 11) % 28
        out.append(filler_doc(key, name, i, year, month, day))
    return out


def written(key: str, issuer: str, year: int, published: str, superior: str, title: str | None = None) -> Doc:
    """One of the rule-of-law reports written for the replica."""
    body = rule_of_law_report(issuer, year, LOCAL[key], superior=superior, seed=key)
    title = title or f"{issuer}{year}年法治政府建设年度报告"
    anchors = [body[i].split("，")[0] for i in (3, 5, 7)]  # the clauses carrying this report's numbers
    return report(key, title, published, issuer, "rule_of_law", year, body, text_contains=[LOCAL[key], *anchors])


def written_info(key: str, issuer: str, year: int, published: str, title: str) -> Doc:
    body = info_disclosure_report(issuer, year, LOCAL[key], seed=key)
    anchors = [body[2].split("，")[1], body[6].split("，")[0]]  # the clauses carrying this report's numbers
    return report(key, title, published, issuer, "info_disclosure", year, body, text_contains=[LOCAL[key], *anchors])


def home_blocks(tree: SiteTree, columns: list[tuple[str, str, list[Doc]]]) -> list[tuple[str, str, list[Doc]]]:
    style = tree.site["style"]
    out = []
    for column, name, docs in columns:
        href = f"/{column}/index.html" if style in ("trs", "jcms") else f"/{column}/list.html"
        out.append((name, href, docs[:6]))
    return out


# --- the six portals -------------------------------------------------------------------------------


def build_panyu(tree: SiteTree) -> list[Doc]:
    """TRS WCM, UTF-8, <meta name="ArticleTitle"/"PubDate">, createPageHTML pager, a /gate/big5/ copy."""
    site = tree.site
    site["nav"] = [("法治政府建设", "/fzzfjs/index.html"), ("政务动态", "/zwdt/index.html"),
                   ("政府信息公开年报", "/zfxxgk/ndbg/index.html")]  # fmt: skip
    issuer = "广州市番禺区人民政府"
    seed = report("seed-002", seed_lines("002")[4].strip(), "2021-12-13", issuer, "rule_of_law", 2021,
                  seed_body("002"), time="16:07:17", source="广州市番禺区人民政府")  # fmt: skip
    seed.list_title = truncate(seed.title, 22)
    reports = [
        seed,
        written("panyu-2020", "番禺区人民政府", 2020, "2021-01-22", "区委", "番禺区2020年法治政府建设年度报告"),
        written("panyu-2022", "番禺区人民政府", 2022, "2023-02-14", "区委", "番禺区2022年法治政府建设年度报告"),
    ]
    fz = write_column(
        tree, "fzzfjs", "法治政府建设", reports + lookalike_docs("panyu", "番禺区") + fillers("panyu", "番禺区", 16), 10
    )
    info = [written_info("panyu-info-2021", "广州市番禺区人民政府", 2021, "2022-01-28",
                         "广州市番禺区人民政府2021年政府信息公开工作年度报告")]  # fmt: skip
    nd = write_column(tree, "zfxxgk/ndbg", "政府信息公开年报", info + fillers("panyu-nd", "番禺区", 3, 40), 10)
    news = write_column(tree, "zwdt", "政务动态", fillers("panyu-news", "番禺区", 8, 60), 10)

    # A Traditional copy of the 2021 report and of the home page under /gate/big5/, in Big5.
    gate = f"/gate/big5/{site['host']}"
    seed.aliases = [gate + seed.path]
    big5 = {**site, "declared": "big5"}
    s2t = opencc.OpenCC("s2t")
    tree.put_bytes(
        gate + seed.path,
        s2t.convert(
            T.detail(big5, seed, ("法治政府建设", "/fzzfjs/index.html"), reports[1:], gate_link=seed.path)
        ).encode("big5", errors="xmlcharrefreplace"),
        "text/html; charset=big5",
    )
    # The simplified detail page links to its Traditional copy, as the real 繁體 switch does.
    tree.put_html(
        seed.path, T.detail(site, seed, ("法治政府建设", "/fzzfjs/index.html"), reports[1:], gate_link=gate + seed.path)
    )
    seed.excludes = [r.title for r in reports[1:3]]

    draft = ["本稿仅供内部征求意见使用，请勿转载。", "2023年，番禺区深入推进法治政府建设。"]
    preview = Doc(key="panyu-preview", title="番禺区2023年法治政府建设年度报告（征求意见稿）",
                  published="2024-03-08", time="09:00", paragraphs=draft, source="番禺区司法局")  # fmt: skip
    preview.path = "/preview/202403/t20240308_9001.html"
    tree.put_html(preview.path, T.detail(site, preview, ("征求意见", "/preview/"), []))
    blocks = home_blocks(
        tree, [("fzzfjs", "法治政府建设", fz), ("zfxxgk/ndbg", "政府信息公开年报", nd), ("zwdt", "政务动态", news)]
    )
    extra = [("活动日历", "/calendar?date=2021-01-01"), ("征求意见稿", preview.path)]
    site["home_gate"] = gate + "/index.html"
    tree.put_html("/index.html", T.home(site, blocks, extra))
    big5_home = s2t.convert(T.home({**big5, "home_gate": "/index.html"}, blocks, extra))
    tree.put_bytes(gate + "/index.html", big5_home.encode("big5", "xmlcharrefreplace"), "text/html; charset=big5")
    return reports + info


def build_xiangtan(tree: SiteTree) -> list[Doc]:
    """A county portal with three towns' columns; plain 下一页 links; the pinyin-annotated seed page."""
    site = tree.site
    site["nav"] = [("法治政府建设", "/fzzfjs/list.html"), ("石鼓镇", "/xzzf/shigu/list.html"),
                   ("易俗河镇", "/xzzf/yisuhe/list.html"), ("花石镇", "/xzzf/huashi/list.html")]  # fmt: skip
    county = [
        written("xiangtan-2019", "湘潭县人民政府", 2019, "2020-02-20", "县委"),
        written("xiangtan-2021", "湘潭县人民政府", 2021, "2022-02-25", "县委"),
    ]
    fz = write_column(
        tree,
        "fzzfjs",
        "法治政府建设",
        county + lookalike_docs("xiangtan", "湘潭县") + fillers("xiangtan", "湘潭县", 10),
        7,
    )

    lines = seed_lines("001")
    shigu_seed = report("seed-001", lines[0].strip(), "2022-01-12", "湘潭縣石鼓鎮(zhèn)人民政府", "rule_of_law", 2021,
                        seed_body("001"), time="14:46", source="湘潭縣人民政府門戶網(wǎng)站")  # fmt: skip
    shigu = write_column(tree, "xzzf/shigu", "石鼓镇", [shigu_seed, *fillers("shigu", "石鼓镇", 5, 20)], 7)
    yisuhe_docs = [
        written("yisuhe-2022", "易俗河镇人民政府", 2022, "2023-01-30", "镇党委", "易俗河镇2022年法治政府建设年度报告"),
        *[d for d in lookalike_docs("yisuhe", "易俗河镇", town_template=True) if "模板" in d.title],
        *fillers("yisuhe", "易俗河镇", 5, 30),
    ]
    yisuhe = write_column(tree, "xzzf/yisuhe", "易俗河镇", yisuhe_docs, 7)
    huashi_reports = [
        written("huashi-2020", "花石镇人民政府", 2020, "2021-01-18", "镇党委", "花石镇2020年法治政府建设年度报告"),
        written("huashi-2021", "花石镇人民政府", 2021, "2022-01-21", "镇党委", "花石镇2021年法治政府建设年度报告"),
    ]
    huashi = write_column(tree, "xzzf/huashi", "花石镇", huashi_reports + fillers("huashi", "花石镇", 8, 40), 7)

    slow = filler_doc("xiangtan-slow", "湘潭县", 3, 2022, 4, 8)
    slow.path = "/slow/tzgg/content_8888.html"  # server.py sleeps before serving /slow/
    tree.put_html(slow.path, T.detail(site, slow, ("通知公告", "/fzzfjs/list.html"), []))
    blocks = home_blocks(tree, [("fzzfjs", "法治政府建设", fz), ("xzzf/shigu", "石鼓镇", shigu),
                                ("xzzf/yisuhe", "易俗河镇", yisuhe), ("xzzf/huashi", "花石镇", huashi)])  # fmt: skip
    extra = [
        ("通知公告", slow.path),
        ("历史栏目", "/xxgk/old/content_404.html"),
        ("网上调查", "/system/error.jsp?id=17"),
    ]
    tree.put_html("/index.html", T.home(site, blocks, extra))
    return [*county, shigu_seed, *yisuhe_docs[:1], *huashi_reports]


def build_changping(tree: SiteTree) -> list[Doc]:
    """大汉 JCMS in GBK declared as gb2312; the column's items come only from dataproxy.jsp."""
    site = tree.site
    site["nav"] = [("法治政府", "/col/col1234/index.html"), ("镇内要闻", "/col/col1235/index.html")]
    issuer = "常平镇人民政府"
    seed = report("seed-000", seed_lines("000")[5].strip(), "2022-01-25", issuer, "rule_of_law", 2021,
                  seed_body("000"), time="15:43", source="本网")  # fmt: skip
    reports = [
        seed,
        written("changping-2020", "常平镇", 2020, "2021-02-03", "镇委", "常平镇2020年法治政府建设年度报告"),
        written("changping-2023", "常平镇", 2023, "2024-01-29", "镇委", "常平镇2023年法治政府建设年度报告"),
    ]
    fz = write_column(
        tree,
        "col/col1234",
        "法治政府",
        reports + lookalike_docs("changping", "常平镇") + fillers("changping", "常平镇", 12),
        15,
    )
    news = write_column(tree, "col/col1235", "镇内要闻", fillers("changping-news", "常平镇", 6, 50), 15)
    blocks = home_blocks(tree, [("col/col1234", "法治政府", fz), ("col/col1235", "镇内要闻", news)])
    tree.put_html("/index.html", T.home(site, blocks, [("政务服务", "/system/error.jsp?id=3")]))
    return reports


def build_guixi(tree: SiteTree) -> list[Doc]:
    """GBK with no charset anywhere; list.html?page=N pager; the 2021 report only as a PDF."""
    site = tree.site
    site["nav"] = [("法治政府建设", "/fzzfjs/list.html"), ("街道动态", "/jddt/list.html")]
    title = seed_lines("003")[0].strip()
    pdf = report("seed-003", title, "2022-01-20", "垫江县人民政府桂溪街道办事处", "rule_of_law", 2021,
                 ["桂溪街道2021年法治政府建设年度报告详见附件。"], format="pdf", time="11:20",
                 text_contains=attachment_sentences("guixi-2021.pdf", seed_body("003")))  # fmt: skip
    reports = [
        pdf,
        written("guixi-2022", "桂溪街道办事处", 2022, "2023-02-08", "街道党工委",
                "垫江县人民政府桂溪街道办事处2022年法治政府建设年度报告"),
    ]  # fmt: skip
    likes = [d for d in lookalike_docs("guixi", "桂溪街道") if "指引" in d.title or "通知" in d.title]
    fz = write_column(tree, "fzzfjs", "法治政府建设", reports + likes + fillers("guixi", "桂溪街道", 6), 6)
    news = write_column(tree, "jddt", "街道动态", fillers("guixi-news", "桂溪街道", 5, 70), 6)
    put_attachment(tree, pdf, "guixi-2021.pdf")
    blocks = home_blocks(tree, [("fzzfjs", "法治政府建设", fz), ("jddt", "街道动态", news)])
    tree.put_html("/index.html", T.home(site, blocks, [("旧版网站", "/old/index.html")]))
    return reports


def build_jinghai(tree: SiteTree) -> list[Doc]:
    """A department site in GBK that claims UTF-8; a town's 2024 report only as a DOCX."""
    site = tree.site
    site["nav"] = [("法治政府建设", "/fzzfjs/list.html"), ("政府信息公开", "/zfxxgk/list.html")]
    docx = report("seed-004", "独流镇2024年法治政府建设年度报告", "2025-02-18", "独流镇人民政府", "rule_of_law", 2024,
                  ["现将独流镇2024年法治政府建设年度报告予以公开，详见附件。"], format="docx", time="15:30",
                  text_contains=pick_sentences(seed_body("004")))  # fmt: skip
    reports = [
        written(
            "jinghai-sfj-2021",
            "静海区司法局",
            2021,
            "2022-01-26",
            "区委区政府",
            "静海区司法局2021年法治政府建设年度报告",
        ),
        written(
            "jinghai-sfj-2023",
            "静海区司法局",
            2023,
            "2024-02-01",
            "区委区政府",
            "静海区司法局2023年法治政府建设年度报告",
        ),
        docx,
    ]
    likes = [d for d in lookalike_docs("jinghai", "静海区") if "要点" in d.title or "解读" in d.title]
    fz = write_column(tree, "fzzfjs", "法治政府建设", reports + likes + fillers("jinghai", "静海区司法局", 6), 8)
    info = [written_info("jinghai-sfj-info-2022", "天津市静海区司法局", 2022, "2023-01-16",
                         "天津市静海区司法局2022年政府信息公开工作年度报告")]  # fmt: skip
    xxgk = write_column(tree, "zfxxgk", "政府信息公开", info + fillers("jinghai-xx", "静海区司法局", 2, 80), 8)
    put_attachment(tree, docx, "duliu-2024.docx")
    blocks = home_blocks(tree, [("fzzfjs", "法治政府建设", fz), ("zfxxgk", "政府信息公开", xxgk)])
    tree.put_html("/index.html", T.home(site, blocks, [("在线咨询", "/system/error.jsp?id=9")]))
    return reports + info


def build_xinjin(tree: SiteTree) -> list[Doc]:
    """A district's information-disclosure column: its own and its bureaus' reports with the format's tables in
    several markups (figures.py), a Traditional page, a PDF and a DOCX, a 2019-format, a pre-2019 report."""
    site = tree.site
    site["nav"] = [("政府信息公开年报", "/zfxxgk/ndbg/list.html")]
    reports = [figure_report(*spec) for spec in FIGURE_REPORTS]
    for doc in reports:
        if doc.format in ("pdf", "docx"):
            doc.paragraphs = [f"现将{doc.issuer}{doc.year}年政府信息公开工作年度报告予以公开，详见附件。"]
            doc.body_html = ""
    nd = write_column(tree, "zfxxgk/ndbg", "政府信息公开年报", reports + fillers("xinjin", "新津区", 4, 90), 8)
    for doc in reports:
        if doc.format in ("pdf", "docx"):
            put_attachment(tree, doc, f"{doc.key}.{doc.format}")
    tree.put_html("/index.html", T.home(site, home_blocks(tree, [("zfxxgk/ndbg", "政府信息公开年报", nd)]), []))
    return reports


# (key, issuer, report year, published, markup, format version): the reports of the figures site. The
# markups are those of figures.py; "pdf"/"docx" are the Word-style tables converted by LibreOffice
# (attachments.py), "inconsistent" prints totals that do not add up, "none" a report from before the format.
FIGURE_REPORTS = [
    ("xinjin-2022", "成都市新津区人民政府", 2022, "2023-01-30", "word", "2021"),
    ("xinjin-jyj-2022", "成都市新津区教育局", 2022, "2023-01-18", "flat", "2021"),
    ("xinjin-wjj-2022", "成都市新津区卫生健康局", 2022, "2023-01-20", "split", "2021"),
    ("xinjin-mzj-2022", "成都市新津区民政局", 2022, "2023-01-19", "traditional", "2021"),
    ("xinjin-sfj-2022", "成都市新津区司法局", 2022, "2023-01-17", "inconsistent", "2021"),
    ("xinjin-scj-2022", "成都市新津区市场监督管理局", 2022, "2023-01-16", "pdf", "2021"),
    ("xinjin-zjj-2022", "成都市新津区住房和城乡建设局", 2022, "2023-01-13", "docx", "2021"),
    ("xinjin-2020", "成都市新津区人民政府", 2020, "2021-01-28", "2019", "2019"),
    ("xinjin-2018", "成都市新津区人民政府", 2018, "2019-03-20", "none", None),
]
# The cells the inconsistent report misprints (+1 each) and the checks that must then fail.
INCONSISTENT_CELLS = ["requests.total.natural_person", "review.total"]
INCONSISTENT_FLAGS = [
    "requests_results_sum.natural_person", "requests_applicant_sum.total", "appeals_sum.review",
    "requests_balance.natural_person",
]  # fmt: skip
# Cells some markups print blank ("", "—"): their truth is None.
BLANK_CELLS = {
    "flat": [f"requests.refused.state_secret.{c}" for c in F.COLUMNS] + ["active.regulations.issued"],
    "split": [f"requests.unavailable.{r}.{c}" for r in ("needs_creation", "unclear") for c in F.COLUMNS],
    "2019": [f"requests.not_processed.publication.{c}" for c in F.COLUMNS] + ["active.procurement.amount"],
}


# Every markup of figures.py as PDF and DOCX too (not served: bench/figures_quality.py measures the PDF and DOCX
# table readers on them), with their truth in truth.json.
FIGURE_VARIANTS_DIR = ATTACH_DIR / "figures"


def figure_variants() -> list[Doc]:
    docs = []
    markups = [("word", "2021", 2022), ("flat", "2021", 2022), ("split", "2021", 2022),
               ("traditional", "2021", 2022), ("inconsistent", "2021", 2022), ("2019", "2019", 2020)]  # fmt: skip
    for markup, fmt, year in markups:
        for ext in ("pdf", "docx"):
            doc = figure_report(f"variant-{markup}", "某县人民政府", year, f"{year + 1}-01-20", markup, fmt)
            doc.format = ext
            docs.append(doc)
    return docs


def figure_report(key: str, issuer: str, year: int, published: str, markup: str, fmt: str | None) -> Doc:
    """One report of the figures site: its body with the tables, and what an extractor must read from them."""
    title = f"{issuer}{year}年政府信息公开工作年度报告"
    if fmt is None:  # before the 2019 format: prose, no tables
        body = info_disclosure_report(issuer, year, f"{issuer}在政务服务中心设立政府信息公开查阅点。", seed=key)
        doc = report(key, title, published, issuer, "info_disclosure", year, body)
        doc.figures_flags = ["no_figure_tables_before_2019_format"]
        return doc
    values = F.make_values(key, fmt)
    printed = F.blank_zeros(values, BLANK_CELLS.get(markup, []))
    style = "word" if markup in ("pdf", "docx") else markup
    if markup == "inconsistent":
        printed = {k: (v + 1 if k in INCONSISTENT_CELLS and v is not None else v) for k, v in printed.items()}
    paragraphs, html = F.report_body(issuer, year, printed, fmt, style)
    fmt_name = {"pdf": "pdf", "docx": "docx"}.get(markup, "html")
    if markup == "traditional":
        s2t = opencc.OpenCC("s2t")
        title, issuer, html = s2t.convert(title), s2t.convert(issuer), s2t.convert(html)
        paragraphs = [s2t.convert(p) for p in paragraphs]
    doc = report(key, title, published, issuer, "info_disclosure", year, paragraphs, format=fmt_name,
                 text_contains=[paragraphs[2][:20]] if fmt_name == "html" else [])  # fmt: skip
    doc.body_html = html
    doc.figures, doc.figures_format = printed, fmt
    doc.figures_flags = INCONSISTENT_FLAGS if markup == "inconsistent" else []
    return doc


def build_jiangning(tree: SiteTree) -> list[Doc]:
    """Behind a Ruishu-like 412 challenge (server.py): only robots.txt is ever served."""
    return []


BUILDERS: dict[str, Callable[[SiteTree], list[Doc]]] = {
    "panyu": build_panyu,
    "xiangtan": build_xiangtan,
    "changping": build_changping,
    "guixi": build_guixi,
    "jinghai-sfj": build_jinghai,
    "xinjin": build_xinjin,
    "jiangning": build_jiangning,
}

# --- attachments ------------------------------------------------------------------------------------

MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def put_attachment(tree: SiteTree, doc: Doc, name: str) -> None:
    data = (ATTACH_DIR / name).read_bytes()
    tree.put_bytes(doc.attachment, data, MIME[doc.format])


def attachment_sentences(name: str, body: list[str]) -> list[str]:
    """Fragments of a PDF's body that its text layer holds verbatim (no line break inside them)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(ATTACH_DIR / name))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    pdf.close()
    found = [s for s in pick_sentences(body, 40, max_len=16) if s in text]
    step = max(1, len(found) // 4)
    return found[::step][:4]


# --- ground truth and output ------------------------------------------------------------------------


def site_code(label: str, doc: Doc) -> str:
    """The registry site a report belongs to: a town's column belongs to the town."""
    if label == "xiangtan":
        for town in ("shigu", "yisuhe", "huashi"):
            if f"/xzzf/{town}/" in doc.path:
                return f"hn-xiangtan-{town}"
    return next(r["code"] for r in REGISTRY if r["label"] == label and "start" not in r)


def truth_entry(site: Site, doc: Doc) -> dict[str, Any]:
    attached = doc.format in ("pdf", "docx")
    return {
        "site": site_code(site["label"], doc),
        "host": site["host"],
        "path": doc.attachment if attached else doc.path,
        "detail_path": doc.path,
        "aliases": doc.aliases,
        "kind": doc.kind,
        "year": doc.year,
        "title": doc.title,
        "published": doc.published,
        "issuer": doc.issuer,
        "text_contains": doc.text_contains,
        "text_excludes": [*T.FOOTER_STRINGS, T.CLOCK, site["icp"], *doc.excludes]
        + (["— 2 —"] if doc.format == "pdf" else []),  # a printed page number is no body text
        "format": doc.format,
        "encoding": None if attached else site["encoding"],
        "declared_charset": None if attached else site["declared"],
        **(figure_truth(doc) if doc.kind == "info_disclosure" else {}),
    }


def figure_truth(doc: Doc) -> dict[str, Any]:
    """What the extractor must read from an information-disclosure report's tables (none: no figures, and why)."""
    flags = doc.figures_flags or ([] if doc.figures else ["no_figure_tables"])
    return {"figures": doc.figures, "figures_format": doc.figures_format, "figures_flags": flags}


def build(out_dir: Path = SITE_DIR, truth_path: Path = GROUND_TRUTH) -> dict[str, Any]:
    """Write every site tree, `_meta.json` and the ground truth; return the ground truth."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    meta: dict[str, Any] = {"sites": {}}
    reports: list[dict[str, Any]] = []
    for site in SITES:
        tree = SiteTree(dict(site))
        docs = BUILDERS[site["label"]](tree)
        tree.put_bytes("/robots.txt", ROBOTS.encode(), "text/plain")
        for path, data in tree.files.items():
            target = out_dir / site["label"] / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        meta["sites"][site["label"]] = {
            "host": site["host"],
            "blocked": site["style"] == "blocked",
            "headers": dict(sorted(tree.headers.items())),
            "jpage": tree.jpage,
        }
        reports += [truth_entry(tree.site, d) for d in docs]
    (out_dir / "_meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    truth = {
        "reports": sorted(reports, key=lambda r: (r["site"], r["year"], r["kind"])),
        "blocked_sites": [r["code"] for r in REGISTRY if BY_LABEL[r["label"]]["style"] == "blocked"],
        "disallowed_paths": ["/preview/", "/search/"],
    }
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return truth


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attachments", action="store_true", help="remake the PDF/DOCX (needs soffice)")
    parser.add_argument("--figure-attachments", action="store_true", help="remake the figures site's PDF/DOCX only")
    args = parser.parse_args(argv)
    if args.attachments:
        from replica.attachments import make_attachments

        make_attachments(ATTACH_DIR)
    if args.attachments or args.figure_attachments:
        from replica.attachments import make_figure_attachments

        attached = [spec for spec in FIGURE_REPORTS if spec[4] in ("pdf", "docx")]
        make_figure_attachments(ATTACH_DIR, [figure_report(*spec) for spec in attached])
        variants = figure_variants()
        make_figure_attachments(FIGURE_VARIANTS_DIR, variants)
        lines = [
            json.dumps({"file": f"{d.key}.{d.format}", "traditional": d.key.endswith("traditional"),
                        "figures": d.figures, "figures_format": d.figures_format, "figures_flags": d.figures_flags,
                        "report_year": d.year}, ensure_ascii=False)
            for d in variants
        ]  # fmt: skip
        (FIGURE_VARIANTS_DIR / "truth.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    truth = build()
    print(f"wrote {SITE_DIR} and {GROUND_TRUTH}: {len(truth['reports'])} reports")


if __name__ == "__main__":
    main()
