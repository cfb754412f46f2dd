"""The crawler's link rules as data: the words, patterns and tuned numbers by which `crawler.links` and
`crawler.pagination` read a listing or detail page.

Grouped by concept, each with the reason it holds, so that a rule can be found, checked and changed here while the
code that applies it stays the same (trafilatura's `xpaths.py` is the model). What a date is belongs to
`nianbao.dates`; the pieces of dates listings print beside their items (a month and day, a card's day apart from
its year and month, "9小时前") are listing rules and are kept here, built on its year pattern.
"""

from __future__ import annotations

import re

from nianbao.dates import YEAR

# ---------------------------------------------------------------------------------------------- link targets

# hrefs that lead nowhere a crawler can fetch.
SKIP_SCHEMES = ("javascript:", "mailto:", "data:", "file:", "tel:", "about:", "vbscript:")
# Templates break long hrefs over lines; browsers drop these characters from a URL, so do we.
HREF_BREAKS = re.compile(r"[\r\n\t]")
# A folder and its index file are one page (`xxgknb/`, `xxgknb/index.html`, `default.aspx`).
INDEX_FILE = re.compile(r"/(?:index|default)\.s?html?$|/(?:index|default)\.(?:jsp|php|aspx?)$", re.I)

# ---------------------------------------------------------------------------------------------- attachments

# Files a report is published as when the page around it is one line ("详见附件").
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".ofd")
# Download servlets hide the extension; the label 附件 before or in the link says what it is.
ATTACHMENT_LABEL = "附件"
# How far before the anchor the label may end: "附件1：", "附件下载：" and a few spaces, not the paragraph before.
ATTACHMENT_LABEL_REACH = 12
# The label as link texts begin with it ("附件1：2021年度报告.pdf"): no part of the attachment's title.
ATTACHMENT_PREFIX = re.compile(r"^附件\s*\d*\s*[:：.、]?\s*")
# Where an attachment is shown without an anchor: embedded viewers (`<iframe src="….pdf">`).
EMBEDDED_FILES = "//iframe/@src | //embed/@src | //object/@data"
# TRS scripts that write the attachment list in the browser (`var file_appendix = '<a href="./P0202….pdf">…'`):
# the href and the link text, with the escaped quotes of a string inside a script.
SCRIPT_HREF = re.compile(r"""href\s*=\s*\\?["']([^"'\\]+)\\?["'][^>]*>([^<]*)""", re.I)
# Markup inside such a script's link text.
MARKUP = re.compile(r"<[^>]+>")

# ---------------------------------------------------------------------------------------------- truncated titles

# Portals cut long titles in the link text: "…", "...", "。。。" at the end say the detail page has the full one.
ELLIPSIS = re.compile(r"(…+|\.{2,}|。{3,})$")
# What a truncated title may be missing: appended to it to see whether it could still be a report title.
TITLE_COMPLETIONS = ("报告", "年度报告", "工作年度报告", "年报")

# ---------------------------------------------------------------------------------------------- commented-out lists

# A comment holding at least this many links is a listing's items (and its pager script) that the template
# commented out and a script fills in live (TRS columns: `<ul><!-- <li><a …>…</a><b>2025-11-17</b></li> … -->`);
# a commented-out logo or menu link or two stays a comment.
COMMENT_MIN_LINKS = 3
COMMENT_LINK = re.compile(r"<a\s[^>]*href\s*=", re.I)

# ---------------------------------------------------------------------------------------------- rows

# Tags that are one list item each; a repeated block of other tags is one too (`crawler.rows.row_of`).
ROW_TAGS = frozenset({"li", "tr", "dd", "dt"})
# Table cells repeat within their row: the row is the item, never the cell.
CELL_TAGS = ("td", "th")
# Where the walk up from an anchor stops: above these there is no item.
PAGE_TAGS = ("body", "html")
# How far above the anchor its row may be (`<li><div><h3><a>` is three levels).
ROW_MAX_DEPTH = 4
# A "row" with more links than this is a navigation block or a whole list, not one item.
ROW_MAX_ANCHORS = 6
# A "row" with more text than this is a container of many items.
ROW_MAX_TEXT = 400
# A date inside the anchor counts only in a short child element (`<a><span>title</span><i>date</i></a>`), and the
# element after a row only when it is this short (`<dt>…</dt><dd>2022-01-25</dd>`).
DATE_ELEMENT_MAX = 24
# Footnote marks: "[5-6]" in a `<sup>` cites notes, it is no month and day.
NOTE_TAGS = frozenset({"sup", "sub"})

