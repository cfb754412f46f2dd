"""The registry `nianbao sites discover` writes: discovered portals as sites, merged into the previous file.

A re-run keeps what an operator wrote. Entries without a `discovery` block are manual: kept as they are, and a
portal found again under their code or host is not added twice. A discovered entry found again gets the new
name, division, level, parent and discovery facts, and keeps every other field (`listing_urls`, `notes`, `delay`,
`render`, `max_pages` …). One not found again stays, marked `status: vanished` (it may be back next year); one that
no longer answers is marked `unreachable`. The run's decisions (links refused, codes contradicted, names shared by
several divisions, bounds reached) are written under `decisions:`, each with its reason; `parse_registry` reads
the `sites:` list only.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.tree import Discovery, Portal, portal_key
from nianbao.sites import Site, parse_registry

# Fields discovery owns; every other field of an entry is the operator's and survives a re-run.
OWNED = ("code", "name", "division", "level", "start_urls", "parent", "discovery")


def slug(url: str) -> str:
    """A stable code for a portal without a 网站标识码: its host without `www.` (and its port, if any)."""
    parts = urlsplit(url)
    host = (parts.hostname or "site").removeprefix("www.")
    return re.sub(r"[^A-Za-z0-9_.-]", "-", f"{host}-{parts.port}" if parts.port else host)[:64]


def entries_from(discovery: Discovery, template: Site, today: str) -> list[dict[str, Any]]:
    """Registry entries for the portals placed in the tree (parents by code), in discovery order."""
    placed = discovery.tree()
    codes: dict[str, str] = {}
    for portal in placed:
        code = portal.site_code or slug(portal.url)
        while code in codes.values():
            code += "-2"
        codes[portal.url] = code
    entries = []
    for portal in placed:
        entry: dict[str, Any] = {
            "code": codes[portal.url],
            "name": portal.name,
            "division": portal.division,
            "level": portal.level,
            "start_urls": [portal.url],
        }
        if portal.parent in codes:
            entry["parent"] = codes[portal.parent]
        if template.local:
            entry["local"] = True
        if template.delay is not None:
            entry["delay"] = template.delay
        entry["discovery"] = _facts(portal, today)
        entries.append(entry)
    return entries


def _facts(portal: Portal, today: str) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "status": portal.status,
        "site_code": portal.site_code,
        "division_from": portal.division_from,
        "found_from": portal.source,
        "first_seen": today,
        "last_seen": today if portal.status == "ok" else None,
        "columns": portal.columns,
    }
    if portal.notes:
        facts["notes"] = portal.notes
    return {k: v for k, v in facts.items() if v not in (None, [], "")}


def merge(previous: list[dict[str, Any]], found: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The new list of entries, and what the merge decided (manual entries that stood for a found portal)."""
    manual = [e for e in previous if not e.get("discovery")]
    manual_keys: dict[str, str] = {e["code"]: e["code"] for e in manual}  # code or portal key → manual code
    manual_keys |= {portal_key(u): e["code"] for e in manual for u in e.get("start_urls", [])}
    earlier = [e for e in previous if e.get("discovery")]
    by_key: dict[str, dict[str, Any]] = {}
    for e in earlier:
        by_key.setdefault(e["code"], e)
        for url in e.get("start_urls", []):
            by_key.setdefault(portal_key(url), e)
    out = list(manual)
    notes: list[str] = []
    matched: set[int] = set()
    renamed: dict[str, str] = {}  # this run's code → the code the registry knows the portal by
    for entry in found:
        keys = [entry["code"], portal_key(entry["start_urls"][0])]
        if manual_code := next((manual_keys[k] for k in keys if k in manual_keys), None):
            notes.append(
                f"{entry['start_urls'][0]} ({entry['name']}) is the manual entry {manual_code}: kept as written"
            )
            renamed[entry["code"]] = manual_code  # its children name it as their parent
            continue
        old = next((by_key[k] for k in keys if k in by_key), None)
        if old is not None:
            matched.add(id(old))
            renamed[entry["code"]] = old["code"]
            entry = _update(old, entry)
        out.append(entry)
    for entry in out:
        if entry.get("parent") in renamed:
            entry["parent"] = renamed[entry["parent"]]
    for e in earlier:
        if id(e) not in matched:
            e = dict(e)
            e["discovery"] = {**e["discovery"], "status": "vanished"}
            out.append(e)
    return out, notes


def _update(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """A discovered entry found again: discovery's fields from `new`, the operator's from `old`."""
    facts = dict(new["discovery"])
    facts["first_seen"] = old["discovery"].get("first_seen", facts.get("first_seen"))
    if facts["status"] != "ok":  # it said nothing this time: what it said last time stands
        new = {**new, **{k: old[k] for k in ("name", "division", "level", "parent") if k in old}}
        facts["last_seen"] = old["discovery"].get("last_seen")
        facts = {k: v for k, v in facts.items() if v is not None}
    merged = {**new, **{k: v for k, v in old.items() if k not in OWNED}, "code": old["code"]}
    merged["discovery"] = facts
    return merged


def registry_text(entries: list[dict[str, Any]], decisions: list[dict[str, Any]], comment: str) -> str:
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    body = {"sites": entries, "decisions": decisions}
    return head + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=120)


def write_discovered(out: Path, discovery: Discovery, seeds: list[Site], today: str | None = None) -> dict[str, Any]:
    """Merge the run into the registry at `out` (created when missing), validate it, write it; return counts."""
    today = today or datetime.date.today().isoformat()
    previous: list[dict[str, Any]] = []
    if out.exists():
        raw = yaml.safe_load(out.read_text(encoding="utf-8")) or {}
        previous = list(raw.get("sites") or []) if isinstance(raw, dict) else list(raw)
    found = entries_from(discovery, seeds[0].model_copy(update=_template(seeds)), today)
    entries, notes = merge(previous, found)
    decisions = [d.to_dict() for d in discovery.all_decisions()]
    decisions += [{"url": "", "decision": "manual", "reason": n} for n in notes]
    comment = (
        f"Written by `nianbao sites discover` on {today} from {len(seeds)} seed portal(s); re-run to update.\n"
        "Entries without `discovery:` are manual and kept as written; `notes`, `listing_urls`, `delay` … survive."
    )
    text = registry_text(entries, decisions, comment)
    parse_registry(text, str(out))  # a registry the harvest cannot read is never written
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    status = Counter(e["discovery"]["status"] for e in entries if e.get("discovery"))
    return {
        "sites": len(entries),
        "levels": dict(Counter(e["level"] for e in entries)),
        "status": dict(status),
        "decisions": dict(Counter(d["decision"] for d in decisions)),
    }


def _template(seeds: list[Site]) -> dict[str, Any]:
    delays = [s.delay for s in seeds if s.delay is not None]
    return {"local": all(s.local for s in seeds), "delay": min(delays) if delays else None}
