"""One crawl = one site × one report year, in this process (Twisted's reactor cannot start twice).

Run as `python -m crawler.crawl --site-json '{...}' --year 2021 --store ./data [--force]`. It loads the site's
incremental state (`state/{site}.json`), crawls, writes the crawl's WARC to the store, then sends one capture
message per new or changed report candidate to the Celery queue "extract", marks them queued in the state, and
prints a JSON summary on its last line of stdout for the flow that started it. `--force` ignores the state (no
conditional requests, no "unchanged"), and still records what it learnt. `--captures-out FILE` writes the
capture messages to FILE (JSON lines) instead of the queue: a crawl that needs no Redis, for tests and operators.
`--set NAME=VALUE` overrides one Scrapy setting, as `scrapy crawl -s` does (the bench turns throttling off so).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.spider import ReportSpider
from nianbao.records import Capture
from nianbao.sites import Site
from storage import layout
from storage.failures import record_failure
from storage.state import SiteState, load_state, save_state
from storage.store import Store

_REFUSED = "nianbao/refused/"  # stats of crawler.hostile and crawler.traps


LOCAL_DOWNLOAD_TIMEOUT_S = 8  # above the replica's slow page (3 s)


def crawl_settings(
    site: Site,
    warc_path: str,
    *,
    store_url: str = "",
    force: bool = False,
    overrides: dict[str, str] | None = None,
) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("NIANBAO_WARC_PATH", warc_path)
    settings.set("CLOSESPIDER_PAGECOUNT", site.max_pages)
    settings.set("NIANBAO_HOSTILE_ALLOW_PRIVATE", site.local)
    if site.local:  # a replica on this machine answers in milliseconds: a hang is a fault, not a slow portal
        settings.set("DOWNLOAD_TIMEOUT", LOCAL_DOWNLOAD_TIMEOUT_S)
    settings.set("NIANBAO_CHECKPOINT_STORE", store_url)
    if force:
        settings.set("NIANBAO_CONDITIONAL_ENABLED", False)
    if site.delay is not None:
        settings.set("DOWNLOAD_DELAY", site.delay)
        settings.set("AUTOTHROTTLE_START_DELAY", max(site.delay, 0.01))
    if os.environ.get("NIANBAO_LOG_LEVEL"):
        settings.set("LOG_LEVEL", os.environ["NIANBAO_LOG_LEVEL"])
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def run_crawl(
    site: Site,
    year: int,
    kinds: list[str],
    warc_path: str,
    warc_key: str,
    *,
    state: SiteState | None = None,
    store_url: str = "",
    force: bool = False,
    overrides: dict[str, str] | None = None,
) -> tuple[list[Capture], list[tuple[Capture, str]], dict]:
    """Crawl the site; return its captures, the report pages it could not fetch (with the reason), and Scrapy's stats.

    With `state`, known pages are fetched conditionally (unless `force`) and the state is updated in place; with
    `store_url` it is also checkpointed there during the crawl.
    """
    process = CrawlerProcess(crawl_settings(site, warc_path, store_url=store_url, force=force, overrides=overrides))
    crawler = process.create_crawler(ReportSpider)
    process.crawl(crawler, site=site, year=year, kinds=kinds, warc_key=warc_key, state=state, force=force)
    process.start()
    spider = crawler.spider
    if not isinstance(spider, ReportSpider):
        raise RuntimeError(f"the crawl of {site.code} did not start its spider")
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return list(spider.captures), list(spider.fetch_failures), stats


def dispatch(captures: list[Capture], store_url: str, division: str) -> list[str]:
    """Send each capture to the extract queue; return the task ids the flow waits on."""
    from workers.celery import app  # the app only: the crawler never imports extraction code

    return [
        app.send_task("nianbao.extract", args=[c.to_dict(), store_url, division], queue="extract").id for c in captures
    ]


def write_captures(captures: list[Capture], path: str) -> list[str]:
    """Write the capture messages to `path` (JSON lines) instead of the queue; return their URLs as ids."""
    with open(path, "w", encoding="utf-8") as out:
        for capture in captures:
            out.write(json.dumps(capture.to_dict(), ensure_ascii=False) + "\n")
    return [c.url for c in captures]


def crawl_and_dispatch(
    site: Site,
    year: int,
    kinds: list[str],
    store: Store,
    *,
    force: bool = False,
    send: Callable[[list[Capture]], list[str]] | None = None,
    overrides: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Crawl one site, store its WARC, queue its captures (by `send`, default the Celery queue), save its state."""
    started = datetime.now(UTC)
    crawl_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    warc_key = layout.warc(year, site.code, crawl_id)
    state = load_state(store, site.code)
    with tempfile.TemporaryDirectory(prefix="nianbao-crawl-") as tmp:
        warc_path = os.path.join(tmp, "crawl.warc.gz")
        captures, fetch_failures, stats = run_crawl(
            site, year, kinds, warc_path, warc_key, state=state, store_url=store.url, force=force, overrides=overrides
        )
        if os.path.exists(warc_path):
            store.put_file(warc_key, warc_path)  # before any capture points into it
    if send is None:
        task_ids = dispatch(captures, store.url, site.division) if captures else []
    else:
        task_ids = send(captures)
    # Only now are the captures in the queue: the next crawl may trust these entries as unchanged.
    state.dispatched(c.url for c in captures)
    if state.dirty:
        save_state(store, state)
    fetch_failed = [record_failure(store, capture, reason, stage="fetch") for capture, reason in fetch_failures]
    return {
        "site": site.code,
        "year": year,
        "crawl_id": crawl_id,
        "warc_key": warc_key,
        "pages": int(stats.get("response_received_count", 0)),
        "requests": int(stats.get("downloader/request_count", 0)),
        "response_bytes": int(stats.get("downloader/response_bytes", 0)),
        "crawl_seconds": float(stats.get("elapsed_time_seconds", 0.0)),
        "captures": len(captures),
        "task_ids": task_ids,
        "fetch_failed": [{"url": f["url"], "reason": f["reason"]} for f in fetch_failed],
        "blocked": stats.get("nianbao/blocked"),
        "finish_reason": stats.get("finish_reason"),
        "errors": int(stats.get("log_count/ERROR", 0)),
        "robots_forbidden": int(stats.get("robotstxt/forbidden", 0)),
        "unchanged": int(stats.get("nianbao/unchanged", 0)),
        "not_modified": int(stats.get("nianbao/conditional/not_modified", 0)),
        "conditional": int(stats.get("nianbao/conditional/sent", 0)),
        "refused": {k.removeprefix(_REFUSED): v for k, v in stats.items() if k.startswith(_REFUSED)},
        "force": force,
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--site-json", required=True, help="the Site record as JSON")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--kind", action="append", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--force", action="store_true", help="ignore the site's state: fetch everything again")
    parser.add_argument("--captures-out", help="write capture messages to this file (JSON lines), not the queue")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a Scrapy setting")
    args = parser.parse_args(argv)
    overrides = dict(item.split("=", 1) for item in args.set)
    site = Site.model_validate_json(args.site_json)
    out = args.captures_out
    send = (lambda captures: write_captures(captures, out)) if out else None
    summary = crawl_and_dispatch(
        site, args.year, args.kind, Store(args.store), force=args.force, send=send, overrides=overrides
    )
    sys.stdout.write("\n" + json.dumps(summary, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
