"""Main text of a decoded HTML page: trafilatura, after a government-portal pruning pass, with a fallback.

trafilatura keeps much of what government portals wrap around a report: the 【字体：大 中 小】 and share/print
bars, "扫一扫在手机打开当前页", breadcrumbs, 上一篇/下一篇, related-links blocks and the 版权所有/ICP备/网站标识码
footer. Those are dropped from the lxml tree before extraction (the smallest-enough element whose text is such
a block goes, so a footer div disappears whole), and any line of that kind that survives is dropped from the
text. When trafilatura returns too little for a page that clearly holds more, the text comes from the usual CMS
content containers (TRS `.TRS_Editor`, `#zoom`, `#UCAP-CONTENT`, …) or the densest text block.
"""

from __future__ import annotations

import copy
import itertools
import logging
import re
from collections import Counter
from dataclasses import dataclass

import lxml.html
from cssselect import GenericTranslator
from lxml import etree

from nianbao.decode import without_xml_declaration
from nianbao.markup import shallow, too_deep
from nianbao.normalise import compact, squash
from workers.extract import rules
from workers.extract.options import Options

logger = logging.getLogger(__name__)


def with_traditional(pattern: str) -> str:
    """The pattern or its Traditional spelling: `/gate/big5/` copies and Traditional portals print the same
    furniture in Traditional characters ("掃一掃在手機打開當前頁", "版權所有")."""
    import opencc

    # OpenCC's standard and Taiwan/Hong Kong spellings differ in places (發佈 / 發布, 聯繫 / 聯絡).
    spellings = dict.fromkeys([pattern, *(opencc.OpenCC(c).convert(pattern) for c in ("s2t", "s2tw", "s2hk"))])
    return "|".join(f"(?:{p})" for p in spellings)


# Text that marks an element as portal furniture rather than report text.
BOILERPLATE = re.compile(
    with_traditional(
        r"字体[:：]?\s*[【\[]?\s*[大中小]|【\s*字体|字号[:：]?\s*[大中小]|扫一扫在手机|在手机上?打开当前页|"
        r"您(?:现在)?(?:当前)?所在(?:的)?位置|当前位置|您的位置|^\s*位置\s*[:：]|首页\s*(?:>|＞|»|›|→)|"
        r"上一篇|下一篇|上一条|下一条|相关链接|相关文章|相关阅读|相关新闻|相关文件|"
        r"版权所有|ICP[备证]|公网安备|网站标识码|技术支持[:：]|网站地图|联系我们|主办单位|承办单位|"
        r"打印本页|关闭窗口|【\s*打印\s*】|【\s*关闭\s*】|分享到[:：]?|今天是\s*\d{4}年|"
        r"您访问的链接即将离开|继续访问放弃|Copyright|copyright|©"
    )
)
# An element is dropped for boilerplate text only when its whole text is this short: a footer or a bar, never
# the container that also holds the report (which is thousands of characters).
BOILERPLATE_MAX_CHARS = 400
# A line of the final text is dropped when it is this short and boilerplate (long lines are report prose that
# happens to mention 联系我们 or 技术支持).
BOILERPLATE_MAX_LINE = 120
# class/id tokens of navigation, share bars, breadcrumbs and footers on Chinese portals.
FURNITURE_ATTR = re.compile(
    r"(?:^|[\s_-])(?:share|bdshare|fenxiang|print|dayin|crumb|breadcrumb|position|location|dqwz|"
    r"footer|foot|bottom|copyright|banquan|related|xglj|xgwz|pagebar|prev|next|sxp|nav|navbar|menu|"
    r"topbar|header|toolbar|fontsize|zihao)(?:$|[\s_-])",
    re.I,
)
# Containers CMSs put the article body in, most specific first. The named ones (TRS, UCAP, …) hold the report
# wherever a page has one: a block holding or inside one is the report's, not furniture; the generic ones are
# tried last, for the text of a page trafilatura found too little in. The one list of content containers.
CMS_CONTAINERS = (
    ".TRS_Editor",
    "#zoom",
    "#UCAP-CONTENT",
    ".view.TRS_UEDITOR",
    ".TRS_UEDITOR",
    "#Zoom",
    ".article-content",
)
GENERIC_CONTAINERS = (".article", ".content", "#content", "article")
CONTENT_SELECTORS = CMS_CONTAINERS + GENERIC_CONTAINERS
_DROP_TAGS = ("script", "style", "noscript", "iframe", "select", "button", "input", "textarea")
_BLOCK_TAGS = frozenset(
    "p div li tr h1 h2 h3 h4 h5 h6 br table section article blockquote pre dd dt ul ol td th".split()
)


