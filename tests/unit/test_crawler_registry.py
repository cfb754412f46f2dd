"""CSV import into registry entries (nianbao.sites.import_csv) and the starter national registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.sites import RegistryError, import_csv, load_registry, parse_registry, registry_yaml

NATIONAL = Path(__file__).parents[2] / "nianbao" / "registry" / "national.yaml"


def test_chinese_headers_with_a_bom_become_valid_entries() -> None:
    text = (
        "\ufeff网站名称,网站地址,网站标识码,行政区划代码,层级\n"
        "广州市番禺区人民政府,www.panyu.gov.cn,4401130001,440113,区级\n"
        "湘潭县人民政府,http://www.xtx.gov.cn/,,430321000000,县级\n"
    )
    panyu, xiangtan = import_csv(text)
    assert panyu == {
        "code": "4401130001",
        "name": "广州市番禺区人民政府",
        "division": "440113",
        "level": "district",
        "start_urls": ["http://www.panyu.gov.cn/"],
    }
    assert xiangtan["code"] == "xtx.gov.cn"  # no 网站标识码: a slug of the host
    assert xiangtan["division"] == "430321"  # a 12-digit statistical code starts with the GB/T 2260 code
    assert xiangtan["level"] == "county"
    sites = parse_registry(registry_yaml([panyu, xiangtan], "imported"))
    assert [s.code for s in sites] == ["4401130001", "xtx.gov.cn"]


def test_english_headers_in_any_order() -> None:
    (entry,) = import_csv("level,url,name,division\nprovince,https://www.gd.gov.cn/,广东省人民政府,440000\n")
    assert entry["level"] == "province" and entry["code"] == "gd.gov.cn"


def test_errors_name_the_row_and_the_column() -> None:
    text = "网站名称,网站地址,行政区划代码,层级\n甲,ftp://x.gov.cn,4401,省级\n乙,www.y.gov.cn,440100,银河级\n"
    with pytest.raises(RegistryError) as err:
        import_csv(text, "portals.csv")
    message = str(err.value)
    assert "portals.csv: row 2, column 网站地址" in message
    assert "portals.csv: row 2, column 行政区划代码" in message
    assert "portals.csv: row 3, column 层级" in message
    assert "row 3, column 网站地址" not in message


def test_a_missing_column_and_duplicated_codes_are_reported() -> None:
    with pytest.raises(RegistryError, match=r"row 1: missing column.*层级/level"):
        import_csv("网站名称,网站地址,行政区划代码\n甲,www.x.gov.cn,440100\n")
    with pytest.raises(RegistryError, match=r"code x\.gov\.cn: duplicated"):
        import_csv("name,url,division,level\nA,www.x.gov.cn,440100,city\nB,x.gov.cn,440100,city\n")


def test_the_national_registry_has_every_province_and_the_seed_portals() -> None:
    sites = load_registry(NATIONAL)
    provinces = {s.division for s in sites if s.level == "province"}
    assert len(provinces) == 31
    assert all(d.endswith("0000") for d in provinces)
    assert len(sites) >= 36
    assert all(s.start_urls[0].startswith("https://") or s.start_urls[0].startswith("http://") for s in sites)
    assert "could NOT be checked" in NATIONAL.read_text("utf-8")
