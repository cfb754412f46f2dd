"""`nianbao sites discover` on the national replica (real servers on loopback, the real command in a process of its
own): every portal of the tree found with its division, level and parent, no trap among the sites, every trap a
decision with its reason; a re-run keeps what the operator wrote and marks a portal that stopped answering."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from nianbao.sites import parse_registry
from replica.national import NationalReplica

pytestmark = pytest.mark.integration
NIANBAO = str(Path(sys.executable).with_name("nianbao"))


def _discover(seeds: Path, out: Path) -> dict[str, Any]:
    done = subprocess.run(
        [NIANBAO, "sites", "discover", "--seeds", str(seeds), "--out", str(out), "--seconds", "60",
         "--set", "LOG_LEVEL=ERROR"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_discover_finds_the_national_tree(tmp_path: Path) -> None:
    with NationalReplica() as replica:
        seeds, out = tmp_path / "seeds.yaml", tmp_path / "discovered.yaml"
        seeds.write_text(replica.seeds_yaml(), encoding="utf-8")
        summary = _discover(seeds, out)
        text = out.read_text(encoding="utf-8")
        sites = parse_registry(text)  # what `nianbao harvest --sites` reads
        raw = yaml.safe_load(text)
        truth = replica.tree_truth()
        by_url = {s.start_urls[0]: s for s in sites}
        code_of = {url: s.code for url, s in by_url.items()}

        # Every portal, right division, level and parent; nothing else.
        assert set(by_url) == {t["url"] for t in truth}
        for t in truth:
            site = by_url[t["url"]]
            parent = code_of[t["parent"]] if t["parent"] else None
            assert (site.division, site.level, site.parent) == (t["division"], t["level"], parent), t["name"]
            assert site.local and site.delay == 0
        traps = replica.trap_urls()
        assert not set(by_url) & set(traps)

        # Each trap and each kind of bad input ends as a decision with its reason.
        decided = {(d["url"], d["decision"]): d["reason"] for d in raw["decisions"]}
        for url, why in traps.items():
            assert any(u == url for u, _ in decided), (url, why)
        dead = next(t["url"] for t in truth if t["dead"])
        assert by_url[dead].discovery["status"] == "unreachable"  # type: ignore[index]
        assert (dead, "unreachable") in decided
        assert any(kind == "contradiction" for _, kind in decided)
        assert any(kind == "not_government" and "1900 more" in r for (_, kind), r in decided.items())  # 2,000 links
        no_code = next(t for t in truth if not t["site_id"])
        notes = by_url[no_code["url"]].discovery["notes"]  # type: ignore[index]
        assert any("鼓楼区" in n and "320302" in n for n in notes)  # a name four divisions share
        assert not any(kind == "unreachable" and u != dead for u, kind in decided)
        columns = by_url[truth[0]["url"]].discovery["columns"]  # type: ignore[index]
        assert columns == [truth[0]["url"] + "fzzfjs/index.html", truth[0]["url"] + "xxgknb/index.html"]
        assert summary["status"] == {"ok": len(truth) - 1, "unreachable": 1}

        # The operator writes on an entry; a portal stops answering; discovery runs again.
        city = next(t for t in truth if t["level"] == "city")
        for entry in raw["sites"]:
            if entry["start_urls"] == [city["url"]]:
                entry.update(notes="说明：人工核对", listing_urls=[city["url"] + "fzzfjs/index.html"])
        out.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        county = next(t for t in truth if t["level"] == "district" and t["site_id"] and not t["dead"])
        replica.down.add(county["url"])
        _discover(seeds, out)
        again = {s.start_urls[0]: s for s in parse_registry(out.read_text(encoding="utf-8"))}
        assert set(again) == set(by_url)
        assert again[city["url"]].notes == "说明：人工核对"
        assert again[city["url"]].listing_urls == (city["url"] + "fzzfjs/index.html",)
        assert again[county["url"]].discovery["status"] == "unreachable"  # type: ignore[index]
        assert again[county["url"]].code == by_url[county["url"]].code
        assert again[county["url"]].division == county["division"]


def test_a_crawl_of_the_discovered_registry_finds_every_published_report(tmp_path: Path) -> None:
    """The registry discovery writes is what a harvest crawls: from each portal's home page (the crawler's own
    column discovery), the crawl reaches every report the replica's units published for the year — in their own
    columns, in a city's sub-columns for its districts, and on the gkmlpt platform's JSON lists."""
    with NationalReplica() as replica:
        seeds, out = tmp_path / "seeds.yaml", tmp_path / "discovered.yaml"
        seeds.write_text(replica.seeds_yaml(), encoding="utf-8")
        _discover(seeds, out)
        sites = [s.model_dump(mode="json") for s in parse_registry(out.read_text(encoding="utf-8"))]
        (tmp_path / "sites.json").write_text(json.dumps(sites), encoding="utf-8")
        captures = tmp_path / "captures.jsonl"
        done = subprocess.run(
            [sys.executable, "-m", "crawler.crawl", "--sites-file", str(tmp_path / "sites.json"), "--year", "2023",
             "--kind", "rule_of_law", "--kind", "info_disclosure", "--store", str(tmp_path / "store"),
             "--captures-out", str(captures), "--set", "LOG_LEVEL=ERROR", "--set", "AUTOTHROTTLE_ENABLED=False"],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        found = {(json.loads(line)["anchor_text"], json.loads(line)["url"]) for line in captures.open(encoding="utf-8")}
        published = [r for r in replica.coverage_truth() if r["published"]]
        assert len(published) == 70
        for row in published:
            assert any(title == row["title"] and url.startswith(row["published_on"]) for title, url in found), row
        assert any("/gkmlpt/content/" in url for _, url in found)
        assert any("/fzzfjs/sub" in url for _, url in found)
