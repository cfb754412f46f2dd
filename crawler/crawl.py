"""A crawl process: one report year of one site or of a batch of sites (Twisted's reactor cannot start twice).

Run as `python -m crawler.crawl --site-json '{...}' --year 2021 --store ./data [--force]`, or with
`--sites-file FILE` (a JSON list of sites) to crawl many sites in one process: a process start costs seconds, a
small site's crawl milliseconds. For each site it loads the incremental state (`state/{site}.json`), crawls,
writes the crawl's WARC to the store, then sends one capture message per new or changed report candidate to the
Celery queue "extract", marks them queued in the state, and prints the site's JSON summary as one line of stdout
for the flow that started it. `--force` ignores the state (no conditional requests, no "unchanged"), and still
records what it learnt. `--captures-out FILE` appends the capture messages to FILE (JSON lines) instead of the
queue: a crawl that needs no Redis, for tests and operators. `--set NAME=VALUE` overrides one Scrapy setting, as
`scrapy crawl -s` does (the bench turns throttling off so).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import BaseSettings, Settings, SettingsAttribute
from scrapy.utils.reactor import install_reactor
from twisted.internet.defer import Deferred, DeferredList, DeferredSemaphore, inlineCallbacks

from crawler import settings as default_settings
from crawler.spider import ReportSpider
from nianbao.records import Capture
from nianbao.sites import Site, lanes
from storage import layout
from storage.failures import record_failure
from storage.state import SiteState, load_state, save_state
from storage.store import Store

_REFUSED = "nianbao/refused/"  # stats of crawler.hostile and crawler.traps


LOCAL_DOWNLOAD_TIMEOUT_S = 8  # above the replica's slow page (3 s)
SITES_IN_PARALLEL = 8  # hosts crawled at once by one crawl process (each politely: one or two requests at a time)


class CrawlSettings(Settings):
    """Scrapy settings whose copy rebuilds the containers instead of calling `copy.deepcopy`.

    Scrapy copies a crawler's settings as it builds the crawler. A deep copy of some 200 settings, with the
    component dicts as nested BaseSettings, costs a crawl process more than 1 ms a site, more than a small site's
    parsing. Settings hold immutable values, classes, and dicts, lists and BaseSettings of those: rebuilding the
    containers makes a copy as independent as the deep one.
    """

    def copy(self) -> Self:
        return _copied(self)


def _copied(value: Any) -> Any:
    """A copy of a setting's value: containers rebuilt, everything else (str, int, classes) shared."""
    if isinstance(value, BaseSettings):
        settings = object.__new__(type(value))  # not __init__: a Settings would load Scrapy's defaults again
        settings.__dict__.update(value.__dict__)  # `frozen` and whatever else the instance holds
        settings.attributes = {
            name: SettingsAttribute(_copied(attribute.value), attribute.priority)
            for name, attribute in value.attributes.items()
        }
        return settings
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list | set):
        return type(value)(_copied(item) for item in value)
    return value


def crawl_settings(
    site: Site,
    warc_path: str,
    *,
    store_url: str = "",
    force: bool = False,
    overrides: dict[str, str] | None = None,
) -> Settings:
    settings = CrawlSettings()
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


def dispatch(captures: list[Capture], store_url: str, division: str, level: str = "") -> list[str]:
    """Send each capture to the extract queue with its site's division and level; return the task ids the flow
    waits on."""
    from workers.celery import app  # the app only: the crawler never imports extraction code

    args = [store_url, division, level]
    return [app.send_task("nianbao.extract", args=[c.to_dict(), *args], queue="extract").id for c in captures]


def write_captures(captures: list[Capture], path: str) -> list[str]:
    """Append the capture messages to `path` (JSON lines) instead of the queue; return their URLs as ids."""
    with open(path, "a", encoding="utf-8") as out:
        for capture in captures:
            out.write(json.dumps(capture.to_dict(), ensure_ascii=False) + "\n")
    return [c.url for c in captures]


@dataclass
class SiteCrawl:
    """One site's crawl inside a crawl process: what it starts from, and the summary it ends with."""

    site: Site
    crawl_id: str
    warc_key: str
    warc_path: str
    state: SiteState
    started: datetime
    crawler: Crawler | None = None
    summary: dict[str, Any] | None = None


