"""URL identity: when two URLs name one page, and which of them to request.

A URL becomes a key (the site's state, duplicate detection, the spider's seen details) only through
`canonical_url`: w3lib's canonical form (scheme and host lowercased, query sorted, percent-encoding normalised,
fragment dropped), after `simplified_url` has mapped a `/gate/big5/` copy to the page it copies. The URL the
spider requests, and records in a Capture, is the one the page linked (or, for a gate copy, the simplified page):
canonical forms are for comparing, not for fetching.

Portals run their pages through a Big5 gateway that serves a Traditional copy of `http://HOST/PATH` under
`http://HOST/gate/big5/HOST/PATH`; the copy is the same report, and is never captured on its own.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url

_GATE = re.compile(r"^/gate/big5/([^/?#]+)(/[^?#]*)?$", re.IGNORECASE)


def simplified_url(url: str) -> str:
    """The simplified page a `/gate/big5/HOST/PATH` copy was made from; any other URL unchanged.

    When the gateway and the copied page share their host, the gateway's scheme and port are kept (a portal on a
    non-default port names only its host in the gate path).
    """
    parts = urlsplit(url)
    m = _GATE.match(parts.path)
    if m is None:
        return url
    host = m.group(1).lower()
    netloc = parts.netloc if host == (parts.hostname or "").lower() else host
    return urlunsplit((parts.scheme, netloc, m.group(2) or "/", parts.query, parts.fragment))


# A URL is keyed again and again while its site is crawled (each page's links are de-duplicated, followed, looked up
# in the state): each is canonicalised once. Bounded: a crawl process sees many sites.
_MEMO_SIZE = 16384


def canonical_url(url: str) -> str:
    """The key of a URL: w3lib's canonical form of its simplified page."""
    # Remembered by plain strings: an attribute string from lxml's xpath holds its whole page in memory.
    return _canonical_url(str(url))


@lru_cache(maxsize=_MEMO_SIZE)
def _canonical_url(url: str) -> str:
    return canonicalize_url(simplified_url(url))
