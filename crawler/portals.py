"""What a government portal's page says about itself and about the other government portals it links to.

Plain functions over a page (text, bytes or tree) and its URL, no Scrapy and no I/O, used by the discovery spider
(`crawler.discover`) and testable on saved pages:

- `site_code`: the 网站标识码 every government portal prints in its footer (10 digits, the first six the GB/T 2260
  code of its division, for local sites; `bm` + 8 digits for central ministries), also written in the
  `SiteIDCode` meta tag and the `sitecode` of the 找错 (jiucuo) script the national monitoring platform hands out.
- `portal_name`: the portal's own name (the `SiteName` meta tag, else the `<title>`'s last segment).
- `portal_links`: the links in the page's link blocks — header/footer blocks titled 政府网站, 市县政府, 部门网站,
  友情链接 …, `<select>` dropdowns whose options hold the URLs, blocks written by a script (`document.write`,
  string concatenation, JS arrays of URLs), and every link of a 网站导航 / 网站地图 page — each judged by the rule
  tables below: a portal to follow, a ministry or the national portal, a non-government site, a service link
  (ICP record, hotline), or a directory page of the same portal that lists more portals. An article's links
  outside such blocks are not read.
"""

from __future__ import annotations

import html as htmllib
import ipaddress
import re
from copy import deepcopy
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml import etree

from crawler.links import Page, absolute_url, base_url, parse_html
from nianbao.normalise import compact

Verdict = Literal["portal", "national", "non_government", "service", "directory"]

# --- the 网站标识码 ------------------------------------------------------------------------------------------

# 10 digits for local portals (division code + 4), `bm` + 8 digits for ministries (政府网站发展指引, 国办发〔2017〕
# 47号, annex: 网站标识码 issued by the national government-website monitoring platform).
_CODE = r"(bm\d{8}|\d{10})(?!\d)"
# Where pages print or embed it, most explicit first: the footer's label, the meta tag, the 找错 script.
CODE_SOURCES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("footer", re.compile(r"(?:网站)?(?:标识|识别)码\s*(?:[:：]|&nbsp;|\s|</?[a-zA-Z][^<>]{0,80}>)*" + _CODE)),
    ("meta", re.compile(r"<meta[^>]+name=[\"']?SiteIDCode[\"']?[^>]*content=[\"']?" + _CODE, re.I)),
    ("meta", re.compile(r"<meta[^>]+content=[\"']?" + _CODE + r"[\"']?[^>]*name=[\"']?SiteIDCode", re.I)),
    ("jiucuo", re.compile(r"sitecode\s*=\s*[\"']?" + _CODE, re.I)),
    ("jiucuo", re.compile(r"Link\(\s*\\?[\"']" + _CODE)),
    ("jiucuo", re.compile(r"site_code=" + _CODE)),
)


@dataclass(frozen=True)
class SiteCode:
    """A 网站标识码 as read from a page: the code, where it was read, and any other code the page also carries."""

    code: str
    source: str
    others: tuple[str, ...] = ()

    @property
    def division(self) -> str | None:
        """The GB/T 2260 code in a local portal's code ("4401000004" → "440100"); None for a ministry's."""
        return None if self.code.startswith("bm") else self.code[:6]

    @property
    def ministry(self) -> bool:
        return self.code.startswith("bm")


def _text_of(html: Page) -> str:
    if isinstance(html, bytes):
        from crawler.links import decode_html

        return decode_html(html)
    if isinstance(html, str):
        return html
    if html is None:
        return ""
    return etree.tostring(html, encoding="unicode")


def site_code(html: Page) -> SiteCode | None:
    """The page's 网站标识码, or None when it prints none. The footer's label wins over the meta tag and the
    script attributes; a page embedding another portal's code too (a shared footer) keeps it in `others`."""
    text = _text_of(html)
    found: list[tuple[str, str]] = []
    for source, pattern in CODE_SOURCES:
        found += [(m.group(1), source) for m in pattern.finditer(text)]
    if not found:
        return None
    code, source = found[0]
    others = tuple(dict.fromkeys(c for c, _ in found if c != code))
    return SiteCode(code, source, others)