@dataclass
class HtmlText:
    """The main text and which path produced it ("trafilatura" or "container")."""

    text: str
    extractor: str


def parse(html: str) -> etree._Element:
    """Parse decoded HTML; lxml refuses str input that still carries an XML encoding declaration.

    A page nested deeper than libxml2 builds a tree is parsed again with its deepest wrappers removed
    (nianbao.markup): else the report below the cut would be lost.
    """
    html = without_xml_declaration(html)
    if not html.strip():
        raise ValueError("empty document")
    try:
        parser = lxml.html.HTMLParser()
        tree = lxml.html.document_fromstring(html, parser=parser)
        if too_deep(parser.error_log):
            tree = lxml.html.document_fromstring(shallow(html))
        return tree
    except etree.LxmlError as e:  # "Document is empty" for markup without any element, and the like
        raise ValueError(str(e)) from e


def _text_len(el: etree._Element) -> int:
    return len(compact(el.text_content()))


def _compact_lengths(tree: etree._Element) -> dict[etree._Element, int]:
    """Characters (whitespace excluded) of every element's text, children included, in one bottom-up pass.

    `text_content()` per element would walk each subtree again for every ancestor (quadratic on deep pages).
    """
    lengths: dict[etree._Element, int] = {}
    for _event, el in etree.iterwalk(tree, events=("end",)):
        if not isinstance(el.tag, str):
            continue
        total = _compact_len(el.text)
        for child in el:
            if isinstance(child.tag, str):
                total += lengths.get(child, 0)
            total += _compact_len(child.tail)
        lengths[el] = total
    return lengths


_BLANKS = re.compile(r"[ \t\u3000\xa0]+")


def _compact_len(text: str | None) -> int:
    return len(compact(text))


_PROSE = re.compile(r"[^。！？!?\n]{30,}[。！？!?]")
# The named containers as one XPath condition (cssselect writes each selector's; "*[cond]" → cond).
_CONTAINER = " or ".join(f"({GenericTranslator().css_to_xpath(css, prefix='')[2:-1]})" for css in CMS_CONTAINERS)
_HOLDS_REPORT = etree.XPath(f"boolean(self::h1 | self::*[{_CONTAINER}] | .//h1 | .//*[{_CONTAINER}])")
_INSIDE_REPORT = etree.XPath(f"boolean(ancestor::*[{_CONTAINER}])")


def _furniture(el: etree._Element, compact_len: int | None = None, search_text: bool = True) -> bool | None:
    """True for an element whose class/id names it furniture, or whose short text is boilerplate; None when that
    short element holds the report or is prose inside it (kept, its parts judged one by one); False otherwise.

    `search_text=False` skips the text test when the caller knows an ancestor's text held no boilerplate.
    """
    if not isinstance(el.tag, str):
        return False
    if el.tag in ("html", "body"):
        return False
    if compact_len is None:
        compact_len = _text_len(el)
    if compact_len > BOILERPLATE_MAX_CHARS:
        return False
    attrs = f"{el.get('class', '')} {el.get('id', '')}"
    if attrs.strip() and FURNITURE_ATTR.search(attrs):
        return True
    if not (search_text and compact_len > 0):
        return False
    text = el.text_content()
    if not BOILERPLATE.search(text):
        return False
    # Unless it holds the report (its heading, its CMS content container: a short notice's container holds its
    # 上一篇 too), or is prose inside the report: then its parts are judged one by one.
    if _HOLDS_REPORT(el) or (_PROSE.search(text) and _INSIDE_REPORT(el)):
        return None
    return True


