"""A batch of sites in one crawl process (`python -m crawler.crawl --sites-file`), as a harvest runs them.

Every replica site in one process: each site gets its own summary line, the same captures as a crawl of its
own, its own WARC; a site that cannot start (its state unreadable) ends as a summary with the error while the
others go on.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from nianbao.sites import parse_registry
from replica import Replica, ground_truth, sites_yaml

pytestmark = pytest.mark.integration
YEAR = 2021
BROKEN = "hn-xiangtan-shigu"  # shares its host with three other sites: the host's lane must go on after it


def test_a_batch_crawls_every_site_once_and_one_failing_site_does_not_stop_the_others(tmp_path: Path) -> None:
    store = tmp_path / "data"
    (store / "state" / f"{BROKEN}.json").mkdir(parents=True)  # a state that cannot be read: the site fails
    captures = tmp_path / "captures.jsonl"
    with Replica(port=0) as replica:
        sites = [s.model_copy(update={"delay": 0.0}) for s in parse_registry(sites_yaml(replica.port))]
        sites_file = tmp_path / "sites.json"
        sites_file.write_text(json.dumps([s.model_dump(mode="json") for s in sites]), encoding="utf-8")
        command = [sys.executable, "-m", "crawler.crawl", "--sites-file", str(sites_file), "--year", str(YEAR)]
        command += ["--kind=rule_of_law", "--kind=info_disclosure", "--store", str(store)]
        command += ["--captures-out", str(captures), "--parallel", "3"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]

    summaries = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    by_site = {s["site"]: s for s in summaries}
    assert sorted(by_site) == sorted(s.code for s in sites) and len(summaries) == len(sites)
    assert "state not loaded" in by_site[BROKEN]["error"]

    captured = [json.loads(line) for line in captures.read_text("utf-8").splitlines()]
    for site in sites:
        if site.code == BROKEN:
            continue
        summary = by_site[site.code]
        assert not summary.get("error"), summary
        paths = {urlsplit(c["url"]).path for c in captured if c["site"] == site.code}
        wanted = {g["path"] for g in ground_truth() if g["site"] == site.code and g["year"] == YEAR}
        assert wanted <= paths, f"{site.code}: missed {sorted(wanted - paths)}"
        assert summary["captures"] == len([c for c in captured if c["site"] == site.code])
        if summary["pages"]:
            assert (store / summary["warc_key"]).is_file()  # each site its own WARC


def test_over_its_memory_bound_a_crawl_process_crawls_one_host_at_a_time_and_loses_nothing(tmp_path: Path) -> None:
    """NIANBAO_CRAWL_MEMORY_MB below what any process holds: no second host starts while one is crawled."""
    captures = tmp_path / "captures.jsonl"
    with Replica(port=0) as replica:
        sites = [s.model_copy(update={"delay": 0.0}) for s in parse_registry(sites_yaml(replica.port))]
        sites_file = tmp_path / "sites.json"
        sites_file.write_text(json.dumps([s.model_dump(mode="json") for s in sites]), encoding="utf-8")
        command = [sys.executable, "-m", "crawler.crawl", "--sites-file", str(sites_file), "--year", str(YEAR)]
        command += ["--kind=rule_of_law", "--kind=info_disclosure", "--store", str(tmp_path / "data")]
        command += ["--captures-out", str(captures), "--set", "NIANBAO_CRAWL_MEMORY_MB=1"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    summaries = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(summaries) == len(sites) and not any(s["error"] for s in summaries)
    paths = {(c["site"], urlsplit(c["url"]).path) for c in map(json.loads, captures.read_text("utf-8").splitlines())}
    wanted = {(g["site"], g["path"]) for g in ground_truth() if g["year"] == YEAR}
    assert wanted <= paths
    stats = dict(re.findall(r"'nianbao/(most_hosts_in_flight|admission_held_for_memory)': (\d+)", done.stderr))
    assert stats["most_hosts_in_flight"] == "1" and int(stats["admission_held_for_memory"]) > 0, stats


def test_a_report_deep_in_a_long_column_is_found_whatever_the_pager(tmp_path: Path) -> None:
    """Columns of 14 pages, walked to the end: TRS pagers (every page linked from the first) and 下一页 chains
    (each page found on the one before, deeper than DEPTH_LIMIT hops), the year's report far down both."""
    from replica.scale import ScaleReplica, scale_ground_truth, scale_sites_yaml

    captures = tmp_path / "captures.jsonl"
    with ScaleReplica(4, year=YEAR, column_pages=14) as replica:
        sites = parse_registry(scale_sites_yaml(4, replica.port))
        sites_file = tmp_path / "sites.json"
        sites_file.write_text(json.dumps([s.model_dump(mode="json") for s in sites]), encoding="utf-8")
        command = [sys.executable, "-m", "crawler.crawl", "--sites-file", str(sites_file), "--year", str(YEAR)]
        command += ["--kind=rule_of_law", "--store", str(tmp_path / "data"), "--captures-out", str(captures)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    summaries = {s["site"]: s for s in (json.loads(line) for line in done.stdout.splitlines() if line.startswith("{"))}
    captured = {(c["site"], urlsplit(c["url"]).path) for c in map(json.loads, captures.read_text("utf-8").splitlines())}
    wanted = {(g["site"], g["path"]) for g in scale_ground_truth(4, YEAR)}
    assert wanted <= captured, sorted(wanted - captured)
    assert all(s["pages"] >= 14 for s in summaries.values()), {k: s["pages"] for k, s in summaries.items()}