def prepare(site: Site, year: int, store: Store, workdir: str) -> SiteCrawl:
    """Name the crawl and its WARC, and load the site's state (the only I/O before the crawl)."""
    started = datetime.now(UTC)
    crawl_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    warc_path = os.path.join(workdir, f"{site.code}-{crawl_id}.warc.gz")
    return SiteCrawl(
        site, crawl_id, layout.warc(year, site.code, crawl_id), warc_path, load_state(store, site.code), started
    )


def finish(
    run: SiteCrawl,
    year: int,
    store: Store,
    send: Callable[[list[Capture], Site], list[str]],
    force: bool,
    awaiting_extraction: bool = True,
) -> dict[str, Any]:
    """After the crawl: store the WARC, queue the captures, then save the state and record the fetch failures."""
    spider = run.crawler.spider if run.crawler else None
    if not isinstance(spider, ReportSpider):
        raise RuntimeError(f"the crawl of {run.site.code} did not start its spider")
    captures, stats = list(spider.captures), run.crawler.stats.get_stats() if run.crawler and run.crawler.stats else {}
    if os.path.exists(run.warc_path):
        store.put_file(run.warc_key, run.warc_path)  # before any capture points into it
        os.unlink(run.warc_path)
    task_ids = send(captures, run.site)
    run.state.dispatched((c.url for c in captures), awaiting_extraction)
    if run.state.dirty:
        save_state(store, run.state)
    fetch_failed = [record_failure(store, capture, reason, stage="fetch") for capture, reason in spider.fetch_failures]
    return {
        "site": run.site.code,
        "year": year,
        "crawl_id": run.crawl_id,
        "warc_key": run.warc_key,
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
        "seconds": round((datetime.now(UTC) - run.started).total_seconds(), 2),
    }


def failed(site: Site, year: int, error: str) -> dict[str, Any]:
    """The summary of a site whose crawl could not run or finish: the flow shows it as the site's error."""
    return {"site": site.code, "year": year, "error": error, "captures": 0, "task_ids": [], "fetch_failed": []}


class _BatchProcess(CrawlerProcess):
    """A CrawlerProcess that remembers it was asked to stop (SIGTERM, Ctrl-C): no new site starts after that."""

    stopping = False

    def stop(self) -> Deferred[Any]:
        self.stopping = True
        return super().stop()


