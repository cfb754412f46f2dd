"""Main text of a decoded HTML page: trafilatura, after a government-portal pruning pass, with a fallback.

trafilatura keeps much of what government portals wrap around a report: the 【字体：大 中 小】 and share/print
bars, "扫一扫在手机打开当前页", breadcrumbs, 上一篇/下一篇, related-links blocks and the 版权所有/ICP备/网站标识码
footer. Those are dropped from the lxml tree before extraction (the smallest-enough element whose text is such
a block goes, so a footer div disappears whole), and any line of that kind that survives is dropped from the
text. When trafilatura returns too little for a page that clearly holds more, the text comes from the usual CMS
content containers (TRS `.TRS_Editor`, `#zoom`, `#UCAP-CONTENT`, …) or the densest text block. The pruning rules
are named functions (PRUNING_RULES) applied by one top-down walk; their words, patterns and numbers are in rules.py.
"""

from __future__ import annotations

import copy
import itertools
import logging
import re
from collections import Counter
from collections.abc import Callable
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


# The named containers as one XPath condition (cssselect writes each selector's; "*[cond]" → cond).
_CONTAINER = " or ".join(f"({GenericTranslator().css_to_xpath(css, prefix='')[2:-1]})" for css in rules.CMS_CONTAINERS)
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
    if compact_len > rules.BOILERPLATE_MAX_CHARS:
        return False
    attrs = f"{el.get('class', '')} {el.get('id', '')}"
    if attrs.strip() and rules.FURNITURE_ATTR.search(attrs):
        return True
    if not (search_text and compact_len > 0):
        return False
    text = el.text_content()
    if not rules.BOILERPLATE.search(text):
        return False
    # Unless it holds the report (its heading, its CMS content container: a short notice's container holds its
    # 上一篇 too), or is prose inside the report: then its parts are judged one by one.
    if _HOLDS_REPORT(el) or (rules.PROSE.search(text) and _INSIDE_REPORT(el)):
        return None
    return True


def prune_scripts(tree: etree._Element) -> etree._Element:
    """A copy of the tree without scripts, styles, form controls and comments (text a reader never sees).

    A <form> itself is unwrapped, not dropped: ASP.NET portals wrap the whole page in `<form id="form1">` and
    VSB (博达) sites the article in `<form name="_newscontent_fromname">`; trafilatura would drop it whole.
    A <center> becomes a <div>: trafilatura drops its text, and CMSs centre image captions and signatures with it.
    """
    tree = copy.deepcopy(tree)
    for el in list(tree.iter(*rules.HIDDEN_TAGS, "form", "center", etree.Comment, etree.ProcessingInstruction)):
        if el.getparent() is None:
            continue
        if el.tag == "center":
            el.tag = "div"  # trafilatura drops <center> text: image captions, centred signatures
        elif el.tag == "form":
            el.drop_tag()
        else:
            el.drop_tree()
    return tree


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
            tags = rules.LONE_CELL_BLOCKS if len(row) == 1 and not grid else rules.CELL_BLOCKS
            blocks = itertools.islice(cell.iterdescendants(*tags), rules.LAYOUT_CELL_BLOCKS)
            if sum(1 for _ in blocks) == rules.LAYOUT_CELL_BLOCKS and _text_len(cell) >= rules.LAYOUT_CELL_CHARS:
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


def _is_related_list(el: etree._Element, length: int, lengths: dict[etree._Element, int]) -> bool:
    """Whether the block is a list of other articles: such a heading, then nothing but linked items.

    Every item must hold a link: a heading "最新文章" over the report itself (a layout row, a column box) is not
    a list, and the report is kept.
    """
    if not len(el) or length > rules.RELATED_MAX_CHARS or el.tag in ("html", "body") or (el.text or "").strip():
        return False
    children = [child for child in el if isinstance(child.tag, str)]
    first, items = children[0] if children else None, children[1:]
    if first is None or not 0 < lengths.get(first, 0) <= rules.RELATED_HEADING_MAX_CHARS or length == lengths[first]:
        return False
    if any((child.tail or "").strip() for child in children):
        return False
    linked = all(lengths.get(item, 0) == 0 or item.tag == "a" or item.find(".//a") is not None for item in items)
    anchors = sum(1 for _ in el.iter("a"))  # a list has many links; a report may hold one (its attachment)
    if not linked or anchors < 2 or length > rules.RELATED_CHARS_PER_LINK * anchors:
        return False
    return bool(rules.RELATED_HEADING.fullmatch(rules.HEADING_DECOR.sub("", first.text_content())))


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
    + rules.with_traditional("|".join(r"\s*".join(label) for label in (*rules.BOX_LABELS, *rules.DISCLOSURE_LABELS)))
    + r")\s*(?:[:：]|$)"
)
_BOX_LABEL = re.compile(rules.with_traditional("|".join(rules.BOX_LABELS)))


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
    if rules.PROSE.search(el.text_content()) or not _is_box_labels(_disclosure_labels(el)):
        return False
    if _INSIDE_REPORT(el) or _HOLDS_REPORT(el):
        return False
    return not any(child.tag in rules.DISCLOSURE_TAGS and _is_box_labels(_disclosure_labels(child)) for child in el)