# ---------------------------------------------------------------------------------------------- dates beside items

# A date without its year, as old templates print it: "10-19", "[9/3]", "8月30日", "发布日期：10-19". Read only
# as a whole piece of text: in a sentence or a number like "第1-2期" it is none.
MONTH_DAY = re.compile(
    r"(?:[^\d\s:：]{1,6}\s*[:：]\s*)?[\[(【（]?\s*(\d{1,2})\s*(?:[-/]\s*(\d{1,2})|月\s*(\d{1,2})\s*日)\s*[\])】）]?"
)
# A cheap test of a row's whole text before it is walked piece by piece for a MONTH_DAY: most rows have none.
MONTH_DAY_HINT = re.compile(r"\d\s*(?:[-/]|月)\s*\d")
# Card templates print the day apart from the year and month: `<b>05</b><i>2021-03</i>`. Each is a whole text.
YEAR_MONTH = re.compile(rf"({YEAR})\s*[-/.年]\s*(\d{{1,2}})\s*月?")
DAY = re.compile(r"(\d{1,2})\s*日?")
# A card's pieces are short ("2021-03", "2021年03月", "05日"); a longer text is something else.
CARD_PIECE_MAX = 10
# Brackets templates put around a date ("[01-25]", "（2022-01-25）"): no part of it.
BRACKETS = "[]()【】（）"
# Relative dates ("9小时前") mark a row as a dated list item, though they give no absolute date.
RELATIVE_DATE = re.compile(r"\d+\s*(?:秒|分钟|小时|天)前|(?<![\u4e00-\u9fff])(?:今天|昨天|刚刚)")
# A title without a digit holds no date to take out of it.
DIGIT = re.compile(r"\d")

# ---------------------------------------------------------------------------------------------- columns

# Link text that names a column where reports are published; used to discover columns from a home page.
COLUMN_NAMES = (
    "法治政府建设",
    "法治政府",
    "依法行政",
    "年度报告",
    "政府信息公开年报",
    "信息公开年报",
    "法定主动公开内容",
    "政府信息公开",
)
# A navigation entry is short; a longer text naming a column is an article about it, not the column.
COLUMN_TEXT_MAX = 16
# A column is named without a year: "2022年法治政府建设工作要点" is an article.
COLUMN_YEAR = re.compile(r"\d{4}")

# ---------------------------------------------------------------------------------------------- pagers

# Link texts (or an image button's alt text) that say "next page".
NEXT_TEXTS = frozenset({"下一页", "下页", "›", ">", "后页", "下一頁", "next", "Next", "下一页>", "下一页»"})
# The same labels as pagers decorate them: "[下一页]", "【下一页】", "下一页>>", "Next »", "下一页 ›".
NEXT_LABEL = re.compile(r"[\[【(（<«‹]*(?:下一?页|下一頁|后一?页|next(?:page)?)[\]】)）>»›]*", re.I)
# Query parameters that carry the page number (compared in lower case): `?page=2`, `pageNum=2`, `cur_page=2`.
PAGE_PARAMS = ("page", "pagenum", "pageindex", "pageno", "currentpage", "curpage", "cur_page", "page_no", "pagenow")
# Parameters a pager changes along with the page (totals, page sizes, cache busters): they name no column.
VOLATILE_PARAM = re.compile(r"total\w*|count\w*|pagesize|page_size|perpage|t|_|rnd|random|timestamp|ts", re.I)
# Anchors whose whole text is a number, selected in C: a page has hundreds of anchors and few numbers.
NUMBER_ANCHORS = (
    "//a[@href][normalize-space(.) != ''][string-length(normalize-space(.)) <= 4]"
    "[translate(normalize-space(.), '0123456789', '') = '']"
)
# A page number in a pager's file name: list_2.html, index_3.shtml, news-4.htm.
NUMBERED_FILE = re.compile(r"^(.*?)(?:[_-]\d+)?(\.[a-z]+)?$", re.I)
# TRS columns can be thousands of pages deep; the stop rule ends a crawl long before, so derive no more.
MAX_DERIVED_PAGES = 1000

