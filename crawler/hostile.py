"""Downloader middleware: refuse requests a hostile or broken page can lure the crawler into.

- schemes other than http(s): `javascript:`, `data:`, `file:` … (links.py never turns them into requests; a
  redirect or a hand-made request still could, and Scrapy has handlers for `data:` and `file:`);
- hosts outside the spider's `allowed_domains`, above all redirects there (RedirectMiddleware builds a new request
  that passes `process_request` again, with `redirect_urls` in its meta);
- hosts that are, or resolve to, private, loopback, link-local or otherwise non-public addresses (a public portal
  that links or redirects to 127.0.0.1 or 169.254.169.254 is probing the crawler's network), unless the site is
  a local replica (NIANBAO_HOSTILE_ALLOW_PRIVATE, set from the registry's `local: true`).

Each refusal is counted (`nianbao/refused/<reason>`) and raised as IgnoreRequest naming the reason. The policies
are the plain functions `url_refusal` and `address_refusal`. Names are resolved once per host, off the reactor
thread (the event loop's getaddrinfo); the connection resolves again, so a DNS answer that changes in between
(rebinding) is not caught here: a network policy on the crawl hosts is the complete answer.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Iterable
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.context import site_of
from crawler.refused import refuse

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")


def host_allowed(host: str, allowed_domains: Iterable[str]) -> bool:
    """`host` is one of the domains or a subdomain of one (no allowed domains: every host)."""
    domains = [d.lower().strip(".") for d in allowed_domains if d]
    host = host.lower().strip(".")
    return not domains or any(host == d or host.endswith("." + d) for d in domains)


def url_refusal(url: str, *, allowed_domains: Iterable[str], redirected: bool = False) -> tuple[str, str] | None:
    """(stat name, reason) when `url` must not be requested, from the URL alone; None when it may."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        return "scheme", f"{scheme or 'no'} scheme refused: only http and https are crawled"
    host = parts.hostname or ""
    if not host:
        return "no_host", "URL without a host"
    if not host_allowed(host, allowed_domains):
        if redirected:
            return "offsite_redirect", f"redirect to {host}, off the allowed domains"
        return "offsite", f"{host} is off the allowed domains"
    return None


def non_public(address: str) -> bool:
    """Private, loopback, link-local, multicast, reserved or unspecified (IPv4-mapped IPv6 included)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def address_refusal(host: str, addresses: Iterable[str], *, allow_private: bool) -> tuple[str, str] | None:
    """(stat name, reason) when `host` resolves to a non-public address and the site is not local."""
    if allow_private:
        return None
    for address in addresses:
        if non_public(address):
            return "offsite_private", f"{host} resolves to the non-public address {address}"
    return None


def _literal(host: str) -> list[str] | None:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        return None


class HostileUrlMiddleware:
    def __init__(self, crawler: Crawler, allow_private: bool) -> None:
        self.crawler = crawler
        self.allow_private = allow_private
        self.resolved: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_HOSTILE_ENABLED"):
            raise NotConfigured("NIANBAO_HOSTILE_ENABLED is off")
        return cls(crawler, crawler.settings.getbool("NIANBAO_HOSTILE_ALLOW_PRIVATE"))

    def _refuse(self, request: Request, stat: str, reason: str) -> None:
        logger.info("Refused %s: %s", request.url, reason)
        raise refuse(self.crawler, request, stat, reason)

    async def _addresses(self, host: str) -> list[str]:
        if host not in self.resolved:
            literal = _literal(host)
            if literal is not None:
                self.resolved[host] = literal
            else:
                try:
                    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
                    self.resolved[host] = sorted({str(info[4][0]) for info in infos})
                except OSError:
                    self.resolved[host] = []  # the download fails on its own, with its own error
        return self.resolved[host]

    async def process_request(self, request: Request) -> None:
        # The request's site (its domains, and whether it is a local replica); robots.txt is its host's site's.
        run = site_of(self.crawler, request)
        allowed = run.site.allowed_domains if run else getattr(self.crawler.spider, "allowed_domains", None) or ()
        allow_private = self.allow_private or bool(run and run.site.local)
        refusal = url_refusal(request.url, allowed_domains=allowed, redirected=bool(request.meta.get("redirect_urls")))
        if refusal is None and not allow_private:
            host = urlsplit(request.url).hostname or ""
            refusal = address_refusal(host, await self._addresses(host), allow_private=False)
        if refusal is not None:
            self._refuse(request, *refusal)