# --- the portal's name -------------------------------------------------------------------------------------

_TITLE_SPLIT = re.compile(r"\s*(?:[-_|—–·]+|&gt;)\s*")
_NAME_FOOTER = re.compile(r"主办(?:单位)?\s*[:：]\s*([\u4e00-\u9fff（）()]{2,30})")


def portal_name(html: Page) -> str:
    """The portal's name: its `SiteName` meta tag, else the last segment of its `<title>` ("首页-X市人民政府"),
    else the footer's 主办 unit; "" when the page names nothing."""
    doc = parse_html(html)
    if doc is None:
        return ""
    for meta in doc.iter("meta"):
        if (meta.get("name") or "").lower() == "sitename" and compact(meta.get("content")):
            return compact(meta.get("content"))
    titles = doc.xpath("//title")
    if titles:
        parts = [p for p in _TITLE_SPLIT.split(compact(titles[0].text_content())) if p]
        if parts:
            return parts[-1]
    m = _NAME_FOOTER.search(doc.text_content())
    return m.group(1) if m else ""


# --- link blocks -------------------------------------------------------------------------------------------

# A block's title names what its links are: other governments' or departments' sites. Short texts only.
BLOCK_TITLES = re.compile(
    r"(网站|网站群|政府网|链接|网站导航|政府|机构|部门|单位|部委|委|市州|县区|区县|市县|县市区|区市)[)）]?(导航区)?$|"
    r"[市县区州旗][)）]$|"
    r"^(各|市县|县区|区县|区市|市州|省直|市直|县直|区直|乡镇|街道|镇街)"
)
# A block of news sites says so in its title: its links are no governments whatever their names.
NEWS_BLOCKS = re.compile(r"媒体|新闻")
BLOCK_TITLE_MAX = 24  # characters: a heading, not a sentence about websites
BLOCK_TITLE_MIN = 4  # "友情链接", "区县政府": a bare "机构" or "导航" is a menu entry
BLOCK_TEXT_MAX = 160  # characters outside links: more is an article or a footer's prose, not a list of sites
# A navigation page of the portal itself: every link on it is read as a block link.
DIRECTORY_TITLES = re.compile(r"网站导航|网站地图|站点导航|(政府|部门|单位|机构|[市县区])网站$|网站群$")
_BLOCK_UP = 4  # levels above a title where its links may sit (title and list share a parent or grandparent)
_TITLE_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "span", "div", "button", "dt", "strong", "b", "em",
                         "label", "li", "td", "th", "a", "option"})  # fmt: skip
_JS_STRING = re.compile(r"""'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)\"""")
_TITLE_DECORATION = "-—=·*:：【】[]<>《》|>＞ "
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff（）()·]{2,30}$")

# --- the rule tables ---------------------------------------------------------------------------------------

