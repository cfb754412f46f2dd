"""The published dataset site (`nianbao publish --year Y OUT/`): plain files a researcher opens in a browser.

    OUT/index.html              coverage map of China by province, the sites with their reports, title search
    OUT/reports/{doc_id}.html   one report: metadata, text, original URL, replay in its WACZ, disclosure figures
    OUT/data/{kind}-{year}.parquet   the manifests, for download
    OUT/wacz/{site}.wacz        the sites' WACZ packages, when `nianbao export --format wacz` made them

Coverage comes from the coverage table (`coverage/{kind}/{year}.parquet`, one row per unit that owes the report, with
its status) when one was written, else from the documents and the sites of the year's runs (a site harvested with no
report of the kind is missing). The map is a
tile grid of the provinces (one square each, placed roughly where the province lies): no boundary file is used,
so the site needs no map data with its own licence, and every province, however small, gets a square as large as
the others.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from jinja2 import Environment, PackageLoader, select_autoescape

from nianbao.divisions import PROVINCES, province_of
from nianbao.sites import RegistryError, load_registry
from storage import layout
from storage.runs import read_runs
from storage.store import Store

# (column, row) of each province's tile: north at the top, the coast on the right.
TILES: dict[str, tuple[int, int]] = {
    "23": (7, 0),
    "65": (0, 1), "15": (4, 1), "22": (7, 1),
    "63": (1, 2), "62": (2, 2), "64": (3, 2), "14": (4, 2), "11": (5, 2), "12": (6, 2), "21": (7, 2),
    "54": (1, 3), "51": (2, 3), "61": (3, 3), "41": (4, 3), "13": (5, 3), "37": (6, 3),
    "50": (2, 4), "42": (3, 4), "34": (4, 4), "32": (5, 4), "31": (6, 4),
    "53": (1, 5), "52": (2, 5), "43": (3, 5), "36": (4, 5), "33": (5, 5),
    "45": (2, 6), "44": (3, 6), "35": (4, 6), "71": (5, 6),
    "46": (2, 7), "82": (3, 7), "81": (4, 7),
}  # fmt: skip
SHORT = {"内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏", "宁夏回族自治区": "宁夏",
         "新疆维吾尔自治区": "新疆", "香港特别行政区": "香港", "澳门特别行政区": "澳门"}  # fmt: skip
# A unit's standing in the coverage table (issue 16) that means a report was found: by the deadline, after it,
# or with no date; every other status (missing, portal_blocked, not_crawled, portal_not_found) is none found.
PUBLISHED = ("on_time", "late", "undated")


@dataclass
class SiteEntry:
    code: str
    name: str
    division: str
    level: str
    reports: list[dict[str, Any]] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)  # kind → on_time | late | missing

    @property
    def province(self) -> str:
        return province_of(self.division) if self.division else ""


# -- the core: records in, rows out ------------------------------------------------------------------------------
def site_status(reports: list[dict[str, Any]]) -> str:
    """on_time when a report was published by the deadline, late when only after it, missing when none;
    `published` when no deadline applies to it (a unit the kind does not hold to one) or its date is unknown."""
    if not reports:
        return "missing"
    if any(r.get("on_time") for r in reports):
        return "on_time"
    return "late" if any(r.get("on_time") is False for r in reports) else "published"


def province_tiles(sites: list[SiteEntry], kind: str, coverage: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """One tile per province: its place on the grid and its sites' counts (published, on time, late, missing)."""
    counts: dict[str, Counter[str]] = {}
    if coverage is not None:  # the coverage table: one row per unit that owes the report, with its status
        for line in coverage:
            c = counts.setdefault(str(line["province"]), Counter())
            c["sites"] += 1
            c["published"] += line.get("status") in PUBLISHED
            c["on_time"] += line.get("status") == "on_time"
    else:
        for site in sites:
            c = counts.setdefault(site.province, Counter())
            c["sites"] += 1
            status = site.status.get(kind, "missing")
            c["published"] += status != "missing"
            c["on_time"] += status == "on_time"
    tiles = []
    for code, (col, row) in TILES.items():
        name = PROVINCES[code]
        c = counts.get(name, Counter())
        late, missing = c["published"] - c["on_time"], c["sites"] - c["published"]
        share = c["published"] / c["sites"] if c["sites"] else None
        tiles.append({
            "code": code, "name": name, "short": SHORT.get(name, name.removesuffix("省").removesuffix("市")),
            "col": col, "row": row, "sites": c["sites"], "published": c["published"], "on_time": c["on_time"],
            "late": late, "missing": missing, "share": share,
        })  # fmt: skip
    return tiles


def figure_rows(figures: Any, path: str = "") -> list[tuple[str, str]]:
    """A `figures` value of any shape as (label, value) rows: nested names joined with ' › ', lists numbered."""
    if isinstance(figures, dict):
        return [row for key, value in figures.items() for row in figure_rows(value, f"{path} › {key}" if path else key)]
    if isinstance(figures, list):
        return [row for i, value in enumerate(figures, 1) for row in figure_rows(value, f"{path} [{i}]")]
    return [(path, "" if figures is None else str(figures))]