# ---------------------------------------------------------------------------------------------- TRS pager scripts

# `createPageHTML(pages, current, "index", "html")`, with an optional leading element id; each argument written
# literally or as a variable.
_ARG = r"\s*(['\"]?[\w.-]+['\"]?)\s*"
CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,)?" + _ARG + "," + _ARG + "," + _ARG + "," + _ARG + r"[,)]"
)
# An integer a script assigns to a variable (`var countPage = 5`), for createPageHTML's variable arguments.
SCRIPT_ASSIGNMENT = r"\b{name}\s*=\s*['\"]?(\d+)"
# Older TRS templates write their pager inline from two variables, without calling createPageHTML:
# `var currentPage = 0; var countPage = 2` and `"<a href=\"index" + "_" + nextPage + "." + "html\">"`.
COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
CURRENT_PAGE = re.compile(r"\bcurrentPage\s*=\s*['\"]?(\d+)")
PAGE_NAME = re.compile(r"""(\w+)['"]\s*\+\s*['"]_['"]\s*\+[^;\n]*?['"]\.?['"]?\s*\+\s*['"]\.?(s?html?)\b""")

# ---------------------------------------------------------------------------------------------- JCMS dataproxy

# JCMS (Hanweb) columns fetch their list from here as XML, one CDATA HTML fragment per record.
DATAPROXY_PATH = "/module/web/jpage/dataproxy.jsp"
# The name every page that calls it carries: a plain test before a page is parsed or its scripts searched.
DATAPROXY_NAME = "dataproxy.jsp"
# jpage shows `perpage` records per page and fetches three pages per request; requests here do the same.
DATAPROXY_PERPAGE = 15
DATAPROXY_PAGES_PER_REQUEST = 3
# The form parameters a JCMS column sends to dataproxy.jsp (read from the page's script).
DATAPROXY_PARAMS = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourcecontenttype",
    "unitid",
    "webname",
    "permissiontype",
)
# The first group's own request, when the page embeds one (<nextgroup><a href="…dataproxy.jsp?…">).
DATAPROXY_HREF = re.compile(r"""href=['"]?([^'"\s>]*dataproxy\.jsp\?[^'"\s>]*)""")
# Each parameter as the script sets it: `columnid: 1234`, `"unitid": "5678"`, `webid = 1`.
DATAPROXY_SETTINGS = {
    key: re.compile(rf"""['"]?\b({key})['"]?\s*[:=]\s*['"]?([^'",;}}\s]+)""", re.I) for key in DATAPROXY_PARAMS
}
# The page size and the pages per request, when the script sets its own.
DATAPROXY_PERPAGE_SETTING = re.compile(r"""per_?page['"]?\s*[:=]\s*['"]?(\d+)""", re.I)
DATAPROXY_GROUP_SETTING = re.compile(r"""group_?size['"]?\s*[:=]\s*['"]?(\d+)""", re.I)
# The endpoint as the script names it (some sites serve it under a prefix).
DATAPROXY_ENDPOINT = re.compile(r"""['"]([^'"\s]*?/module/web/jpage/dataproxy\.jsp)""")
# A JCMS column's id in its URL, when the script does not give it (`/col/col1234/index.html`).
JCMS_COLUMN = re.compile(r"/col/col(\d+)/")
# The records a page or a response holds, and their count, read as text when the XML is not well formed.
DATASTORE = re.compile(r"<datastore>.*?</datastore>", re.S)
RECORD = re.compile(r"<record>")
RECORD_CDATA = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)")
TOTAL_PAGE = re.compile(r"<totalpage>\s*(\d+)")
# Entity declarations: such a payload can expand to gigabytes (billion laughs); it is refused.
XML_ENTITIES = re.compile(r"<!(DOCTYPE|ENTITY)", re.I)