# Hosts that every portal's footer links to and that are no portal: the ICP record, the police record, the
# 党政机关 label, the national 找错 platform, the reporting centres.
SERVICE_HOSTS = (
    *("beian.miit.gov.cn", "beian.gov.cn", "www.beian.gov.cn", "bszs.conac.cn", "dcs.conac.cn", "zfwzgl.www.gov.cn"),
    *("www.12377.cn", "12377.cn", "www.cyberpolice.cn", "pucha.kaipuyun.cn"),
)
# The central government's portal and ministries' hosts are judged by name; this host is the national portal.
NATIONAL_HOSTS = ("www.gov.cn", "gov.cn", "english.www.gov.cn")
# Government websites use .gov.cn domains (政府网站发展指引, 国办发〔2017〕47号, 域名: "政府网站应使用以.gov.cn为后缀
# 的英文域名"); .gov.hk and .gov.mo are other systems. A host given as an address is judged by its name alone.
GOVERNMENT_SUFFIX = ".gov.cn"
# Link texts (or titles) that name something other than a government or a government department, with why.
NEWS = r"人民网|新华网|央视|新闻网|日报|晚报|报社|电视台|广播电台|融媒|传媒|新闻中心|网易|新浪|腾讯|搜狐"
NOT_EXECUTIVE = (
    r"人大|政协|法院|检察院|纪委|纪律检查|监委|监察委|党委|[省市县区]委(?!员会)|组织部|宣传部|统战部|政法委|党校|"
    r"工会|团[省市县区]委|共青团|妇联|残联|文联|侨联|科协|红十字|工商联|社科院|社会科学院|科学院|工程院|"
    r"民建|民盟|民进|农工党|致公党|九三学社|台盟|民革|学院|大学|学校"
)
NON_GOVERNMENT_NAMES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"12345|热线|便民服务"), "a hotline or service line, not a portal"),
    (re.compile(NEWS), "a news site"),
    (re.compile(NOT_EXECUTIVE), "not the executive: party, legislature, court, mass organisation or school"),
    (re.compile(r"^(香港|澳门|台湾)"), "outside the mainland's GB/T 2260 governments"),
)
# Names of the national government and its ministries (国务院组成部门, 直属机构, 国家局) when a block lists them.
NATIONAL_NAMES = re.compile(
    r"^(中国政府网|中华人民共和国|国务院|国家|中国)|^[\u4e00-\u9fff]{1,8}部$|^[\u4e00-\u9fff]{1,4}署$|总局$|"
    r"^(外交|国防|教育|公安|民政|司法|财政|商务|审计)部|人民银行"
)
NATIONAL_BLOCKS = re.compile(r"国务院|部委|国家|中央")


@dataclass
class PortalLink:
    """A link found in a link block, with its verdict and the reason for it."""

    url: str
    text: str
    block: str  # the block's title ("区县政府网站"), or "" on a directory page
    via: Literal["anchor", "select", "script"]
    verdict: Verdict
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=4096)
def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def judge(url: str, text: str, block: str, page_url: str) -> tuple[Verdict, str]:
    """The verdict on one block link and its reason, from the rule tables (no fetch)."""
    host, page_host = _host(url), _host(page_url)
    if host in SERVICE_HOSTS or any(host.endswith("." + h) for h in SERVICE_HOSTS):
        return "service", f"{host} is a record or monitoring service"
    if host == page_host:
        if DIRECTORY_TITLES.search(text):
            if NATIONAL_BLOCKS.search(text):
                return "national", "this portal's list of national websites"
            return "directory", "a page of this portal that lists websites"
        return "service", "a page of this portal"
    if NEWS_BLOCKS.search(block):
        return "non_government", f"listed under {block}"
    for pattern, reason in NON_GOVERNMENT_NAMES:
        if pattern.search(text):
            return "non_government", reason
    if host in NATIONAL_HOSTS:
        return "national", "the central government's portal"
    if not _is_address(host) and not host.endswith(GOVERNMENT_SUFFIX):
        return "non_government", f"{host} is not a .gov.cn domain"
    if NATIONAL_NAMES.search(text) or (NATIONAL_BLOCKS.search(block) and not _looks_local(text)):
        return "national", "the national government or a ministry"
    return "portal", ""


def _looks_local(text: str) -> bool:
    return bool(re.search(r"[省市县区旗州盟]|人民政府", text)) and not NATIONAL_NAMES.search(text)


def _title_text(el: Any) -> str:
    """An element's own heading text: short, its text without its links' texts (a block's title, not its list)."""
    if el.tag not in _TITLE_TAGS or not isinstance(el.tag, str):
        return ""
    if (
        el.tag == "a"
        and re.match(r"(https?:)?//|/|\w", (el.get("href") or "").strip())
        and not ((el.get("href") or "").strip().lower().startswith("javascript"))
    ):
        return ""  # a link is an entry of a block, not its title
    text = compact(
        "".join(el.xpath("text()"))
        + "".join(c.text_content() for c in el if c.tag in ("span", "b", "strong", "em", "i"))
    )
    if not text:
        text = compact(el.get("aria-label") or "")
    if el.tag == "option" and el.get("value", "").startswith(("http", "//")):
        return ""
    text = text.strip(_TITLE_DECORATION)  # "--市县政府网站--", "【友情链接】", "市县政府："
    return text if BLOCK_TITLE_MIN <= len(text) <= BLOCK_TITLE_MAX and BLOCK_TITLES.search(text) else ""


