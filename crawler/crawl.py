"""A crawl process: one report year of one site or of a batch of sites (Twisted's reactor cannot start twice).

Run as `python -m crawler.crawl --site-json '{...}' --year 2021 --store ./data [--force]`, or with
`--sites-file FILE` (a JSON list of sites) to crawl many sites in one process with one Scrapy crawler (Scrapy's
broad crawl: crawler.spider), up to `--hosts-in-flight` hosts at once. For each site it loads the incremental
state (`state/{site}.json`), crawls, and when the site's last request ended writes its WARC to the store, sends
one capture message per new or changed report candidate to the Celery queue "extract", marks them queued in the
state, and prints the site's summary (nianbao.records.CrawlSummary) as one JSON line of stdout for the flow that
started it. `--force` ignores the state (no conditional requests, no "unchanged"), and still
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
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any, Self

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import BaseSettings, Settings, SettingsAttribute
from scrapy.utils.reactor import install_reactor
from twisted.internet.defer import Deferred, DeferredList

from crawler import settings as default_settings
from crawler.render import render_settings
from crawler.site import SiteCrawl
from crawler.spider import ReportSpider
from nianbao.records import Capture, CrawlSummary
from nianbao.reports import load_kinds
from nianbao.sites import Site
from storage import layout
from storage.failures import record_failure
from storage.state import load_state, save_state
from storage.store import Store

RENDER_HOSTS_IN_FLIGHT = 4  # render sites crawled at once: each listing page is a Chromium page


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
    *,
    store_url: str = "",
    force: bool = False,
    overrides: dict[str, str] | None = None,
    render: tuple[Site, ...] = (),
    hosts_in_flight: int | None = None,
) -> Settings:
    """The settings of a crawler serving many sites: crawler.settings, the batch's, then `overrides` (`--set`).

    `render`: the sites whose listing pages this crawler renders (crawler.render; they get a crawler of their own).
    """
    settings = CrawlSettings()
    settings.setmodule(default_settings, priority="project")
    hosts = hosts_in_flight or int(
        os.environ.get("NIANBAO_HOSTS_IN_FLIGHT", settings.getint("NIANBAO_HOSTS_IN_FLIGHT"))
    )
    if hosts < 1:
        raise ValueError(f"NIANBAO_HOSTS_IN_FLIGHT must be at least 1, not {hosts}")
    settings.set("NIANBAO_HOSTS_IN_FLIGHT", hosts)
    settings.set("CONCURRENT_REQUESTS", 2 * hosts * settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
    settings.set("NIANBAO_CHECKPOINT_STORE", store_url)
    if force:
        settings.set("NIANBAO_CONDITIONAL_ENABLED", False)
    if render:
        settings.setdict(render_settings(render, settings.get("NIANBAO_RENDER_CHROMIUM")))
    if os.environ.get("NIANBAO_LOG_LEVEL"):
        settings.set("LOG_LEVEL", os.environ["NIANBAO_LOG_LEVEL"])
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def dispatch(captures: list[Capture], store_url: str, division: str, level: str = "") -> list[str]:
    """Send each capture to the extract queue with its site's division and level; return the task ids the flow
    waits on."""
    from workers.queue import send_extract  # the queue only: the crawler never imports extraction code

    return [send_extract(c.to_dict(), store_url, division, level).id for c in captures]


def write_captures(captures: list[Capture], path: str) -> list[str]:
    """Append the capture messages to `path` (JSON lines) instead of the queue; return their URLs as ids."""
    with open(path, "a", encoding="utf-8") as out:
        for capture in captures:
            out.write(json.dumps(capture.to_dict(), ensure_ascii=False) + "\n")
    return [c.url for c in captures]


def open_site(site: Site, year: int, kinds: list[str], store: Store, workdir: str, force: bool) -> SiteCrawl:
    """Name the site's crawl and its WARC, and load its state (the only I/O before its first request)."""
    started = datetime.now(UTC)
    crawl_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    warc_path = os.path.join(workdir, f"{site.code}-{crawl_id}.warc.gz")
    state = load_state(store, site.code)
    return SiteCrawl(site, year, set(kinds), crawl_id, layout.warc(year, site.code, crawl_id), warc_path, state, force)


