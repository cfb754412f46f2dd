"""A request the crawler refuses on purpose (hostile URL, trap bound, blocked site): counted, not a failure.

Its own IgnoreRequest subclass, so that the spider tells a refusal from a download that failed (a timeout, a
redirect loop, a size cap), which must end as a recorded failure.
"""

from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from crawler.context import count


class Refused(IgnoreRequest):
    """Raised by nianbao's middlewares for requests they will not send; the reason is the message."""


# Scrapy's RobotsTxtMiddleware refuses with a plain IgnoreRequest and this message.
ROBOTS_FORBIDDEN = "Forbidden by robots.txt"


def refuse(crawler: Any, request: Request, stat: str, reason: str) -> Refused:
    """Count a refusal (`refused/{stat}`, for the request's site and the crawler) and make its exception."""
    count(crawler, request, f"refused/{stat}")
    return Refused(f"Refused {request.url}: {reason}")
