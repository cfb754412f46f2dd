"""Title, publication date, issuer, report kind and year of a report page.

Each field is found by an ordered tuple of small named finders (TITLE_FINDERS, PUBLISHED_FINDERS, ISSUER_FINDERS)
applied by one engine, `first_found`: the first finder that finds a value gives the field, and the Metadata
names it (`title_by`, `published_by`, `issuer_by`). The finders read one `Page`; their words, patterns and tuned
numbers are data in `rules.py`.

Government pages carry a clock in their header ("今天是2024年5月6日 星期一") that is not a publication date, and
their `<title>` ends with the site's name ("_常平镇人民政府", " - 番禺区"). Dates come from a printed publication
label, metadata tags, other labelled dates ("日期：", "成文日期："), the signature date that closes a report, a
date the CMS wrote into the URL, an unlabelled date printed under the title or a Taiwanese (ROC-year) date in
the page header, and only then from htmldate's general heuristics; any date written next to 今天/今日/星期 is
ignored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from lxml import etree

from nianbao.dates import (
    DATE,
    arabic_dates,
    gregorian,
    is_clock,
    is_today,
    iso_date,
    parse_any_date,
    parse_date,
    roc_date,
    url_date,
)
from nianbao.normalise import compact, is_cjk, squash
from nianbao.reports import classify_title, find_year
from workers.extract import rules

logger = logging.getLogger(__name__)


@dataclass
class Metadata:
    """What a page says about itself, and which finder found each field (`title_by`, `published_by`,
    `issuer_by`: a finder's name, None when none found it)."""

    title: str
    published: str | None
    issuer: str | None
    report_kind: str | None
    report_year: int | None
    title_by: str | None = None
    published_by: str | None = None
    issuer_by: str | None = None


@dataclass
class Page:
    """What the finders read: the parsed page, its whole text, the extracted body, its URL and, for the date and
    issuer finders, the title found first. What several finders read (the <meta> tags, the <title>, the headings,
    the header, the labelled dates) is read once, by the first finder that asks."""

    tree: etree._Element
    page_text: str = ""
    main_text: str = ""
    url: str = ""
    title: str = ""

    @cached_property
    def metas(self) -> dict[str, str]:
        """The first non-empty content of each <meta> name (name, property, itemprop or http-equiv)."""
        found: dict[str, str] = {}
        for el in self.tree.iter("meta"):
            value = (el.get("content") or "").strip()
            if not value:
                continue
            for attr in ("name", "property", "itemprop", "http-equiv"):
                key = el.get(attr)
                if key is not None and key not in found:
                    found[key] = value
        return found

    def meta(self, names: tuple[str, ...]) -> str | None:
        """The content of the first of `names` the page's <meta> tags carry."""
        return next((self.metas[name] for name in names if name in self.metas), None)

    @cached_property
    def raw_title(self) -> str:
        """The <title>'s text."""
        title_el = self.tree.find(".//title")
        return squash(title_el.text_content()) if title_el is not None else ""

    @cached_property
    def title_tag(self) -> str:
        """The <title> without the site's name (`_strip_site_suffix`)."""
        return _strip_site_suffix(self.raw_title) if self.raw_title else ""

    @cached_property
    def headings(self) -> list[tuple[str, etree._Element]]:
        """(text, element) of the <h1>–<h3> headings as long as a title may be."""
        found = [(squash(h.text_content()), h) for h in self.tree.iter(*rules.HEADING_TAGS)]
        return [(text, h) for text, h in found if rules.MIN_HEADING_CHARS <= len(text) <= rules.MAX_TITLE_CHARS]

    @cached_property
    def lines(self) -> list[str]:
        """The body's non-blank lines, stripped."""
        return [line.strip() for line in self.main_text.splitlines() if line.strip()]

    @cached_property
    def header(self) -> str | None:
        """The page's text before the body starts (`_header_text`); needs `title`."""
        return _header_text(self.page_text, self.main_text, self.title)

    @cached_property
    def labelled(self) -> tuple[int, str] | None:
        """(rank of its label, date) of the page's labelled date (`ranked_labelled_date`); needs `title`."""
        return ranked_labelled_date(self.page_text, loose_until=len(self.header) if self.header is not None else 0)

    @cached_property
    def sources(self) -> list[str]:
        """The values of the page's 来源 fields that name someone (not 本站, 原创 …), in page order."""
        values = (m.group(1).strip() for m in rules.SOURCE.finditer(self.page_text))
        return [value for value in values if value and not _is_generic_source(value)]

    @cached_property
    def source_meta(self) -> str | None:
        """A source <meta> tag, or an author tag that names an organ, when it names someone (not 本站 …)."""
        meta = self.meta(rules.META_SOURCE)
        if not meta and (author := self.meta(rules.META_AUTHOR)) and rules.ISSUER_SUFFIX.search(author):
            meta = author
        return meta if meta and not _is_generic_source(meta) and len(meta) <= rules.MAX_ISSUER_CHARS else None


Finder = Callable[[Page], str | None]


def first_found(finders: tuple[Finder, ...], page: Page) -> tuple[str | None, str | None]:
    """(value, finder's name) of the first finder, in order, that finds a value; (None, None) when none does.

    The order is the rule: a finder earlier in its tuple is trusted over every later one."""
    for finder in finders:
        if value := finder(page):
            return value, finder.__name__
    return None, None


def _strip_site_suffix(title: str) -> str:
    """'常平镇2021年法治政府建设年度报告_常平镇人民政府' → the part before the first site separator.

    When the whole <title> names a report (no explainer, plan or notice in it), its longest part that names one
    wins wherever it stands: "番禺区人民政府-关于…的报告", "首页 > 政务公开 > 政府信息公开年报 > …的报告".
    """
    if rules.REPORT_HINT.search(title) and classify_title(title)[0]:
        named = [
            p.strip() for p in rules.TITLE_PARTS.split(title) if rules.REPORT_HINT.search(p) and classify_title(p)[0]
        ]
        if named:
            return max(named, key=len)
    parts = [p for p in rules.TITLE_SEPARATORS.split(title) if p.strip()]
    if not parts:
        return title.strip()
    # The article title is normally first; a site that puts its name first leaves a short first part.
    first = parts[1] if len(parts[0]) <= rules.SITE_FIRST_MAX_CHARS and len(parts) > 1 else parts[0]
    while m := rules.TIGHT_SUFFIX.match(first):
        first = m.group(1)
    return first.strip()


def _short_text(el: etree._Element) -> str | None:
    """The element's squashed text, or None as soon as it is longer than a title could be.

    Reading the whole text of every block (`text_content()`) walks each subtree once per ancestor: quadratic.
    """
    parts, size = [], 0
    for piece in el.itertext():
        parts.append(piece)
        size += len(piece)
        if size > 4 * rules.MAX_TITLE_CHARS:  # whitespace included: a title block is indented, not that much
            return None
    return squash("".join(parts))


def _report_title_block(tree: etree._Element) -> str | None:
    """The first innermost block, outside links, whose whole text is a report's title (not a sentence naming one)."""
    for el in tree.iter(*rules.TITLE_BLOCKS):
        if next(el.iterdescendants(*rules.INNER_BLOCKS), None) is not None:  # first: lxml answers it without Python
            continue
        text = _short_text(el)
        if not (
            text and rules.MIN_TITLE_CHARS <= len(text) <= rules.MAX_TITLE_CHARS and rules.REPORT_HINT.search(text)
        ):
            continue
        if text.endswith(rules.SENTENCE_ENDS) or rules.QUOTE_OPENS in text or rules.CRUMB.search(text):
            continue  # a sentence naming a report, or a breadcrumb ending in one
        if el.find(".//a") is None and not any(a.tag == "a" for a in el.iterancestors()) and classify_title(text)[0]:
            return text
    return None


def _labels_links(el: etree._Element) -> bool:
    """Whether the element is the label of a box of links: what follows it (or its wrapper) is mostly links."""
    after = el.getnext()
    parent = el.getparent()
    if after is None and parent is not None and len(parent) == 1:
        after = parent.getnext()
    if after is None or not isinstance(after.tag, str):
        return False
    links = [len(compact(a.text_content())) for a in after.iter("a")]
    text = len(compact(after.text_content()))
    return (
        len(links) >= rules.LABEL_MIN_LINKS
        and sum(links) >= rules.LABEL_LINK_SHARE * text
        and sum(links) >= rules.LABEL_MIN_LINK_CHARS * len(links)
    )


def _named_title_block(tree: etree._Element) -> str | None:
    """The first innermost block, outside links, whose class or id calls it the title and whose text could be one."""
    for el in tree.iter(*rules.TITLE_BLOCKS):
        names = f"{el.get('class', '')} {el.get('id', '')}"
        if not rules.TITLE_NAME.search(names) or rules.NOT_TITLE_NAME.search(names):
            continue
        if next(el.iterdescendants(*rules.INNER_BLOCKS), None) is not None or el.find(".//a") is not None:
            continue
        if _labels_links(el):
            continue
        text = _short_text(el)
        if text and rules.MIN_TITLE_CHARS <= len(text) <= rules.MAX_TITLE_CHARS and not text.endswith(("。", "；")):
            if not rules.CRUMB.search(text) and not any(a.tag == "a" for a in el.iterancestors()):
                return text
    return None


def _displayed_head(title: str, raw_title: str, page_text: str) -> str:
    """The title without a space-separated suffix ("…调研工作 东区办事处") when the page shows only the part before it.

    Some sites separate the column or office they append to every <title> with a plain space, which cannot be
    split on in general (titles hold spaces): the suffix goes when the page, outside its <title>, shows the part
    before it and never the whole.
    """
    parts = title.rsplit(None, 1)
    if len(parts) != 2 or len(parts[0]) < rules.MIN_TITLE_CHARS or len(parts[1]) > rules.SITE_SUFFIX_MAX_CHARS:
        return title
    head = parts[0]
    if classify_title(title)[0] and classify_title(head) != classify_title(title):
        return title  # the suffix carries the report's kind or year ("某某区教育局 2021年度政务公开年报")
    shown_whole = page_text.count(title) > raw_title.count(title)
    shown_head = page_text.count(head) > raw_title.count(head)
    return head if shown_head and not shown_whole else title


def title_in_meta_tag(page: Page) -> str | None:
    """<meta name="ArticleTitle">: the CMS's own record of the article's title, without the site's name."""
    meta = page.meta(rules.META_ARTICLE_TITLE)
    return squash(meta) if meta else None


def heading_opening_title_tag(page: Page) -> str | None:
    """A heading that is the <title>'s first part, or opens it: a heading merely contained in <title> is often the
    site's name ("百度百科", "痞客邦")."""
    stripped = page.title_tag
    for heading, _ in page.headings:
        if stripped and (
            heading == stripped or (stripped.startswith(heading) and len(heading) >= rules.MIN_TITLE_CHARS)
        ):
            return heading
    return None


def heading_naming_report(page: Page) -> str | None:
    """A heading that names a report, even one the <title> does not repeat."""
    return next((heading for heading, _ in page.headings if classify_title(heading)[0]), None)


def _site_titled(page: Page) -> bool:
    """Whether the page has no <title> or one that is only the site's name: older CMSs title every page so and
    write the article's title in the page."""
    return not page.title_tag or bool(rules.SITE_NAME.search(page.title_tag))


def _column_titled(page: Page) -> bool:
    """Whether the <title> is a column's name ("通知公告--某某县人民政府"): short, and naming no report."""
    stripped = page.title_tag
    return not _site_titled(page) and len(stripped) <= rules.COLUMN_NAME_MAX_CHARS and not classify_title(stripped)[0]


def heading_under_site_title(page: Page) -> str | None:
    """Under a site-named <title>: the first heading that does not label a box of links ("最新动态" over a
    sidebar labels the box, not the article)."""
    if not _site_titled(page):
        return None
    return next((heading for heading, h in page.headings if not _labels_links(h)), None)


def block_naming_report(page: Page) -> str | None:
    """Under a site-named <title>, or a column-named one on a page without a heading of its own (with one, a report
    title below it is something the article names): a block whose whole text is a report's title."""
    if _column_titled(page):
        stripped, headings = page.title_tag, (h for h, _ in page.headings)
        if any(
            stripped not in h and len(h) > rules.COLUMN_NAME_MAX_CHARS and not rules.SITE_NAME.search(h)
            for h in headings
        ):
            return None
    elif not _site_titled(page):
        return None
    return _report_title_block(page.tree)


def block_named_title(page: Page) -> str | None:
    """Under a site-named <title>: a block the CMS names the title (<td class="title">, <div id="biaoti">)."""
    return _named_title_block(page.tree) if _site_titled(page) else None


def first_heading_under_site_title(page: Page) -> str | None:
    """Under a site-named <title>: its first heading, whatever it heads, before the site's name."""
    return page.headings[0][0] if _site_titled(page) and page.headings else None


def title_tag(page: Page) -> str | None:
    """The <title> without the site's name, nor a space-separated suffix the page does not show with it."""
    stripped = page.title_tag
    if not stripped:
        return None
    return _displayed_head(stripped, page.raw_title, page.page_text) if page.page_text else stripped


def title_in_og_tag(page: Page) -> str | None:
    """<meta property="og:title"> without the site's name, on a page without <title> or headings."""
    og = page.meta(rules.META_OG_TITLE)
    return _strip_site_suffix(squash(og)) if og else None


# Where a page's title is written, most trusted first (`first_found`).
TITLE_FINDERS: tuple[Finder, ...] = (
    title_in_meta_tag,
    heading_opening_title_tag,
    heading_naming_report,
    heading_under_site_title,
    block_naming_report,
    block_named_title,
    first_heading_under_site_title,
    title_tag,
    title_in_og_tag,
)


def find_title(tree: etree._Element, page_text: str = "") -> str:
    """The report title by TITLE_FINDERS; `page_text` (the page's whole text) shows where a <title> suffix
    separated by a mere space begins. "" when no finder finds one."""
    return first_found(TITLE_FINDERS, Page(tree, page_text))[0] or ""


def labelled_date(text: str, loose_until: int | None = None) -> str | None:
    """A date written after 发布时间/发布日期/日期/时间 labels, skipping header clocks (`ranked_labelled_date`)."""
    ranked = ranked_labelled_date(text, loose_until)
    return ranked[1] if ranked else None


def ranked_labelled_date(text: str, loose_until: int | None = None) -> tuple[int, str] | None:
    """(rank of its label, date) of the date written after 发布时间/发布日期/日期/时间 labels, skipping header clocks.

    A publication label wins over a bare 日期/时间, and both over 成文/印发/更新 dates: an information-disclosure
    table gives "成文日期：… 发布日期：…", and the report was published on the second. A label without a colon
    ("发布时间 2021-03-05", "发文日期 | …") counts only before `loose_until` (the page header) and only when it
    says what the date is (not a bare 日期/时间): related lists and comments write "时间 2023-01-05" too.
    """
    text = arabic_dates(text)
    best: tuple[int, str] | None = None
    first = None
    for m in rules.LABELLED_DATE.finditer(text):
        if first is not None and m.start() - first > rules.LABEL_GROUP_CHARS:
            break  # past the article's own dates: a related-articles list below has labels of its own
        rank = _label_rank(text, m)
        separator = text[m.end(1) if m.group(1) else m.start() : m.start(2)]
        if not rules.LABEL_COLON.search(separator) and (
            loose_until is None or m.start() >= loose_until or rank == rules.BARE_LABEL_RANK
        ):
            continue
        if rank > rules.PUBLICATION_LABEL_RANK and is_clock(text, m.start(), m.end()):
            continue
        if not (found := parse_any_date(m.group(2))):
            continue
        # The group of the article's own labels starts at its first label, not at a site header's "网站更新时间".
        site_words = text[max(0, m.start() - rules.SITE_LABEL_REACH) : m.start()]
        if first is None and (rank <= rules.BARE_LABEL_RANK or not rules.SITE_LABEL.search(site_words)):
            first = m.start()
        if best is None or rank < best[0]:
            best = (rank, found)
    return best


def _label_rank(text: str, m: re.Match[str]) -> int:
    """0 for a publication label, 1 for a bare 日期/时间, 2 for 成文/印发/更新, 3 for another word's date (实施日期)."""
    if m.group(1):
        return rules.LABEL_RANK[m.group(1)]
    return rules.OTHER_WORD_LABEL_RANK if m.start() > 0 and is_cjk(text[m.start() - 1]) else rules.BARE_LABEL_RANK


def signature_date(text: str) -> str | None:
    """The date that closes a report ("2021年12月30日" or "二〇二一年十二月三十日" under the issuer), from the end."""
    tail = arabic_dates(text[-rules.SIGNATURE_WINDOW :])
    found = None
    for m in rules.SIGNATURE_DATE.finditer(tail):
        # Not a date inside a sentence ("因管道维修，定于2021年3月10日全天停水"): what a short body is about.
        clause = tail[tail.rfind("\n", 0, m.start()) + 1 : m.start()]
        clause = clause[max(clause.rfind(end) for end in rules.CLAUSE_ENDS) + 1 :]
        goes_on = rules.SENTENCE_GOES_ON.match(tail, m.end())  # "本通知自2021年3月1日起施行", "2010年3月4日，全国政协…"
        if not goes_on and not rules.IN_SENTENCE.search(clause) and not is_clock(tail, m.start(), m.end()):
            found = iso_date(gregorian(m.group(1) or m.group(2)), m.group(3), m.group(4)) or found
    return found


def header_date(header: str, title: str) -> str | None:
    """The date of the byline printed right under the article's heading ("2010年03月05日08:43 来源：人民网").

    News portals (sina, people.com.cn, qq) write that line without a label; htmldate, asked for the original date,
    takes the oldest date on the page instead: often one in a related-articles list. Only a line that reads as a
    byline counts (the date first or last on a short line, or beside a time, a weekday, 来源/作者/浏览…), within a
    few lines of the heading, and not a date that bounds a period or dates a decision ("（2021年3月5日…通过）",
    "有效期…至…"). No heading in the page's text (the title on a line or two below the <title> line): no date.
    """
    lines = header.split("\n")
    below = _below_heading(lines, compact(title))
    if below is None:
        return None
    for line in lines[below : below + rules.BYLINE_LINES]:
        line = arabic_dates(line)
        for m in rules.BYLINE_DATE.finditer(line):
            year, month, day = m.group(1) or m.group(4), m.group(2) or m.group(6), m.group(3) or m.group(7)
            before, after = line[: m.start()], line[m.end() :]
            if rules.OPEN_BRACKET.search(before):  # "（2023年5月6日）" is a byline only when nothing else is inside
                closing = rules.CLOSED_AFTER.match(after)
                if closing is None:
                    continue
                before, after = rules.OPEN_BRACKET.sub("", before), after[closing.end() :]
            bounded = (
                rules.BOUNDED_BEFORE.search(before)
                or rules.BOUNDED_AFTER.match(after)
                or rules.DECIDED_AFTER.search(after)
            )
            if bounded or rules.SENTENCE_GOES_ON.match(after):
                continue
            if is_today(before, len(before)):
                continue
            opens, closes = not rules.BYLINE_LEAD.sub("", before), not rules.BYLINE_TRAIL.sub("", after)
            short = len(compact(line)) <= rules.BYLINE_MAX_CHARS
            if (opens or (closes and short) or rules.BYLINE_WORDS.search(line)) and (
                found := iso_date(year, month, day)
            ):
                return found
    return None


def _below_heading(lines: list[str], title: str) -> int | None:
    """The index of the line after the last heading that shows `title` (on one line or two), not counting the
    first line (the <title>'s)."""
    if not title:
        return None
    for i in range(len(lines) - 1, 0, -1):
        line = compact(lines[i])
        if line == title or (len(line) >= rules.MIN_HEADING_PREFIX and title.startswith(line) and i + 1 < len(lines)):
            if line == title:
                return i + 1
            if line + compact(lines[i + 1]) == title:
                return i + 2
    return None


def _header_text(page_text: str, main_text: str, title: str = "") -> str | None:
    """The page's text before the article body starts (its header: title, date, source); None when the body's
    start cannot be found in the page (a page with no paragraph, only an attachment).

    The body starts at its first paragraph that is not the title (a short body: its first line), looked for after
    the page text's first line (the <title>'s) and whatever the whitespace (an inline link may break a line).
    """
    target = compact(title)
    lines = [compact(line).replace("|", "") for line in main_text.splitlines()]
    # Not the title, nor a byline the text kept ("2010年03月05日08:43 | 来源：新华网 | 作者：…").
    lines = [line for line in lines if line and line != target and not rules.BYLINE_DATE.match(line)]
    paragraph = next((line for line in lines if len(line) > rules.HEADER_PROBE_CHARS), lines[0] if lines else "")
    if len(paragraph) < rules.MIN_PROBE_CHARS:
        return None
    probe = re.compile(r"[\s|]*".join(map(re.escape, paragraph[: rules.HEADER_PROBE_CHARS])))
    m = probe.search(page_text, page_text.find("\n") + 1)
    return page_text[: m.start()] if m else None


def date_under_publication_label(page: Page) -> str | None:
    """A date printed with the article under a publication label (发布时间：…, 发布日期：…). It comes before the
    <meta> tag because CMSs fill the tag with the day they regenerated the page, or the document's own date: the
    printed publication date is the one readers saw. (Other labels, 成文日期 and the like, yield to the tag.)"""
    return page.labelled[1] if page.labelled and page.labelled[0] == rules.PUBLICATION_LABEL_RANK else None


def date_in_meta_tag(page: Page) -> str | None:
    """A publication-date <meta> tag (PubDate, article:published_time …)."""
    meta = page.meta(rules.META_DATE)
    return parse_date(meta) if meta else None


def date_under_other_label(page: Page) -> str | None:
    """A date under any other label (日期：, 成文日期：, 更新时间：): the best ranked (`ranked_labelled_date`)."""
    return page.labelled[1] if page.labelled else None


def date_of_signature(page: Page) -> str | None:
    """The date that closes the report, under its issuer (`signature_date`)."""
    return signature_date(page.main_text)


def date_in_url(page: Page) -> str | None:
    """The date a CMS wrote into the page's URL (/202103/t20210305_…)."""
    return url_date(page.url)


def date_of_byline(page: Page) -> str | None:
    """The unlabelled date of the byline printed under the heading (`header_date`)."""
    return header_date(page.header, page.title) if page.header is not None else None


def roc_date_in_header(page: Page) -> str | None:
    """A Taiwanese (ROC-year) date in the page's header, before the body."""
    return roc_date(page.header) if page.header is not None else None


def date_by_htmldate(page: Page) -> str | None:
    """htmldate's heuristics, when the page dates itself in no way above; not a header clock it may return, nor
    1 January of a year the page names ("2021年法治政府建设年度报告") when the page never shows that day."""
    tree, url, page_text = page.tree, page.url, page.page_text
    try:
        import htmldate

        # The quick search (markup, URL, structured data) first; the extensive one (dateparser over the page's
        # text, ten times slower) only when it finds nothing.
        guess = htmldate.find_date(tree, url=url or None, original_date=True, extensive_search=False)
        if not guess:
            guess = htmldate.find_date(tree, url=url or None, original_date=True, extensive_search=True)
    except Exception as e:  # htmldate raises on odd trees; a missing date is not a failure
        logger.debug("htmldate failed: %s", e)
        return None
    if not guess:
        return None
    # htmldate may return a header clock too: refuse a date the page only shows beside 今天是/星期.
    shown = [m for m in DATE.finditer(page_text) if parse_date(m.group(0)) == str(guess)]
    if shown and all(is_clock(page_text, m.start(), m.end()) for m in shown):
        return None
    if not shown and str(guess).endswith("-01-01") and not _written_in_markup(str(guess), tree, url):
        return None
    return str(guess)


# Where a page's publication date is written, most trusted first (`first_found`). Any date written next to
# 今天/今日/星期 (a header clock) is refused by every finder.
PUBLISHED_FINDERS: tuple[Finder, ...] = (
    date_under_publication_label,
    date_in_meta_tag,
    date_under_other_label,
    date_of_signature,
    date_in_url,
    date_of_byline,
    roc_date_in_header,
    date_by_htmldate,
)


def _written_in_markup(day: str, tree: etree._Element, url: str) -> bool:
    """Whether the URL or the markup (attributes, JSON-LD) spells out `day` in digits: "2021-01/01", "20210101"."""
    year, month, dom = day.split("-")
    spelled = re.compile(rf"{year}[-/_.]?0?{int(month)}[-/_.]?0?{int(dom)}(?!\d)")
    return bool(spelled.search(url) or spelled.search(etree.tostring(tree, encoding="unicode")))


def _is_generic_source(value: str) -> bool:
    """本网, 原创 and their combinations ("本站原创", "本网原创") name no issuer."""
    return value in rules.GENERIC_SOURCES or bool(rules.GENERIC_SOURCE_WORDS.fullmatch(value))


def issuer_in_source_field(page: Page) -> str | None:
    """The page's first 来源 field that names an issuer rather than a website."""
    return next((value for value in page.sources if not rules.SITE_SOURCE.search(value)), None)


def issuer_in_meta_tag(page: Page) -> str | None:
    """A source <meta> tag (or an author tag naming an organ) that names an issuer rather than a website."""
    meta = page.source_meta
    return meta if meta and not rules.SITE_SOURCE.search(meta) else None


def issuer_of_signature(page: Page) -> str | None:
    """The signature line above the report's closing date, when it names an organ."""
    lines = page.lines
    for i in range(len(lines) - 1, max(0, len(lines) - 1 - rules.ISSUER_SEARCH_LINES), -1):
        if parse_date(lines[i]) and len(lines[i]) <= rules.ISSUER_DATE_LINE_MAX_CHARS and i > 0:
            candidate = lines[i - 1]
            if len(candidate) <= rules.MAX_ISSUER_CHARS and rules.ISSUER_SUFFIX.search(candidate):
                return candidate
    return None


def issuer_in_title(page: Page) -> str | None:
    """The organ the title starts with ("某某县司法局2021年…"); a bare division name ("常平镇2021年…") stands for
    its government, a bare 街道 for its office."""
    prefix = rules.ISSUER_IN_TITLE.match(compact(page.title))
    if prefix and rules.ISSUER_SUFFIX.search(name := prefix.group(1).removesuffix("关于")):
        if rules.BARE_SUBDISTRICT.search(name):
            return name + "办事处"
        if rules.BARE_DIVISION.search(name):
            return name + "人民政府"
        return name
    return None


def issuer_website(page: Page) -> str | None:
    """A 来源 field or source tag that names a website ("某某县人民政府门户网站"): where the page was posted, not
    who issued it, so the last resort."""
    websites = [value for value in page.sources if rules.SITE_SOURCE.search(value)]
    return websites[0] if websites else page.source_meta


# Where a page names its issuer, most trusted first (`first_found`).
ISSUER_FINDERS: tuple[Finder, ...] = (
    issuer_in_source_field,
    issuer_in_meta_tag,
    issuer_of_signature,
    issuer_in_title,
    issuer_website,
)


def report_kind_year(title: str, main_text: str, published: str | None) -> tuple[str | None, int | None]:
    """Kind from the title; year from the title, else the opening sentence, else the publication year − 1."""
    kind, year = classify_title(title)
    if year is None:
        opening = re.split(r"[。！？\n]", main_text.strip(), maxsplit=1)[0] if main_text.strip() else ""
        year = find_year(opening)
    if year is None and published:
        year = int(published[:4]) - 1
    return kind, year


def extract_metadata(tree: etree._Element, page_text: str, main_text: str, url: str = "") -> Metadata:
    """All metadata of a parsed page; `page_text` is the whole page's text, `main_text` the extracted body."""
    page = Page(tree, page_text, main_text, url)
    title, title_by = first_found(TITLE_FINDERS, page)
    page.title = title = title or ""
    published, published_by = first_found(PUBLISHED_FINDERS, page)
    issuer, issuer_by = first_found(ISSUER_FINDERS, page)
    kind, year = report_kind_year(title, main_text, published)
    return Metadata(title, published, issuer, kind, year, title_by, published_by, issuer_by)


def date_under_opening_label(page: Page) -> str | None:
    """A labelled date among the first characters of a document's text (发布日期：… above a PDF's body)."""
    return labelled_date(page.main_text[: rules.TEXT_OPENING_CHARS])


def _title_lines(lines: list[str]) -> tuple[int, int] | None:
    """(first, count) of the first lines of a text that together name a report: PDF text is hard-wrapped, so a title
    may span up to TITLE_MAX_LINES lines ("…2021 年法治政" / "府建设年度报告")."""
    for i in range(min(len(lines), rules.TEXT_TITLE_LINES)):
        for n in range(1, rules.TITLE_MAX_LINES + 1):
            joined = "".join(lines[i : i + n])
            if len(joined) <= rules.MAX_TITLE_CHARS and classify_title(joined)[0]:
                return i, n
    return None


def report_title_lines(page: Page) -> str | None:
    """Among a document's first lines, the first line or lines that name a report."""
    found = _title_lines(page.lines)
    return compact("".join(page.lines[found[0] : sum(found)])) if found else None


def first_line(page: Page) -> str | None:
    """A document's first line, when it is as short as a title."""
    return page.lines[0] if page.lines and len(page.lines[0]) <= rules.MAX_TITLE_CHARS else None


# Where a document without HTML (PDF, DOCX, OFD) writes its title and its date.
TEXT_TITLE_FINDERS: tuple[Finder, ...] = (report_title_lines, first_line)
TEXT_PUBLISHED_FINDERS: tuple[Finder, ...] = (date_under_opening_label, date_of_signature)


def text_metadata(main_text: str) -> Metadata:
    """Metadata for a document without HTML (PDF, DOCX, OFD), read from its text alone."""
    page = Page(etree.Element("html"), main_text=main_text)
    title, title_by = first_found(TEXT_TITLE_FINDERS, page)
    page.title = title = title or ""
    published, published_by = first_found(TEXT_PUBLISHED_FINDERS, page)
    issuer, issuer_by = first_found(ISSUER_FINDERS, page)
    # The year is looked for in the body's opening: the text after the title's lines (after the first line when no
    # lines name a report).
    found = _title_lines(page.lines)
    body = "\n".join(page.lines[sum(found) :] if found else page.lines[1:])
    kind, year = report_kind_year(title, body, published)
    return Metadata(title, published, issuer, kind, year, title_by, published_by, issuer_by)
