"""Discovery crawls of the whole replica over HTTP, each `python -m crawler.crawl` in its own process.

Captures go to a JSON-lines file (`--captures-out`) instead of Celery, so no Redis is needed; the WARC and the
site's state go to a local store, as in production. Three rounds on one running replica: a first crawl, a second
one that must send conditional requests and queue nothing, and a `--force` crawl that queues everything again.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from nianbao.sites import Site, parse_registry
from replica import Replica, blocked_sites, ground_truth, sites_yaml

pytestmark = pytest.mark.integration
YEAR = 2021
KINDS = ["rule_of_law", "info_disclosure"]
HOME_SITE = "gd-panyu-home"  # the panyu portal from its home page: columns discovered, the calendar linked


def replica_sites(port: int) -> list[Site]:
    sites = [s.model_copy(update={"delay": 0.0}) for s in parse_registry(sites_yaml(port))]
    panyu = next(s for s in sites if s.code == "gd-panyu")
    home = urlsplit(panyu.start_urls[0])._replace(path="/").geturl()
    sites.append(panyu.model_copy(update={"code": HOME_SITE, "start_urls": (home,), "listing_urls": ()}))
    return sites


def crawl(site: Site, store: Path, out: Path, *extra: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "crawler.crawl", "--site-json", site.model_dump_json(), "--year", str(YEAR)]
    command += [*(f"--kind={k}" for k in KINDS), "--store", str(store), "--captures-out", str(out), *extra]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-4000:]
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    summary["captured"] = [json.loads(line) for line in out.read_text("utf-8").splitlines() if line.strip()]
    return summary


def crawl_all(sites: list[Site], store: Path, name: str, *extra: str) -> dict[str, dict[str, Any]]:
    """One round: every site at once (they are separate processes, as the flow runs them)."""
    outs = store.parent / name
    outs.mkdir()
    with ThreadPoolExecutor(len(sites)) as pool:
        results = pool.map(lambda s: crawl(s, store, outs / f"{s.code}.jsonl", *extra), sites)
        return {r["site"]: r for r in results}


def requested(store: Path, summary: dict[str, Any]) -> list[str]:
    """Every URL the crawl requested, from the request records of its WARC."""
    warc = store / summary["warc_key"]
    if not warc.exists():
        return []
    with warc.open("rb") as f:
        return [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(f) if r.rec_type == "request"]


def truth_of(code: str) -> list[dict[str, Any]]:
    code = "gd-panyu" if code == HOME_SITE else code
    return [g for g in ground_truth() if g["site"] == code and g["year"] == YEAR]


@pytest.fixture(scope="module")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, dict[str, Any]], ...]]:
    store = tmp_path_factory.mktemp("crawl") / "data"
    with Replica(port=0) as replica:
        sites = replica_sites(replica.port)
        first = crawl_all(sites, store, "first")
        # The incremental rounds need only the sites with a report to ask about (2 CPUs: fewer processes).
        again = [s for s in sites if truth_of(s.code) and s.code != HOME_SITE]
        second = crawl_all(again, store, "second")
        forced = crawl_all(again, store, "forced", "--force")
        yield store, first, second, forced


def test_every_report_of_the_year_is_captured_and_nothing_else(rounds) -> None:
    _, first, _, _ = rounds
    for code, summary in first.items():
        paths = {urlsplit(c["url"]).path for c in summary["captured"]}
        truth = truth_of(code)
        wanted = {g["path"] for g in truth}
        allowed = wanted | {g["detail_path"] for g in truth}  # a PDF report's detail page is captured with it
        assert wanted <= paths, f"{code}: missed {sorted(wanted - paths)}"
        assert paths <= allowed, f"{code}: captured what is no {YEAR} report: {sorted(paths - allowed)}"
        assert summary["captures"] == len(summary["captured"])


def test_robots_disallowed_pages_are_never_requested(rounds) -> None:
    store, first, second, forced = rounds
    for summary in [*first.values(), *second.values(), *forced.values()]:
        for url in requested(store, summary):
            assert not urlsplit(url).path.startswith(("/preview/", "/search/")), url


def test_the_challenge_site_is_recorded_as_blocked(rounds) -> None:
    _, first, _, _ = rounds
    for code in blocked_sites():
        assert "412" in (first[code]["blocked"] or ""), first[code]
        assert first[code]["captures"] == 0
        assert first[code]["pages"] <= 3, "a blocked site is not retried in a loop"


def test_the_calendar_trap_is_bounded(rounds) -> None:
    store, first, _, _ = rounds
    urls = requested(store, first[HOME_SITE])
    assert len(urls) < 60, f"the home-page crawl fetched {len(urls)} pages"
    assert sum("/calendar" in u for u in urls) <= 30  # NIANBAO_TRAPS_QUERY_VARIANTS


def test_all_pagination_styles_are_followed(rounds) -> None:
    store, first, _, _ = rounds
    fetched = {
        urlsplit(u).path + ("?" + urlsplit(u).query if urlsplit(u).query else "")
        for s in first.values()
        for u in requested(store, s)
    }
    assert any(p.startswith("/fzzfjs/index_") for p in fetched), "TRS createPageHTML pages (panyu)"
    assert any(p.startswith("/fzzfjs/list_2.html") for p in fetched), "下一页 links (xiangtan)"
    assert any(p.startswith("/module/web/jpage/dataproxy.jsp?") for p in fetched), "JCMS dataproxy (changping)"
    assert any("page=2" in p for p in fetched), "?page=N parameters"


def test_a_second_crawl_is_conditional_and_queues_nothing(rounds) -> None:
    store, first, second, _ = rounds
    for code, summary in second.items():
        assert summary["captured"] == [], f"{code}: re-queued {[c['url'] for c in summary['captured']]}"
        if truth_of(code):  # a site with a report on the year asks whether it changed, and hears "no"
            assert summary["conditional"] >= 1 and summary["not_modified"] >= 1, summary
            assert summary["unchanged"] >= 1
        assert summary["pages"] <= first[code]["pages"]
    state = json.loads((store / "state" / "gd-panyu.json").read_text("utf-8"))
    assert state["version"] >= 3  # written by each round, merged under the lock
    for g in truth_of("gd-panyu"):
        entry = next(e for url, e in state["urls"].items() if urlsplit(url).path == g["path"])
        assert entry["etag"] and entry["sha256"] and entry["queued"] and YEAR in entry["years"]


def test_force_queues_everything_again(rounds) -> None:
    _, first, _, forced = rounds
    assert len(forced) == 7
    for code, summary in forced.items():
        assert sorted(c["url"] for c in summary["captured"]) == sorted(c["url"] for c in first[code]["captured"])
        assert summary["conditional"] == 0 and summary["unchanged"] == 0
