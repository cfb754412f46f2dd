"""The sites registry: YAML entries validated on load, with errors that name the site and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
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