def _labelled(el: Any) -> str:
    """A block element labelled by its attributes (`aria-label="您已进入友情链接导航区"`, `title=…`)."""
    if el.tag == "a":
        return ""
    for attr in ("aria-label", "wzades"):
        value = compact(el.get(attr) or "")
        value = re.sub(r"^您已进入|[，,].*$", "", value)
        if value and BLOCK_TITLES.search(value) and len(value) <= BLOCK_TITLE_MAX:
            return value
    return ""


def _script_html(script: str) -> str:
    """The links a script writes: the HTML its string literals spell (`document.write(unescape("%3C…"))`,
    concatenated strings), and a JS array of names and URLs (`{name: "X区", url: "http://…"}`) as anchors."""
    strings = [m.group(1) if m.group(1) is not None else m.group(2) for m in _JS_STRING.finditer(script)]
    pieces = []
    for s in strings:
        s = re.sub(r"\\(.)", r"\1", s)
        pieces.append(unquote(s) if "%3C" in s or "%3c" in s else s)
    written = "".join(pieces)
    html = written if re.search(r"<a\s[^>]*href=[\"']?(https?:)?//", written, re.I) else ""
    for i, s in enumerate(strings):
        if re.match(r"https?://", s):
            names = [n for n in strings[max(0, i - 1) : i + 2] if _CJK_NAME.match(n)]
            if names:
                html += f'<a href="{htmllib.escape(s)}">{htmllib.escape(names[0])}</a>'
    return html


def _expand_scripts(doc: Any) -> None:
    """Replace every script that writes links with the elements it writes, in place, so that their block titles
    (in the script or around it) label them as on a rendered page."""
    for script in list(doc.iter("script")):
        code = script.text or ""
        if "http" not in code and "%3C" not in code and "<a" not in code:
            continue
        written = _script_html(code)
        if not written:
            continue
        try:
            fragments = lxml.html.fragments_fromstring(written)
        except (etree.ParserError, ValueError):
            continue
        parent = script.getparent()
        if parent is None:
            continue
        holder = lxml.html.Element("div", {"data-written-by": "script"})
        for frag in fragments:
            if isinstance(frag, str):
                holder.text = (holder.text or "") + frag
            else:
                holder.append(frag)
        for a in holder.iter("a", "option"):
            a.set("data-written-by", "script")
        holder.tail = script.tail
        parent.replace(script, holder)


def _targets(el: Any, base: str) -> dict[Any, tuple[str, str, Any]]:
    """Every anchor and URL-valued option under `el`, in page order: element → (url, text, via)."""
    out: dict[Any, tuple[str, str, Any]] = {}
    for a in el.iter("a", "option"):
        href = a.get("href") if a.tag == "a" else a.get("value")
        url = absolute_url(href, base) if href and (a.tag == "a" or re.match(r"(https?:)?//", href)) else None
        if url is None:
            continue
        text = compact(a.text_content()) or compact(a.get("title") or "")
        via = "select" if a.tag == "option" else "script" if a.get("data-written-by") else "anchor"
        out[a] = (url, text, via)
    return out