# -- reading the store -------------------------------------------------------------------------------------------
def read_coverage(store: Store, kind: str, year: int) -> list[dict[str, Any]] | None:
    key = layout.coverage(kind, year)
    if not store.exists(key):
        return None
    rows: list[dict[str, Any]] = pq.read_table(io.BytesIO(store.get_bytes(key))).to_pylist()
    return rows if rows and {"province", "status"} <= set(rows[0]) else None


def harvested_sites(store: Store, year: int) -> dict[str, SiteEntry]:
    """The sites the runs of `year` harvested (name, level; division from the run's registry when readable)."""
    sites: dict[str, SiteEntry] = {}
    for run in (r for r in read_runs(store) if r.year == year):
        try:
            divisions = {s.code: s.division for s in load_registry(run.registry)}
        except (RegistryError, OSError):
            divisions = {}
        for row in run.sites:
            sites[row.site] = SiteEntry(row.site, row.name or row.site, divisions.get(row.site, ""), row.level)
    return sites


def gather(store: Store, year: int, kinds: list[str]) -> tuple[list[SiteEntry], list[dict[str, Any]]]:
    """The sites (with their reports and standing per kind) and every current document of the kinds and year."""
    sites = harvested_sites(store, year)
    documents = []
    for kind in kinds:
        for key in store.keys(layout.docs_prefix(kind, year)):
            if layout.is_current_doc(key):
                documents.append(store.get_json(key))
    for doc in documents:
        entry = sites.setdefault(doc["site"], SiteEntry(doc["site"], doc["site"], doc.get("division", ""), ""))
        entry.division = entry.division or doc.get("division", "")
        entry.reports.append(doc)
    for entry in sites.values():
        entry.reports.sort(key=lambda d: (d.get("kind") or "", d.get("published") or ""))
        entry.status = {kind: site_status([d for d in entry.reports if d.get("kind") == kind]) for kind in kinds}
    ordered = sorted(sites.values(), key=lambda s: (s.division or "99", s.code))
    return ordered, sorted(documents, key=lambda d: (d["site"], d.get("published") or ""))


def wacz_ts(store: Store, doc: dict[str, Any]) -> str:
    """The 14-digit timestamp of the response a document came from (its replay address in the WACZ)."""
    from warcio.archiveiterator import ArchiveIterator

    try:
        with store.open(doc["warc_key"]) as stream:
            stream.seek(doc.get("warc_offset", 0))
            record = next(iter(ArchiveIterator(stream)))
    except (OSError, KeyError, StopIteration, ValueError):
        return ""
    date = record.rec_headers.get_header("WARC-Date") or ""
    return "".join(ch for ch in date if ch.isdigit())[:14]


# -- writing the site --------------------------------------------------------------------------------------------
def publish(store: Store, year: int, kinds: list[str], out: Path, replay: str = "") -> dict[str, Any]:
    """Write the site into `out`; `replay` is a replay address template with {ts} and {url} (a pywb collection,
    say `http://host/nianbao/{ts}/{url}`); without one a report page links to its WACZ file. Return counts."""
    env = Environment(loader=PackageLoader("publish", "templates"), autoescape=select_autoescape(["html"]))
    env.filters["figure_rows"] = figure_rows
    sites, documents = gather(store, year, kinds)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    (out / "data").mkdir(parents=True, exist_ok=True)
    downloads = []
    for kind in kinds:
        key = layout.manifest(kind, year)
        if store.exists(key):
            name = f"{kind}-{year}.parquet"
            (out / "data" / name).write_bytes(store.get_bytes(key))
            downloads.append({"kind": kind, "href": f"data/{name}", "key": key})
    maps = []
    for kind in kinds:
        coverage = read_coverage(store, kind, year)
        source = (
            f"coverage/{kind}/{year}.parquet" if coverage is not None else f"{layout.manifest(kind, year)} and runs/"
        )
        counted = "units that owe the report" if coverage is not None else "sites harvested"
        maps.append({"kind": kind, "tiles": province_tiles(sites, kind, coverage), "source": source, "of": counted})
    packed = set()  # the sites' WACZ files, copied beside the pages (`nianbao export --format wacz` made them)
    for site in sites:
        if store.exists(layout.wacz(year, site.code)):
            (out / "wacz").mkdir(exist_ok=True)
            (out / "wacz" / f"{site.code}.wacz").write_bytes(store.get_bytes(layout.wacz(year, site.code)))
            packed.add(site.code)
    for doc in documents:
        ts = wacz_ts(store, doc)
        doc["_wacz"] = f"../wacz/{doc['site']}.wacz" if doc["site"] in packed else ""
        doc["_ts"] = ts
        doc["_replay"] = replay.format(ts=ts, url=doc["url"]) if replay and ts else ""
        page = env.get_template("report.html").render(doc=doc, year=year, store=store.url)
        (out / "reports" / f"{layout.safe(doc['doc_id'])}.html").write_text(page, encoding="utf-8")
    titles = [
        {"title": d["title"], "site": d["site"], "href": f"reports/{d['doc_id']}.html", "published": d.get("published")}
        for d in documents
    ]
    index = env.get_template("index.html").render(
        year=year, kinds=kinds, sites=sites, maps=maps, downloads=downloads, documents=documents,
        titles_json=json.dumps(titles, ensure_ascii=False).replace("</", "<\\/"), store=store.url,
    )  # fmt: skip
    (out / "index.html").write_text(index, encoding="utf-8")
    return {"sites": len(sites), "reports": len(documents), "wacz": len(packed), "out": str(out)}