def finish(
    run: SiteCrawl, store: Store, send: Callable[[list[Capture], Site], list[str]], awaiting_extraction: bool = True
) -> CrawlSummary:
    """After a site's last request: store its WARC, queue its captures, then save its state and record its fetch
    failures."""
    if run.warc is not None:
        run.warc.close()
    if run.state.dirty:  # what the crawl learnt, before dispatching: a process killed now resumes from it
        save_state(store, run.state)
    if os.path.exists(run.warc_path):
        store.put_file(run.warc_key, run.warc_path)  # before any capture points into it
        os.unlink(run.warc_path)
    task_ids = send(run.captures, run.site)
    run.state.dispatched((c.url for c in run.captures), awaiting_extraction)
    if run.state.dirty:
        save_state(store, run.state)
    site = run.site
    fetch_failed = [
        record_failure(store, capture, reason, "fetch", site.division, site.level)
        for capture, reason in run.fetch_failures
    ]
    counts = run.counts
    return CrawlSummary(
        site=run.code,
        year=run.year,
        crawl_id=run.crawl_id,
        warc_key=run.warc_key,
        host=run.site.host,
        pages=counts["pages"],
        requests=counts["requests"],
        response_bytes=counts["response_bytes"],
        captures=len(run.captures),
        task_ids=task_ids,
        dispatched=[c.to_dict() for c in run.captures] if awaiting_extraction else [],
        fetch_failed=[{"url": f.url, "reason": f.reason} for f in fetch_failed],
        blocked=run.blocked,
        error=run.error,
        finish_reason=run.finish_reason,
        robots_forbidden=counts["robots_forbidden"],
        unchanged=counts["unchanged"],
        not_modified=counts["conditional/not_modified"],
        conditional=counts["conditional/sent"],
        skipped={k.removeprefix("skipped/"): v for k, v in counts.items() if k.startswith("skipped/")},
        refused={k.removeprefix("refused/"): v for k, v in counts.items() if k.startswith("refused/")},
        statuses={
            k.removeprefix("status/"): v
            for k, v in counts.items()
            if k.startswith("status/") or k in ("timeouts", "download_errors")
        },
        throttled=sum(v for k, v in counts.items() if k.startswith("throttled/") and k[10:].isdigit()),
        refused_by_host=counts["refused_by_host"],
        force=run.force,
        seconds=round(run.seconds(), 2),
    )


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
    hosts_in_flight: int | None = None,
    on_summary: Callable[[CrawlSummary], None] | None = None,
) -> list[CrawlSummary]:
    """Crawl many sites in this process with one Scrapy crawler, and return one summary per site.

    Up to `hosts_in_flight` hosts at once (crawler.spider feeds them), the sites of one host one after the other.
    The blocking steps around a site (state load, WARC upload, dispatch, state save) run in the reactor's
    threads. A site that fails ends as a summary with `error`; the others go on. `on_summary` is called as each
    site finishes. Render sites get a crawler of their own (the browser's download handler is a crawler's).
    """
    # Captures handed to the caller's `send` (a file) are its business; those sent to Celery the flow collects.
    awaiting_extraction = send is None
    send = send or (lambda captures, site: dispatch(captures, store.url, site.division, site.level))
    settings = crawl_settings(store_url=store.url, force=force, overrides=overrides, hosts_in_flight=hosts_in_flight)
    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    from twisted.internet import reactor, threads

    # The process's settings (reactor, logging) at the lowest priority: the runner merges them into every crawler.
    process = _BatchProcess(Settings(dict(settings.items()), priority="default"))
    summaries: dict[str, CrawlSummary] = {}
    ended: list[SiteCrawl] = []  # sites whose last request ended, in order
    finishing: list[Deferred[Any]] = []
    lock = threading.Lock()  # one producer at a time on the Celery connection; one finisher per site
    claimed: set[str] = set()

    def done(summary: CrawlSummary) -> None:
        summaries[summary.site] = summary
        if on_summary:
            on_summary(summary)

    def finish_once(run: SiteCrawl) -> None:
        with lock:
            if run.code in claimed:
                return
            claimed.add(run.code)

        def locked_send(captures: list[Capture], site: Site) -> list[str]:
            with lock:
                return send(captures, site)

        try:
            summary = finish(run, store, locked_send, awaiting_extraction)
        except Exception as exc:  # the site's failure, not the batch's
            summary = CrawlSummary.failed(run.code, year, f"after the crawl: {type(exc).__name__}: {exc}")
        done(summary)

    def on_end(run: SiteCrawl) -> None:
        ended.append(run)
        finishing.append(threads.deferToThread(finish_once, run))

    def on_failed(site: Site, error: str) -> None:
        done(CrawlSummary.failed(site.code, year, error))

    with tempfile.TemporaryDirectory(prefix="nianbao-crawl-") as workdir:
        hosts = settings.getint("NIANBAO_HOSTS_IN_FLIGHT")
        groups = [
            ([s for s in sites if not s.render], settings),
            ([s for s in sites if s.render], None),
        ]
        crawls = []
        for group, group_settings in groups:
            if not group:
                continue
            if group_settings is None:  # render sites: a browser page is heavy, a few hosts at once
                group_settings = crawl_settings(
                    store_url=store.url, force=force, overrides=overrides, render=tuple(group),
                    hosts_in_flight=min(hosts, RENDER_HOSTS_IN_FLIGHT),
                )  # fmt: skip
            crawler = Crawler(ReportSpider, group_settings)
            crawls.append(
                process.crawl(
                    crawler,
                    sites=group,
                    open_site=partial(open_site, year=year, kinds=kinds, store=store, workdir=workdir, force=force),
                    on_end=on_end,
                    on_failed=on_failed,
                    hosts_in_flight=group_settings.getint("NIANBAO_HOSTS_IN_FLIGHT"),
                    memory_mb=group_settings.getfloat("NIANBAO_CRAWL_MEMORY_MB"),
                )
            )

        def stop(_: object) -> None:
            if reactor.running:  # not already stopping on a signal
                reactor.stop()  # type: ignore[misc]  # twisted.internet.reactor is typed as a module

        def after_crawls(_: object) -> Deferred[Any]:
            return DeferredList(finishing)

        DeferredList(crawls).addBoth(after_crawls).addBoth(stop)
        process.start(stop_after_crawl=False)
        # Stopped early (SIGTERM): a site whose crawl ended but whose captures were not yet queued is finished here.
        for run in ended:
            finish_once(run)
    for site in sites:
        if site.code not in summaries:
            done(CrawlSummary.failed(site.code, year, "not crawled: the crawl process was stopped before this site"))
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
) -> CrawlSummary:
    """Crawl one site, store its WARC, queue its captures (by `send`, default the Celery queue), save its state."""
    one_send = (lambda captures, _site: send(captures)) if send else None
    summary = crawl_sites([site], year, kinds, store, force=force, send=one_send, overrides=overrides)[0]
    if summary.error:
        raise RuntimeError(f"{site.code}: {summary.error}")
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
    parser.add_argument(
        "--hosts-in-flight", "--parallel", type=int, default=None,
        help="hosts crawled at once (default NIANBAO_HOSTS_IN_FLIGHT, else crawler.settings)",
    )  # fmt: skip
    parser.add_argument("--captures-out", help="write capture messages to this file (JSON lines), not the queue")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a Scrapy setting")
    args = parser.parse_args(argv)
    if unknown := sorted(set(args.kind) - set(load_kinds())):  # each kind's season and titles are in kinds.yaml
        parser.error(f"unknown report kind(s) {', '.join(unknown)}; configured: {', '.join(load_kinds())}")
    overrides = dict(item.split("=", 1) for item in args.set)
    if args.site_json:
        sites = [Site.model_validate_json(args.site_json)]
    else:
        with open(args.sites_file, encoding="utf-8") as file:
            sites = [Site.model_validate(entry) for entry in json.load(file)]
    out = args.captures_out
    send = (lambda captures, _site: write_captures(captures, out)) if out else None

    def print_summary(summary: CrawlSummary) -> None:  # one line per site, as each ends: the flow's progress
        sys.stdout.write("\n" + json.dumps(summary.to_dict(), ensure_ascii=False) + "\n")
        sys.stdout.flush()

    store = Store(args.store)
    crawl_sites(
        sites, args.year, args.kind, store, force=args.force, send=send, overrides=overrides,
        hosts_in_flight=args.hosts_in_flight, on_summary=print_summary,
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