def crawl_sites(
    sites: list[Site],
    year: int,
    kinds: list[str],
    store: Store,
    *,
    force: bool = False,
    send: Callable[[list[Capture], Site], list[str]] | None = None,
    overrides: dict[str, str] | None = None,
    parallel: int = SITES_IN_PARALLEL,
    on_summary: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Crawl many sites in this process, one Twisted reactor for all, and return one summary per site.

    A process start (interpreter, Scrapy, Twisted) costs seconds of CPU; a site's crawl costs milliseconds. So a
    crawl process takes a batch of sites: up to `parallel` hosts at once, the sites of one host one after the
    other. Each site still has its own Scrapy crawler (its settings, robots, throttle, stats) and state; the
    blocking steps around it (state load, WARC upload, dispatch) run in the reactor's threads. A site that fails
    ends as a summary with `error`; the others go on. `on_summary` is called as each site finishes.
    """
    # Captures handed to the caller's `send` (a file) are its business; those sent to Celery the flow collects.
    awaiting_extraction = send is None
    send = send or (lambda captures, site: dispatch(captures, store.url, site.division, site.level))
    # The process's settings (reactor, logging) at the lowest priority: the runner merges them into every crawler,
    # where they must not override the crawler's own (WARC path, delays, page bounds of its site).
    shared = crawl_settings(sites[0], "", overrides=overrides)
    shared = Settings({name: value for name, value in shared.items()}, priority="default")
    install_reactor(shared["TWISTED_REACTOR"], shared["ASYNCIO_EVENT_LOOP"])
    from twisted.internet import reactor, threads

    process = _BatchProcess(shared)
    summaries: dict[str, dict[str, Any]] = {}
    runs: list[SiteCrawl] = []
    send_lock = threading.Lock()  # one producer at a time on the Celery connection

    def done(site: Site, summary: dict[str, Any]) -> None:
        summaries[site.code] = summary
        if on_summary:
            on_summary(summary)

    def finish_in_thread(run: SiteCrawl) -> None:
        def locked_send(captures: list[Capture], site: Site) -> list[str]:
            with send_lock:
                return send(captures, site)

        try:
            run.summary = finish(run, year, store, locked_send, force, awaiting_extraction)
        except Exception as exc:  # the site's failure, not the batch's
            run.summary = failed(run.site, year, f"after the crawl: {type(exc).__name__}: {exc}")
        run.crawler = None  # its spider, engine and stats: a batch keeps only the summaries
        done(run.site, run.summary)

    @inlineCallbacks
    def crawl_one(site: Site) -> Generator[Deferred[Any], Any, None]:
        try:
            run = yield threads.deferToThread(prepare, site, year, store, workdir)
        except Exception as exc:
            done(site, failed(site, year, f"state not loaded: {type(exc).__name__}: {exc}"))
            return
        runs.append(run)
        settings = crawl_settings(site, run.warc_path, store_url=store.url, force=force, overrides=overrides)
        run.crawler = Crawler(ReportSpider, settings)
        try:
            yield process.crawl(
                run.crawler, site=site, year=year, kinds=kinds, warc_key=run.warc_key, state=run.state, force=force
            )
        except Exception as exc:
            run.summary = failed(site, year, f"crawl: {type(exc).__name__}: {exc}")
            done(site, run.summary)
            return
        yield threads.deferToThread(finish_in_thread, run)

    @inlineCallbacks
    def crawl_lane(lane: list[Site]) -> Generator[Deferred[Any], Any, None]:
        for site in lane:
            if process.stopping:
                return
            yield crawl_one(site)

    def crawl_all() -> Deferred[Any]:
        semaphore = DeferredSemaphore(max(1, parallel))
        return DeferredList([semaphore.run(crawl_lane, lane) for lane in lanes(sites)])

    with tempfile.TemporaryDirectory(prefix="nianbao-crawl-") as workdir:

        def stop(_: object) -> None:
            if reactor.running:  # not already stopping on a signal
                reactor.stop()  # type: ignore[misc]  # twisted.internet.reactor is typed as a module

        reactor.callWhenRunning(lambda: crawl_all().addBoth(stop))
        process.start(stop_after_crawl=False)
        # Stopped early (SIGTERM): a site whose crawl ended but whose captures were not yet queued is finished here.
        for run in runs:
            if run.summary is None and run.crawler is not None and run.crawler.spider is not None:
                finish_in_thread(run)
    for site in sites:
        if site.code not in summaries:
            done(site, failed(site, year, "not crawled: the crawl process was stopped before this site"))
    return [summaries[site.code] for site in sites]


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
    one_send = (lambda captures, _site: send(captures)) if send else None
    summary = crawl_sites([site], year, kinds, store, force=force, send=one_send, overrides=overrides)[0]
    if summary.get("error"):
        raise RuntimeError(f"{site.code}: {summary['error']}")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sites_from = parser.add_mutually_exclusive_group(required=True)
    sites_from.add_argument("--site-json", help="one Site record as JSON")
    sites_from.add_argument("--sites-file", help="a JSON list of Site records: one crawl process for all of them")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--kind", action="append", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--force", action="store_true", help="ignore the sites' state: fetch everything again")
    parser.add_argument("--parallel", type=int, default=SITES_IN_PARALLEL, help="hosts crawled at once")
    parser.add_argument("--captures-out", help="write capture messages to this file (JSON lines), not the queue")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a Scrapy setting")
    args = parser.parse_args(argv)
    overrides = dict(item.split("=", 1) for item in args.set)
    if args.site_json:
        sites = [Site.model_validate_json(args.site_json)]
    else:
        with open(args.sites_file, encoding="utf-8") as file:
            sites = [Site.model_validate(entry) for entry in json.load(file)]
    out = args.captures_out
    send = (lambda captures, _site: write_captures(captures, out)) if out else None

    def print_summary(summary: dict[str, Any]) -> None:  # one line per site, as each ends: the flow's progress
        sys.stdout.write("\n" + json.dumps(summary, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    store = Store(args.store)
    crawl_sites(
        sites, args.year, args.kind, store, force=args.force, send=send, overrides=overrides,
        parallel=args.parallel, on_summary=print_summary,
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