def prune_scripts(tree: etree._Element) -> etree._Element:
    """A copy of the tree without scripts, styles, form controls and comments (text a reader never sees).

    A <form> itself is unwrapped, not dropped: ASP.NET portals wrap the whole page in `<form id="form1">` and
    VSB (博达) sites the article in `<form name="_newscontent_fromname">`; trafilatura would drop it whole.
    A <center> becomes a <div>: trafilatura drops its text, and CMSs centre image captions and signatures with it.
    """
    tree = copy.deepcopy(tree)
    for el in list(tree.iter(*_DROP_TAGS, "form", "center", etree.Comment, etree.ProcessingInstruction)):
        if el.getparent() is None:
            continue
        if el.tag == "center":
            el.tag = "div"  # trafilatura drops <center> text: image captions, centred signatures
        elif el.tag == "form":
            el.drop_tag()
        else:
            el.drop_tree()
    return tree


# A table is page layout, not data, when one of its cells holds another table, or at least this many paragraphs
# of at least this many characters in all: a report's data table (even one pasted from Word, a <p> in every cell)
# has short cells.
LAYOUT_CELL_BLOCKS = 3
LAYOUT_CELL_CHARS = 200
_CELL_BLOCKS = ("p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote")
# In a cell alone in its row of a table that is no grid a line break counts too: old portals write the whole
# report into a one-column layout table, its paragraphs split by <br> (a data table's cells, and its full-width
# note row, may list items with <br>s).
_LONE_CELL_BLOCKS = (*_CELL_BLOCKS, "br")
_TABLE_PARTS = ("thead", "tbody", "tfoot")


def _table_rows(table: etree._Element) -> list[list[etree._Element]]:
    rows = [el for el in table if el.tag == "tr"]
    rows += [row for part in table if part.tag in _TABLE_PARTS for row in part if row.tag == "tr"]
    return [[cell for cell in row if cell.tag in ("td", "th")] for row in rows]


def _table_cells(table: etree._Element) -> list[etree._Element]:
    return [cell for row in _table_rows(table) for cell in row]


def _is_layout_table(table: etree._Element) -> bool:
    rows = _table_rows(table)
    grid = sum(1 for row in rows if len(row) > 1) > 1  # a data table, whatever a full-width note row holds
    for row in rows:
        for cell in row:
            if next(cell.iterdescendants("table"), None) is not None:
                return True
            tags = _LONE_CELL_BLOCKS if len(row) == 1 and not grid else _CELL_BLOCKS
            blocks = itertools.islice(cell.iterdescendants(*tags), LAYOUT_CELL_BLOCKS)
            if sum(1 for _ in blocks) == LAYOUT_CELL_BLOCKS and _text_len(cell) >= LAYOUT_CELL_CHARS:
                return True
    return False


def unwrap_layout_tables(tree: etree._Element) -> None:
    """Turn layout tables (old portals lay out the whole page in nested tables) into plain blocks, in place.

    trafilatura renders a table as "| a | b |" rows: a layout table's body cell came out as one line holding all
    the report's paragraphs, after header rows of toolbar links. Data tables inside stay tables.
    """
    for table in list(tree.iter("table")):
        if not _is_layout_table(table):
            continue
        cells = _table_cells(table)
        parts = [el for el in table if el.tag in _TABLE_PARTS]
        rows = [row for holder in (table, *parts) for row in holder if row.tag == "tr"]
        for el in (table, *parts, *rows, *cells):
            el.tag = "div"


# A block that opens with a heading naming a list of other articles (相关新闻, 推荐阅读, 热点排行) and holds only
# linked items after it is that list, however long its teasers make it (up to RELATED_MAX_CHARS); the heading
# alone is at most this long.
RELATED_HEADING = re.compile(
    with_traditional(
        r"(?:相关|推荐|延伸|热点|热门|精彩|最新|往期|更多)(?:阅读|新闻|文章|链接|推荐|报道|资讯|图集|排行|专题|视频|稿件)|"
        r"猜你喜欢|为你推荐|大家都在看"
    )
)
RELATED_HEADING_MAX_CHARS = 12
RELATED_MAX_CHARS = 3000
RELATED_CHARS_PER_LINK = 300  # a teaser is shorter than this; a report with a link or two is longer
_HEADING_DECOR = re.compile(r"[\s:：>》»+]+|更多(?=[\s:：>》»+]*$)")  # "热点排行 >>", "相关新闻 更多+"


