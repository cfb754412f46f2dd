"""One crawl = one site × one report year, in this process (Twisted's reactor cannot start twice).

Run as `python -m crawler.crawl --site-json '{...}' --year 2021 --store ./data`. It writes the crawl's WARC to
the store, then sends one capture message per report candidate to the Celery queue "extract", and prints a
JSON summary on its last line of stdout for the flow that started it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.spider import ReportSpider
from nianbao.records import Capture
from nianbao.sites import Site
from storage import layout
from storage.store import Store


def crawl_settings(site: Site, warc_path: str) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("NIANBAO_WARC_PATH", warc_path)
    settings.set("CLOSESPIDER_PAGECOUNT", site.max_pages)
    if site.delay is not None:
        settings.set("DOWNLOAD_DELAY", site.delay)
        settings.set("AUTOTHROTTLE_START_DELAY", max(site.delay, 0.01))
    if os.environ.get("NIANBAO_LOG_LEVEL"):
        settings.set("LOG_LEVEL", os.environ["NIANBAO_LOG_LEVEL"])
    return settings


def run_crawl(site: Site, year: int, kinds: list[str], warc_path: str, warc_key: str) -> tuple[list[Capture], dict]:
    """Crawl the site; return its captures and Scrapy's stats."""
    process = CrawlerProcess(crawl_settings(site, warc_path))
    crawler = process.create_crawler(ReportSpider)
    process.crawl(crawler, site=site, year=year, kinds=kinds, warc_key=warc_key)
    process.start()
    spider = crawler.spider
    captures = list(spider.captures) if isinstance(spider, ReportSpider) else []
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return captures, stats


def dispatch(captures: list[Capture], store_url: str, division: str) -> list[str]:
    """Send each capture to the extract queue; return the task ids the flow waits on."""
    from workers.celery import app  # the app only: the crawler never imports extraction code

    return [
        app.send_task("nianbao.extract", args=[c.to_dict(), store_url, division], queue="extract").id for c in captures
    ]


def crawl_and_dispatch(site: Site, year: int, kinds: list[str], store: Store) -> dict[str, Any]:
    started = datetime.now(UTC)
    crawl_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    warc_key = layout.warc(year, site.code, crawl_id)
    with tempfile.TemporaryDirectory(prefix="nianbao-crawl-") as tmp:
        warc_path = os.path.join(tmp, "crawl.warc.gz")
        captures, stats = run_crawl(site, year, kinds, warc_path, warc_key)
        if os.path.exists(warc_path):
            store.put_file(warc_key, warc_path)  # before any capture points into it
    task_ids = dispatch(captures, store.url, site.division) if captures else []
    return {
        "site": site.code,
        "year": year,
        "crawl_id": crawl_id,
        "warc_key": warc_key,
        "pages": int(stats.get("response_received_count", 0)),
        "captures": len(captures),
        "task_ids": task_ids,
        "blocked": stats.get("nianbao/blocked"),
        "finish_reason": stats.get("finish_reason"),
        "errors": int(stats.get("log_count/ERROR", 0)),
        "robots_forbidden": int(stats.get("robotstxt/forbidden", 0)),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--site-json", required=True, help="the Site record as JSON")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--kind", action="append", required=True)
    parser.add_argument("--store", required=True)
    args = parser.parse_args(argv)
    site = Site.model_validate_json(args.site_json)
    summary = crawl_and_dispatch(site, args.year, args.kind, Store(args.store))
    sys.stdout.write("\n" + json.dumps(summary, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
