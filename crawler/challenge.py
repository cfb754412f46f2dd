"""Downloader middleware: recognise anti-bot JavaScript challenges and stop the crawl of that site.

Ruishu answers 412 and Jiasule 521 with a script that a browser must run; retrying only digs the hole deeper,
so the site is recorded as blocked, with the reason, and its crawl ends (the other sites of the crawler go on).
"""

from __future__ import annotations

from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.context import count, site_of
from crawler.refused import Refused

_NAMES = {
    412: "HTTP 412 JavaScript challenge (Ruishu/瑞数)",
    521: "HTTP 521 JavaScript challenge (Jiasule/加速乐)",
}


def challenge_reason(status: int, body: bytes, codes: set[int]) -> str | None:
    """The reason to record when a response is a JavaScript challenge, else None."""
    if status in codes and b"<script" in body[:65536].lower():
        return _NAMES.get(status, f"HTTP {status} JavaScript challenge")
    return None


class ChallengeMiddleware:
    def __init__(self, crawler: Crawler, codes: set[int]) -> None:
        self.crawler = crawler
        self.codes = codes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_CHALLENGE_ENABLED"):
            raise NotConfigured("NIANBAO_CHALLENGE_ENABLED is off")
        return cls(crawler, {int(c) for c in crawler.settings.getlist("NIANBAO_CHALLENGE_CODES")})

    def process_response(self, request: Request, response: Response) -> Response:
        reason = challenge_reason(response.status, response.body, self.codes)
        if reason is None:
            return response
        count(self.crawler, request, f"challenge/{response.status}")
        run = site_of(self.crawler, request)
        if run is not None:
            run.blocked = run.blocked or f"{reason} at {response.url}"
            run.close("blocked")
        raise Refused(f"{reason}: site blocked, not retried")