def _is_related_list(el: etree._Element, length: int, lengths: dict[etree._Element, int]) -> bool:
    """Whether the block is a list of other articles: such a heading, then nothing but linked items.

    Every item must hold a link: a heading "最新文章" over the report itself (a layout row, a column box) is not
    a list, and the report is kept.
    """
    if not len(el) or length > RELATED_MAX_CHARS or el.tag in ("html", "body") or (el.text or "").strip():
        return False
    children = [child for child in el if isinstance(child.tag, str)]
    first, items = children[0] if children else None, children[1:]
    if first is None or not 0 < lengths.get(first, 0) <= RELATED_HEADING_MAX_CHARS or length == lengths[first]:
        return False
    if any((child.tail or "").strip() for child in children):
        return False
    linked = all(lengths.get(item, 0) == 0 or item.tag == "a" or item.find(".//a") is not None for item in items)
    anchors = sum(1 for _ in el.iter("a"))  # a list has many links; a report may hold one (its attachment)
    if not linked or anchors < 2 or length > RELATED_CHARS_PER_LINK * anchors:
        return False
    return bool(RELATED_HEADING.fullmatch(_HEADING_DECOR.sub("", first.text_content())))


def _headline_link(item: etree._Element) -> bool:
    """Whether the item holds a link whose text reads as another article's headline (not a menu word, not a file)."""
    anchors = [item] if item.tag == "a" else item.iter("a")
    for a in anchors:
        size = len(compact(a.text_content()))
        href = (a.get("href") or "").lower().split("?")[0]
        if rules.HEADLINE_MIN_CHARS <= size <= rules.HEADLINE_MAX_CHARS and not href.endswith(
            rules.ATTACHMENT_SUFFIXES
        ):
            return True
    return False


def is_story_stream(el: etree._Element, lengths: dict[etree._Element, int]) -> bool:
    """Whether the block is a stream of other stories: most children of one shape, each a short teaser led by a
    linked headline (rules.STREAM_*), and the block neither holds the article's heading or container nor sits in
    its container."""
    if el.tag not in rules.STREAM_TAGS or len(el) < rules.STREAM_MIN_ITEMS:
        return False
    children = [child for child in el if isinstance(child.tag, str)]
    shapes = Counter((child.tag, child.get("class", "")) for child in children)
    shape, count = shapes.most_common(1)[0] if shapes else (None, 0)
    if count < rules.STREAM_MIN_ITEMS or count < rules.STREAM_MIN_SHARE * len(children):
        return False
    items = [child for child in children if (child.tag, child.get("class", "")) == shape]
    teasers = sum(1 for item in items if lengths.get(item, 0) <= rules.STREAM_ITEM_MAX_CHARS and _headline_link(item))
    if teasers < rules.STREAM_TEASER_SHARE * len(items):
        return False
    return not (_HOLDS_REPORT(el) or _INSIDE_REPORT(el))


_COMMENT_TIME = re.compile(rules.COMMENT_TIME)


