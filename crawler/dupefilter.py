"""Duplicate filter with a bounded memory: Scrapy's RFPDupeFilter keeps every fingerprint for ever.

Fingerprints live in an insertion-ordered dict capped at NIANBAO_DUPEFILTER_MAX entries; a fingerprint seen again
moves to the end, and the oldest one is evicted when the cap is reached (counted as `nianbao/dupefilter/evicted`).
An evicted URL may be fetched a second time, which costs one request; it cannot loop, because the crawl's other
bounds (pages, depth, query variants, time) still hold. 16-byte fingerprints: 200 000 of them take about 30 MB.
Scrapy's fingerprint canonicalises the URL (w3lib); a `/gate/big5/` copy is fingerprinted as the page it copies
(nianbao.urls), so a request for the copy after the page, or the page after the copy, is a duplicate. One
crawler serves many sites: a fingerprint is the site's (`meta[SITE]`), as two sites of one host (a county and
its towns) each fetch the host's home page for themselves.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from scrapy.utils.request import RequestFingerprinterProtocol

from crawler.context import SITE
from nianbao.urls import simplified_url


class BoundedFingerprints:
    """A set of at most `capacity` items that forgets the least recently seen first."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._items: OrderedDict[bytes, None] = OrderedDict()
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: bytes) -> bool:
        return item in self._items

    def add(self, item: bytes) -> bool:
        """Add `item`; return True if it was present already (and mark it recently seen)."""
        if item in self._items:
            self._items.move_to_end(item)
            return True
        self._items[item] = None
        if len(self._items) > self.capacity:
            self._items.popitem(last=False)
            self.evicted += 1
        return False


class BoundedDupeFilter(RFPDupeFilter):
    def __init__(
        self,
        capacity: int,
        *,
        stats: StatsCollector | None = None,
        debug: bool = False,
        fingerprinter: RequestFingerprinterProtocol | None = None,
    ) -> None:
        super().__init__(None, debug, fingerprinter=fingerprinter)
        self.seen = BoundedFingerprints(capacity)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_DUPEFILTER_ENABLED"):
            raise NotConfigured("NIANBAO_DUPEFILTER_ENABLED is off: set DUPEFILTER_CLASS back to Scrapy's")
        return cls(
            crawler.settings.getint("NIANBAO_DUPEFILTER_MAX"),
            stats=crawler.stats,
            debug=crawler.settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=crawler.request_fingerprinter,
        )

    def request_seen(self, request: Request) -> bool:
        before = self.seen.evicted
        simplified = simplified_url(request.url)
        if simplified != request.url:
            request = request.replace(url=simplified)
        duplicate = self.seen.add(request.meta.get(SITE, "").encode() + b"\0" + self._fingerprint(request))
        if self.stats is not None and self.seen.evicted > before:
            self.stats.inc_value("nianbao/dupefilter/evicted")
        return duplicate