def _blocks(doc: Any) -> list[tuple[int, Any, str]]:
    """(depth, element, title) of every link block: the element holding a title and, beside it, links."""
    blocks: list[tuple[int, Any, str]] = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        label = _labelled(el)
        if label and _has_targets(el):
            blocks.append((_depth(el), el, label))
        if el.tag == "select":  # a dropdown of sites is a block even without a title: its first option names it
            first = next((o for o in el.iter("option") if not _is_url(o.get("value") or "")), None)
            title = compact(first.text_content()).strip(_TITLE_DECORATION) if first is not None else ""
            if sum(1 for o in el.iter("option") if _is_url(o.get("value") or "")) >= 2:
                blocks.append((_depth(el), el, title))
        title = _title_text(el)
        if not title:
            continue
        holder = el
        for _ in range(_BLOCK_UP):
            holder = holder.getparent()
            if holder is None:
                break
            if _has_targets(holder, besides=el):
                blocks.append((_depth(holder), holder, title))
                break
    return blocks


def _is_url(value: str) -> bool:
    return bool(re.match(r"\s*(https?:)?//", value))


def _loose_length(el: Any, budget: int = BLOCK_TEXT_MAX) -> int:
    """How many characters of `el`'s text lie outside its links and options (its title included); counting stops
    past `budget`."""
    total = len(compact(el.text)) if el.tag not in ("script", "style") else 0
    for child in el:
        if total > budget:
            break
        if isinstance(child.tag, str) and child.tag not in ("a", "option", "script", "style"):
            total += _loose_length(child, budget - total)
        total += len(compact(child.tail))
    return total


def _depth(el: Any) -> int:
    return sum(1 for _ in el.iterancestors())


def _has_targets(el: Any, besides: Any = None) -> bool:
    """Whether `el` holds links (besides its title) and little else: a list of links, not an article."""
    if _loose_length(el) > BLOCK_TEXT_MAX:
        return False
    for a in el.iter("a", "option"):
        if besides is not None and (a is besides or besides in a.iterancestors()):
            continue
        href = a.get("href") if a.tag == "a" else a.get("value")
        if href and re.match(r"(https?:)?//|/", href):
            return True
    return False


def portal_links(html: Page, url: str, *, directory: bool = False) -> list[PortalLink]:
    """The links in the page's link blocks, each judged; one per URL, in page order.

    `directory`: the page is a 网站导航 / 网站地图 page, whose every link is a block link (its own header and
    footer too: they are judged like the rest).
    """
    doc = _expanded(html)
    if doc is None:
        return []
    targets = _targets(doc, base_url(doc, url))
    label: dict[str, tuple[str, str, Any]] = {}
    # The innermost block names a link: "区县政府网站" inside "网站导航".
    for _, block, title in sorted(_blocks(doc), key=lambda b: -b[0]):
        for a in block.iter("a", "option"):
            if a in targets:
                target, text, via = targets[a]
                label.setdefault(target, (title, text, via))
    order: dict[str, int] = {}
    for i, (target, _, _) in enumerate(targets.values()):
        order.setdefault(target, i)
    if directory:
        for target, text, via in targets.values():
            label.setdefault(target, ("", text, via))
    out: list[PortalLink] = []
    for target, (title, text, via) in sorted(label.items(), key=lambda item: order.get(item[0], 0)):
        verdict, reason = judge(target, text, title, url)
        out.append(PortalLink(target, text, title, via, verdict, reason))
    return out


NAVIGATION_NAMES = re.compile(r"^(网站导航|网站地图|站点地图|站点导航|网站群导航|政府网站导航)$")


def navigation_pages(html: Page, url: str) -> list[str]:
    """This portal's own 网站导航 / 网站地图 pages linked from the page (any link, header or footer)."""
    doc = _expanded(html)
    if doc is None:
        return []
    host = urlsplit(url).hostname
    out: list[str] = []
    for target, text, _ in _targets(doc, base_url(doc, url)).values():
        if NAVIGATION_NAMES.match(text) and urlsplit(target).hostname == host and target not in out:
            out.append(target)
    return out


def _expanded(html: Page) -> Any:
    """The page's tree with the links its scripts write in place of the scripts; a copy when given a tree (the
    caller's tree serves other readers)."""
    doc = parse_html(html)
    if doc is None:
        return None
    if not isinstance(html, str | bytes):
        doc = deepcopy(doc)
    _expand_scripts(doc)
    return doc