def comment_thread_items(el: etree._Element, lengths: dict[etree._Element, int]) -> list[etree._Element]:
    """The items of a comment or reply thread that go (rules.COMMENT_*): all, or all but a forum's first post;
    none when the block is no thread, holds the article's heading or container, or sits in its container."""
    if len(el) < rules.COMMENT_MIN_ITEMS:
        return []
    children = [child for child in el if isinstance(child.tag, str) and lengths.get(child, 0)]
    shapes = Counter((child.tag, child.get("class", "")) for child in children if child.tag in rules.COMMENT_ITEM_TAGS)
    shape, count = shapes.most_common(1)[0] if shapes else (None, 0)
    if count < rules.COMMENT_MIN_ITEMS or count < rules.STREAM_MIN_SHARE * len(children):
        return []
    items = [child for child in children if (child.tag, child.get("class", "")) == shape]
    if any(lengths.get(item, 0) > rules.COMMENT_ITEM_MAX_CHARS for item in items[1:]):
        return []
    stamped = sum(1 for item in items if _COMMENT_TIME.search(item.text_content()))
    if stamped < rules.COMMENT_STAMPED_SHARE * len(items) or _HOLDS_REPORT(el) or _INSIDE_REPORT(el):
        return []
    replies = sorted(lengths.get(item, 0) for item in items[1:])
    if lengths.get(items[0], 0) >= rules.COMMENT_POST_RATIO * replies[len(replies) // 2]:
        return items[1:]
    return items


# The information-disclosure box every government article carries (索引号, 发文机关, 成文日期, 文号 …): the
# metadata reads its values from the whole page; in the text it is noise. Its vocabulary is rules.DISCLOSURE_*.
_DISCLOSURE_LABEL = re.compile(
    "("
    + with_traditional("|".join(r"\s*".join(label) for label in (*rules.BOX_LABELS, *rules.DISCLOSURE_LABELS)))
    + r")\s*(?:[:：]|$)"
)
_BOX_LABEL = re.compile(with_traditional("|".join(rules.BOX_LABELS)))


def _disclosure_labels(el: etree._Element) -> list[str]:
    """The disclosure labels opening the element's text pieces (its cells, its lines)."""
    pieces = (piece.strip() for piece in el.itertext())
    return [compact(m.group(1)) for piece in pieces if (m := _DISCLOSURE_LABEL.match(piece))]


def _disclosure_holders(tree: etree._Element) -> set[etree._Element]:
    """The elements holding a text piece that opens with a disclosure label (and their ancestors): the only ones a
    box can be; none on a page without a box's own label (one pass, instead of reading every block's text)."""
    holders: set[etree._Element] = set()
    found_box_label = False
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        for piece, holder in ((el.text, el), (el.tail, el.getparent())):
            if piece and holder is not None and (m := _DISCLOSURE_LABEL.match(piece.strip())):
                found_box_label = found_box_label or bool(_BOX_LABEL.fullmatch(compact(m.group(1))))
                if holder not in holders:
                    holders.add(holder)
                    holders.update(holder.iterancestors())
    return holders if found_box_label else set()


def _is_box_labels(labels: list[str]) -> bool:
    """Three labels or more, each once, one of them a box's own."""
    unique = len(set(labels)) == len(labels)
    return (
        len(labels) >= rules.DISCLOSURE_MIN_LABELS and unique and any(_BOX_LABEL.fullmatch(label) for label in labels)
    )


def _is_disclosure_box(el: etree._Element, length: int) -> bool:
    """Whether the element is the smallest one holding an information-disclosure box: its labels make a box, its
    text holds no sentence, it is outside the report's own container and does not hold it, and no child is a
    box by itself."""
    if el.tag not in rules.DISCLOSURE_TAGS or not 0 < length <= rules.DISCLOSURE_MAX_CHARS:
        return False
    if _PROSE.search(el.text_content()) or not _is_box_labels(_disclosure_labels(el)):
        return False
    if _INSIDE_REPORT(el) or _HOLDS_REPORT(el):
        return False
    return not any(child.tag in rules.DISCLOSURE_TAGS and _is_box_labels(_disclosure_labels(child)) for child in el)


def prune(tree: etree._Element) -> etree._Element:
    """A copy of the tree without scripts, portal furniture, disclosure boxes, lists of other articles, story
    streams and comment threads (top-down: a dropped element takes its children), its <br>-written runs and text
    <div>s made <p>s."""
    tree = prune_scripts(tree)
    unwrap_layout_tables(tree)
    lengths = _compact_lengths(tree)
    boxes = _disclosure_holders(tree)
    # (element, whether its text may hold boilerplate): once a short element's text has none, neither has any
    # descendant's (their text is part of it), so the pattern is not searched again below it.
    stack: list[tuple[etree._Element, bool]] = [(tree, True)]
    doomed = []
    while stack:
        el, search = stack.pop()
        length = lengths.get(el, 0)
        verdict = _furniture(el, length, search) if el is not tree else False
        if verdict or (
            el is not tree
            and (
                _is_related_list(el, length, lengths)
                or (el in boxes and _is_disclosure_box(el, length))
                or is_story_stream(el, lengths)
            )
        ):
            doomed.append(el)
            continue
        thread = set(comment_thread_items(el, lengths)) if el is not tree else set()
        doomed.extend(thread)  # its items, not the block: a heading or a forum's first post beside them stays
        searched = search and verdict is False and length <= BOILERPLATE_MAX_CHARS and el.tag not in ("html", "body")
        stack.extend(
            (child, search and not searched) for child in el if isinstance(child.tag, str) and child not in thread
        )
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    br_runs_as_paragraphs(tree)
    text_divs_as_paragraphs(tree)
    return tree


def _loose_chars(el: etree._Element) -> int:
    """Characters of the element's own text runs: its text, its inline children's, every child's tail."""
    size = _compact_len(el.text)
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _BLOCK_TAGS:
            size += _text_len(child)
        size += _compact_len(child.tail)
    return size


def br_runs_as_paragraphs(tree: etree._Element) -> None:
    """Wrap each run of text between <br>s of a block into a <p>, in place (rules.BR_*).

    Old portals and procurement CMSs write a whole body as text and <span>s separated by <br>, inside a <td> or a
    <span> that also holds tables; trafilatura reads such loose text only when the page has few <p>s, and keeps the
    tables alone. A <span> holding blocks becomes the <div> it stands for.
    """
    for el in list(tree.iter(*rules.BR_HOLDERS)):
        breaks = sum(1 for child in el if child.tag == "br")
        if breaks < rules.BR_MIN_BREAKS or _loose_chars(el) < rules.BR_MIN_CHARS:
            continue
        children = list(el)
        paragraph = etree.Element("p")
        paragraph.text, el.text = el.text, None
        runs: list[etree._Element] = []
        for child in children:
            el.remove(child)
            if isinstance(child.tag, str) and (child.tag == "br" or child.tag in _BLOCK_TAGS):
                tail, child.tail = child.tail, None
                runs.append(paragraph)
                if child.tag != "br":
                    runs.append(child)
                paragraph = etree.Element("p")
                paragraph.text = tail
            else:
                paragraph.append(child)
        runs.append(paragraph)
        for run in runs:
            if run.tag != "p" or len(run) or (run.text or "").strip():
                el.append(run)
        if el.tag == "span":
            el.tag = "div"


# Block tags a <div> holding only a run of text (and inline markup) does not contain.
_INNER_BLOCK_TAGS = tuple(sorted(_BLOCK_TAGS - {"br"}))


def text_divs_as_paragraphs(tree: etree._Element) -> None:
    """Turn each <div> beside <p>s that holds only text and inline markup into a <p>, in place.

    Chinese CMSs write paragraphs, captions and signatures as <div>s beside <p>s; trafilatura's precision mode
    reads <div> text only on pages with little <p> text, so a caption or a signature line would go.
    """
    for el in list(tree.iter("div")):
        parent = el.getparent()
        if parent is None or parent.find("p") is None:  # only beside paragraphs: not a player's or a widget's
            continue
        if next(el.iterdescendants(*_INNER_BLOCK_TAGS), None) is None and "".join(el.itertext()).strip():
            el.tag = "p"


# Lines of page metadata and toolbar words that trafilatura keeps beside the body (the values are read from
# the whole page by `metadata`, not from the text).
META_LINE = re.compile(
    with_traditional(
        r"^(?:[•·]\s*)?(?:(?:发布|發布|发表|成文|印发)?(?:时间|日期)|(?:信息|文章)?来源|浏览(?:次数)?|阅读(?:次数)?|点击(?:数|量|率)?|"
        r"访问(?:次数|量)|作者|编辑|责任编辑|发布机构|索引号|字体大小)\s*[:：]|"
        r"^(?:打印|关闭|分享|收藏|返回顶部|字体大小|登录|注册|(?:pdf|word|PDF|WORD|Word)\s*下载|[【\[]?\s*[大中小]\s*[】\]]?)$|"
        r"^[•·]?\s*(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$|"
        r"^[—\-－]\s*\d{1,3}\s*[—\-－]$"  # page numbers of a pasted Word document: "— 5 —"
    )
)
# Widgets after the report (留言/评论/有用, app QR codes): a run of at least this many short lines at the end
# that are neither sentences nor the signature (issuer, date) is dropped.
TAIL_JUNK_MIN_LINES = 3
TAIL_JUNK_MAX_CHARS = 12
_SIGNATURE_LINE = re.compile(r"(?:19|20)\d{2}\s*年|[。！？；.]$|(?:政府|办事处|委员会|局|院|所|室|处|中心|街道|镇|乡)$")


def trim_tail(lines: list[str]) -> list[str]:
    """Drop the run of short widget lines after a report's last sentence or signature."""
    end = len(lines)
    while end > 0 and (
        not lines[end - 1].strip()
        or (len(lines[end - 1].strip()) <= TAIL_JUNK_MAX_CHARS and not _SIGNATURE_LINE.search(lines[end - 1].strip()))
    ):
        end -= 1
    junk = [line for line in lines[end:] if line.strip()]
    return lines[:end] if len(junk) >= TAIL_JUNK_MIN_LINES else lines


# The editor's line closes an article ("责任编辑：王某", "（责任编辑：HN666）"); what follows it at the end of the
# text is a teaser of another article, a statement or a reposting note, not the report.
_EDITOR_LINE = re.compile(with_traditional(r"^[（(【\[]?\s*(?:责任编辑|责编|编辑)\s*[:：]"))
EDITOR_TAIL_MAX_CHARS = 400
EDITOR_TAIL_MAX_SHARE = 0.25  # of the text before the editor's line
# A signature date on a line of its own after the editor's line: the tail is the report's signature block.
_DATE_LINE = re.compile(
    r"(?:(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})年[\d〇○零一二三四五六七八九十]{1,3}月[\d〇○零一二三四五六七八九十]{1,3}日"
)


def cut_after_editor(lines: list[str]) -> list[str]:
    """Drop the short run of lines after an editor's line near the end of the text."""
    for i in range(len(lines) - 1, -1, -1):
        if _EDITOR_LINE.match(lines[i].strip()):
            after = sum(len(compact(line)) for line in lines[i + 1 :])
            before = sum(len(compact(line)) for line in lines[:i])
            if any(_DATE_LINE.fullmatch(compact(line)) for line in lines[i + 1 :]):
                break  # "编辑：张三 审核：李四" above the issuer and the signature date
            if 0 < after <= min(EDITOR_TAIL_MAX_CHARS, EDITOR_TAIL_MAX_SHARE * before):
                return lines[: i + 1]
            break
    return lines


def clean_lines(text: str) -> str:
    """Drop short boilerplate and page-metadata lines that survived extraction; squeeze blank lines."""
    kept = []
    for line in cut_after_editor(text.splitlines()):
        # A one-cell table row comes out as "| 来源：… \| 发布时间：… |": judge the cell's text.
        stripped = line.replace("\\|", "|").strip(" |")
        if (
            stripped
            and len(stripped) <= BOILERPLATE_MAX_LINE
            and (BOILERPLATE.search(stripped) or META_LINE.search(stripped))
        ):
            continue
        kept.append(line.rstrip())
    kept = trim_tail(kept)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def tree_text(el: etree._Element) -> str:
    """Text of an element with block elements on their own lines and table rows as "a | b | c"."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if not isinstance(node.tag, str) or node.tag in _DROP_TAGS:
            if node.tail:
                parts.append(node.tail)
            return
        if node.tag == "tr":
            cells = [squash(c.text_content()) for c in node if c.tag in ("td", "th")]
            parts.append("\n" + " | ".join(c for c in cells if c) + "\n")
        else:
            block = node.tag in _BLOCK_TAGS
            if block:
                parts.append("\n")
            if node.text:
                parts.append(node.text)
            for child in node:
                walk(child)
            if block:
                parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(el)
    text = _BLANKS.sub(" ", "".join(parts))
    return "\n".join(line for line in (raw.strip() for raw in text.splitlines()) if line)


def _densest(tree: etree._Element) -> etree._Element | None:
    """The element with the most text directly in it or its paragraph children (not in nested layout boxes)."""
    best, best_score = None, 0
    for el in tree.iter("div", "td", "article", "section", "body"):
        score = len((el.text or "").strip())
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if child.tag in ("p", "span", "font", "strong", "b", "h2", "h3", "h4", "br", "center", "table"):
                score += _text_len(child)
            score += len((child.tail or "").strip())
        if score > best_score:
            best, best_score = el, score
    return best


def container_text(tree: etree._Element) -> str:
    """Text of the first CMS content container with substance, else of the densest block."""
    for selector in CONTENT_SELECTORS:
        try:
            found = tree.cssselect(selector)
        except Exception:  # cssselect missing or selector unsupported: try the next one
            found = []
        for el in found:
            if _text_len(el) >= MIN_CONTAINER_CHARS:
                return tree_text(el)
    densest = _densest(tree)
    return tree_text(densest) if densest is not None else ""


# A container must hold at least this much text to be taken for the article (CMSs reuse `.content` for menus).
MIN_CONTAINER_CHARS = 100


# trafilatura's precision mode (`favor_precision`), measured on zh-extraction-dev (58 real pages, bigram F1):
# 0.864 balanced → 0.880 precision, both fast; without `fast` (its readability/jusText fallbacks) 0.875 and
# 0.893, at twice the time. It drops comment threads, reply floors and appended teaser lists its balanced
# mode keeps, but on some pages it loses the body and keeps a stray box: a short precision result is taken only
# when it is at least this share of what the balanced mode finds (on the dev pages good short texts were
# 0.35–0.62 of it, lost bodies 0–0.16).
PRECISION_MIN_SHARE = 0.25


def _trafilatura(tree: etree._Element, options: Options, focus: str = "precision") -> str:
    import trafilatura

    # `tree` is a pruned copy main_text made, no one else's: trafilatura changes it, so each call gets its own.
    text = trafilatura.extract(
        copy.deepcopy(tree),
        include_tables=options.include_tables,
        include_comments=False,
        include_images=False,
        favor_precision=focus == "precision",
        favor_recall=focus == "recall",
        # No readability/jusText comparison inside trafilatura: the pruned tree rarely needs it, and when the
        # result is short `main_text` falls back to the CMS containers itself. Halves trafilatura's time.
        fast=True,
        deduplicate=False,
        output_format="txt",
        with_metadata=False,
    )
    return text or ""


def main_text(tree: etree._Element, options: Options | None = None) -> HtmlText:
    """The report text of a parsed page: trafilatura on the pruned tree, or the container fallback.

    trafilatura runs in precision mode first; a short result is checked against its balanced mode (a second run,
    on short results only), and the CMS containers are looked at only when both modes found little.
    """
    options = options or Options()
    pruned = prune(tree)
    text = clean_lines(_trafilatura(pruned, options, "recall" if options.favor_recall else "precision"))
    extractor = "trafilatura"
    if len(text) < options.min_text_chars:
        balanced = text if options.favor_recall else clean_lines(_trafilatura(pruned, options, "balanced"))
        if len(text) < PRECISION_MIN_SHARE * len(balanced):
            text = balanced
        if len(balanced) < options.min_text_chars:
            fallback = clean_lines(container_text(pruned))
            # Take the fallback only when it clearly found more: a short page is allowed to be short.
            if len(fallback) > max(len(text) * 2, options.min_text_chars):
                logger.debug("trafilatura gave %d chars, container %d: using container", len(text), len(fallback))
                text, extractor = fallback, "container"
    return HtmlText(text=text, extractor=extractor)