@dataclass
class Walk:
    """What the pruning rules know of the page beside the element they judge: every element's text length, the
    elements a disclosure box can be, and the short elements whose text holds no boilerplate (nor, then, does any
    descendant's: their text is part of it, so the furniture rule does not search it again)."""

    lengths: dict[etree._Element, int]
    boxes: set[etree._Element]
    clean: set[etree._Element]


# A pruning rule judges one element and returns what goes: the element (its children with it), some of its children
# (the element stays and the walk goes on below it), or nothing.
PruningRule = Callable[[etree._Element, Walk], list[etree._Element]]


def furniture(el: etree._Element, walk: Walk) -> list[etree._Element]:
    """Portal furniture: a short element whose class or id names it so, or whose text is boilerplate, unless it
    holds the report or is prose inside it (rules.FURNITURE_ATTR, rules.BOILERPLATE)."""
    length, search = walk.lengths.get(el, 0), el.getparent() not in walk.clean
    verdict = _furniture(el, length, search)
    if verdict is False and (not search or (length <= rules.BOILERPLATE_MAX_CHARS and el.tag not in ("html", "body"))):
        walk.clean.add(el)
    return [el] if verdict else []


def related_list(el: etree._Element, walk: Walk) -> list[etree._Element]:
    """A list of other articles under a heading that says so (rules.RELATED_*)."""
    return [el] if _is_related_list(el, walk.lengths.get(el, 0), walk.lengths) else []


def disclosure_box(el: etree._Element, walk: Walk) -> list[etree._Element]:
    """The information-disclosure box (索引号, 发文机关 …) around the article (rules.BOX_LABELS, DISCLOSURE_*)."""
    return [el] if el in walk.boxes and _is_disclosure_box(el, walk.lengths.get(el, 0)) else []


def story_stream(el: etree._Element, walk: Walk) -> list[etree._Element]:
    """A stream of other stories' teasers after the article (rules.STREAM_*)."""
    return [el] if is_story_stream(el, walk.lengths) else []


def comment_thread(el: etree._Element, walk: Walk) -> list[etree._Element]:
    """Readers' comments or a forum's replies: the items go, not the block (a heading or a forum's first post
    beside them stays; rules.COMMENT_*)."""
    return comment_thread_items(el, walk.lengths)


# What the pruning walk drops, asked in this order of every element; the first rule that drops the element ends
# its judgement (and the walk does not go below it).
PRUNING_RULES: tuple[PruningRule, ...] = (furniture, related_list, disclosure_box, story_stream, comment_thread)


def pruned_elements(tree: etree._Element) -> list[tuple[etree._Element, str]]:
    """(element, name of the rule) of everything PRUNING_RULES drop from the tree, top-down: an element dropped
    is not looked into."""
    walk = Walk(_compact_lengths(tree), _disclosure_holders(tree), set())
    stack = [child for child in tree if isinstance(child.tag, str)]
    doomed: list[tuple[etree._Element, str]] = []
    while stack:
        el = stack.pop()
        going: list[etree._Element] = []
        for rule in PRUNING_RULES:
            found = rule(el, walk)
            doomed += [(gone, rule.__name__) for gone in found]
            if el in found:
                break
            going += found
        else:
            stack.extend(child for child in el if isinstance(child.tag, str) and child not in going)
    return doomed


def prune(tree: etree._Element, hits: Counter[str] | None = None) -> etree._Element:
    """A copy of the tree without scripts and what PRUNING_RULES drop (portal furniture, lists of other articles,
    disclosure boxes, story streams, comment threads), its layout tables unwrapped, its <br>-written runs and text
    <div>s made <p>s. `hits`, when given, counts the elements each rule dropped (bench/extract_quality.py)."""
    tree = prune_scripts(tree)
    unwrap_layout_tables(tree)
    for el, rule in pruned_elements(tree):
        if hits is not None:
            hits[rule] += 1
        if el.getparent() is not None:
            el.drop_tree()
    br_runs_as_paragraphs(tree)
    text_divs_as_paragraphs(tree)
    return tree


