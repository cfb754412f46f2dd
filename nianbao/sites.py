"""The sites registry: YAML entries validated on load, with errors that name the site and the field."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Level = Literal["national", "province", "city", "district", "county", "township", "department"]


class Site(BaseModel):
    """One portal, or one column of a portal that carries several bodies (a county portal's towns)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    name: str = Field(min_length=1)
    division: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 code")
    level: Level
    start_urls: tuple[str, ...] = Field(min_length=1)
    allowed_domains: tuple[str, ...] = ()
    listing_urls: tuple[str, ...] = ()
    delay: float | None = Field(default=None, ge=0, description="seconds between requests to this site")
    max_pages: int = Field(default=400, ge=1)
    render: bool = False
    local: bool = Field(default=False, description="a local replica: loopback addresses are allowed")
    parent: str | None = Field(default=None, description="code of the parent portal (nianbao sites discover)")
    notes: str | None = Field(default=None, description="the operator's own notes; discovery never rewrites them")
    discovery: dict[str, Any] | None = Field(
        default=None, description="what `nianbao sites discover` found and decided; absent on manual entries"
    )

    @field_validator("start_urls", "listing_urls")
    @classmethod
    def _http_urls(cls, urls: tuple[str, ...]) -> tuple[str, ...]:
        for url in urls:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ValueError(f"not an http(s) URL: {url!r}")
        return urls

    @model_validator(mode="after")
    def _default_domains(self) -> Site:
        if not self.allowed_domains:
            hosts = tuple(dict.fromkeys(urlsplit(u).hostname or "" for u in self.start_urls))
            object.__setattr__(self, "allowed_domains", hosts)
        return self

    @property
    def host(self) -> str:
        """The host crawled first; crawls of one host never run at the same time."""
        return urlsplit(self.start_urls[0]).netloc


class RegistryError(ValueError):
    """A registry that does not validate; the message names the file, the site and the field."""


def lanes(sites: list[Site]) -> list[list[Site]]:
    """Sites grouped by host, in registry order: the sites of one host are crawled one after the other."""
    by_host: dict[str, list[Site]] = {}
    for site in sites:
        by_host.setdefault(site.host, []).append(site)
    return list(by_host.values())


def parse_registry(text: str, source: str = "<registry>") -> list[Site]:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise RegistryError(f"{source}: not valid YAML: {e}") from e
    entries = raw.get("sites") if isinstance(raw, dict) else raw
    if not isinstance(entries, list):
        raise RegistryError(f"{source}: expected a list of sites (or a mapping with a 'sites' list)")
    sites: list[Site] = []
    errors: list[str] = []
    for i, entry in enumerate(entries):
        label = entry.get("code", f"#{i + 1}") if isinstance(entry, dict) else f"#{i + 1}"
        try:
            sites.append(Site.model_validate(entry))
        except ValidationError as e:
            for err in e.errors():
                field = ".".join(str(p) for p in err["loc"]) or "(entry)"
                errors.append(f"{source}: site {label}: field {field}: {err['msg']}")
    codes = [s.code for s in sites]
    errors += [f"{source}: site {c}: field code: duplicated" for c in sorted({c for c in codes if codes.count(c) > 1})]
    if errors:
        raise RegistryError("\n".join(errors))
    return sites


def load_registry(path: str | Path) -> list[Site]:
    """Load and validate a registry file; raise RegistryError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise RegistryError(f"{path}: cannot read the sites registry: {e.strerror}") from e
    return parse_registry(text, str(path))


# ---------------------------------------------------------------------------------------------- CSV import

# Column headers as the national government-website database exports them, or in English.
CSV_COLUMNS = {
    "name": ("网站名称", "name"),
    "url": ("网站地址", "首页地址", "url"),
    "code": ("网站标识码", "code"),
    "division": ("行政区划代码", "区划代码", "division"),
    "level": ("层级", "级别", "level"),
}
_CSV_REQUIRED = ("name", "url", "division", "level")
# Levels as Chinese lists write them; English level names are taken as they are.
_LEVEL_NAMES = {
    "国家级": "national", "国家": "national", "中央": "national", "国务院部门": "department",
    "省级": "province", "省": "province", "省份": "province",
    "市级": "city", "地市级": "city", "市": "city", "地级市": "city",
    "区级": "district", "区": "district", "市辖区": "district",
    "县级": "county", "县": "county", "县区": "county", "区县": "county",
    "乡镇": "township", "乡镇级": "township", "街道": "township", "镇": "township", "乡": "township",
    "部门": "department", "部门网站": "department",
}  # fmt: skip


def _csv_url(value: str) -> str:
    """Portal lists often give `www.x.gov.cn` without a scheme; http:// is what every portal answers."""
    value = value.strip()
    url = value if "://" in value else f"http://{value}"
    return url + "/" if urlsplit(url).path == "" else url


def _csv_slug(url: str) -> str:
    """A stable code for a portal without a 网站标识码: its host without `www.` (`panyu.gov.cn`)."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host or "site"


def import_csv(text: str, source: str = "<csv>") -> list[dict[str, Any]]:
    """Registry entries (plain dicts, ready for YAML) from a CSV of portals; raise RegistryError naming each
    bad row and column (row 1 is the header, as a spreadsheet counts)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = [r for r in reader if any(cell.strip() for cell in r)]
    if not rows:
        raise RegistryError(f"{source}: empty CSV")
    header = [h.strip() for h in rows[0]]
    where: dict[str, int] = {}
    for field_name, names in CSV_COLUMNS.items():
        for i, h in enumerate(header):
            if h in names or h.lower() in names:
                where[field_name] = i
                break
    missing = [f"{CSV_COLUMNS[f][0]}/{f}" for f in _CSV_REQUIRED if f not in where]
    if missing:
        raise RegistryError(f"{source}: row 1: missing column(s) {', '.join(missing)}")
    entries: list[dict[str, Any]] = []
    errors: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {f: (row[i].strip() if i < len(row) else "") for f, i in where.items()}
        url = _csv_url(cells["url"]) if cells["url"] else ""
        level = _LEVEL_NAMES.get(cells["level"], cells["level"].lower())
        division = cells["division"]
        if len(division) in (9, 12) and division.isdigit():  # statistical codes extend the GB/T 2260 code
            division = division[:6]
        entry = {
            "code": cells.get("code") or _csv_slug(url),
            "name": cells["name"],
            "division": division,
            "level": level,
            "start_urls": [url] if url else [],
        }
        try:
            Site.model_validate(entry)
        except ValidationError as e:
            for err in e.errors():
                field_name = "url" if err["loc"][0] == "start_urls" else str(err["loc"][0])
                column = header[where[field_name]] if field_name in where else field_name
                errors.append(f"{source}: row {number}, column {column}: {err['msg']} ({cells.get(field_name)!r})")
            continue
        entries.append(entry)
    codes = [e["code"] for e in entries]
    errors += [f"{source}: code {c}: duplicated" for c in sorted({c for c in codes if codes.count(c) > 1})]
    if errors:
        raise RegistryError("\n".join(errors))
    return entries


def registry_yaml(entries: list[dict[str, Any]], comment: str = "") -> str:
    """YAML text of a registry (`sites:` list) for entries from `import_csv`, readable by `parse_registry`."""
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    return head + yaml.safe_dump({"sites": entries}, allow_unicode=True, sort_keys=False, width=120)
