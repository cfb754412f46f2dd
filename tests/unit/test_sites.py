from pathlib import Path

import pytest

from nianbao.sites import RegistryError, load_registry, parse_registry

GOOD = """
sites:
  - code: panyu
    name: 广州市番禺区人民政府
    division: "440113"
    level: district
    start_urls: ["https://www.panyu.gov.cn/"]
"""


def test_a_valid_entry_gets_its_domains_from_the_start_urls() -> None:
    (site,) = parse_registry(GOOD)
    assert site.allowed_domains == ("www.panyu.gov.cn",)
    assert site.host == "www.panyu.gov.cn"


def test_errors_name_the_site_and_the_field() -> None:
    bad = GOOD.replace('"440113"', '"4401"').replace("district", "galaxy")
    with pytest.raises(RegistryError) as err:
        parse_registry(bad, "reg.yaml")
    message = str(err.value)
    assert "reg.yaml: site panyu: field division" in message
    assert "reg.yaml: site panyu: field level" in message


def test_non_http_start_urls_and_duplicates_are_refused() -> None:
    with pytest.raises(RegistryError, match="field start_urls"):
        parse_registry(GOOD.replace("https://www.panyu.gov.cn/", "file:///etc/passwd"))
    with pytest.raises(RegistryError, match="site panyu: field code: duplicated"):
        parse_registry(GOOD + GOOD.replace("sites:\n", ""))


def test_the_shipped_national_registry_validates() -> None:
    sites = load_registry(Path(__file__).parents[2] / "nianbao" / "registry" / "national.yaml")
    assert sum(s.level == "province" for s in sites) == 31