def _loose_chars(el: etree._Element) -> int:
    """Characters of the element's own text runs: its text, its inline children's, every child's tail."""
    size = _compact_len(el.text)
    for child in el:
        if isinstance(child.tag, str) and child.tag not in rules.BLOCK_TAGS:
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
            if isinstance(child.tag, str) and (child.tag == "br" or child.tag in rules.BLOCK_TAGS):
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


def text_divs_as_paragraphs(tree: etree._Element) -> None:
    """Turn each <div> beside <p>s that holds only text and inline markup into a <p>, in place.

    Chinese CMSs write paragraphs, captions and signatures as <div>s beside <p>s; trafilatura's precision mode
    reads <div> text only on pages with little <p> text, so a caption or a signature line would go.
    """
    for el in list(tree.iter("div")):
        parent = el.getparent()
        if parent is None or parent.find("p") is None:  # only beside paragraphs: not a player's or a widget's
            continue
        if next(el.iterdescendants(*rules.INNER_BLOCK_TAGS), None) is None and "".join(el.itertext()).strip():
            el.tag = "p"


def trim_tail(lines: list[str]) -> list[str]:
    """Drop the run of short widget lines after a report's last sentence or signature."""
    end = len(lines)
    while end > 0 and (
        not lines[end - 1].strip()
        or (
            len(lines[end - 1].strip()) <= rules.TAIL_JUNK_MAX_CHARS
            and not rules.SENTENCE_OR_SIGNATURE.search(lines[end - 1].strip())
        )
    ):
        end -= 1
    junk = [line for line in lines[end:] if line.strip()]
    return lines[:end] if len(junk) >= rules.TAIL_JUNK_MIN_LINES else lines


def cut_after_editor(lines: list[str]) -> list[str]:
    """Drop the short run of lines after an editor's line near the end of the text."""
    for i in range(len(lines) - 1, -1, -1):
        if rules.EDITOR_LINE.match(lines[i].strip()):
            after = sum(len(compact(line)) for line in lines[i + 1 :])
            before = sum(len(compact(line)) for line in lines[:i])
            if any(rules.SIGNATURE_DATE_LINE.fullmatch(compact(line)) for line in lines[i + 1 :]):
                break  # "编辑：张三 审核：李四" above the issuer and the signature date
            if 0 < after <= min(rules.EDITOR_TAIL_MAX_CHARS, rules.EDITOR_TAIL_MAX_SHARE * before):
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
            and len(stripped) <= rules.BOILERPLATE_MAX_LINE
            and (rules.BOILERPLATE.search(stripped) or rules.META_LINE.search(stripped))
        ):
            continue
        kept.append(line.rstrip())
    kept = trim_tail(kept)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def tree_text(el: etree._Element) -> str:
    """Text of an element with block elements on their own lines and table rows as "a | b | c"."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if not isinstance(node.tag, str) or node.tag in rules.HIDDEN_TAGS:
            if node.tail:
                parts.append(node.tail)
            return
        if node.tag == "tr":
            cells = [squash(c.text_content()) for c in node if c.tag in ("td", "th")]
            parts.append("\n" + " | ".join(c for c in cells if c) + "\n")
        else:
            block = node.tag in rules.BLOCK_TAGS
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
    for el in tree.iter(*rules.DENSE_BLOCKS):
        score = len((el.text or "").strip())
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if child.tag in rules.DENSE_CHILDREN:
                score += _text_len(child)
            score += len((child.tail or "").strip())
        if score > best_score:
            best, best_score = el, score
    return best


def container_text(tree: etree._Element) -> str:
    """Text of the first CMS content container with substance, else of the densest block."""
    for selector in rules.CONTENT_SELECTORS:
        try:
            found = tree.cssselect(selector)
        except Exception:  # cssselect missing or selector unsupported: try the next one
            found = []
        for el in found:
            if _text_len(el) >= rules.MIN_CONTAINER_CHARS:
                return tree_text(el)
    densest = _densest(tree)
    return tree_text(densest) if densest is not None else ""


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
        if len(text) < rules.PRECISION_MIN_SHARE * len(balanced):
            text = balanced
        if len(balanced) < options.min_text_chars:
            fallback = clean_lines(container_text(pruned))
            # Take the fallback only when it clearly found more: a short page is allowed to be short.
            if len(fallback) > max(len(text) * 2, options.min_text_chars):
                logger.debug("trafilatura gave %d chars, container %d: using container", len(text), len(fallback))
                text, extractor = fallback, "container"
    return HtmlText(text=text, extractor=extractor)
