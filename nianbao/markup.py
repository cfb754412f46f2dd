"""HTML nested deeper than a parser will go: libxml2 (lxml) stops building the tree at depth 256 and drops the rest.

Real pages reach that by accident — a `<font>` or `<div>` opened in a loop and never closed, a CMS that wraps every
paragraph once more — and the report's text is then what is lost. `shallow` keeps the page's text and links and
drops the opening and closing tags of the wrappers below `limit` levels: their content moves up to the element
at the limit. Only wrappers are dropped (div, span, font … : elements that only group or style), so a link, a list
item, a paragraph or a table cell below the limit stays what it was. One pass over the tags with a regular
expression; run only when the parser said it gave up (`too_deep`), so an ordinary page costs nothing.
"""

from __future__ import annotations

import re

DEPTH_LIMIT = 200  # below libxml2's 256, with room for the html/body levels a parser adds
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)\b[^>]*?(/?)>")
# Elements that only group or style their content: below the limit, their tags go and their content stays.
_WRAPPERS = frozenset(
    "div span font section article center blockquote small big strong em b i u s strike tt main aside nav".split()
)
# Elements without a closing tag never add a level.
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


def too_deep(error_log: object) -> bool:
    """Whether lxml's parser error log says the document was cut at its depth limit."""
    return any("Excessive depth" in getattr(error, "message", "") for error in error_log or ())  # type: ignore[attr-defined]


def shallow(html: str, limit: int = DEPTH_LIMIT) -> str:
    """`html` with the tags of the wrappers nested deeper than `limit` removed (their text and children kept)."""
    depth = 0
    dropped: list[str] = []  # names of the opened tags removed, innermost last: their closing tags go too
    out: list[str] = []
    last = 0
    for match in _TAG.finditer(html):
        closing, name, selfclosing = match.group(1), match.group(2).lower(), match.group(3)
        if name in _VOID or selfclosing:
            continue
        keep = True
        if closing:
            if dropped and dropped[-1] == name:
                dropped.pop()
                keep = False
            else:
                depth = max(0, depth - 1)
        elif depth >= limit and name in _WRAPPERS:
            dropped.append(name)
            keep = False
        else:
            depth += 1
        if not keep:
            out.append(html[last : match.start()])
            last = match.end()
    out.append(html[last:])
    return "".join(out)
