"""What curators and researchers open: the WACZ packages replayed by a real replay server in a real browser, and
the published dataset site.

One harvest of two replica sites (`nianbao harvest`: a GBK portal and the town whose Traditional report is served in
Big5) and its re-run (the reports answer 304: revisit records), then `nianbao export --format wacz` (checked by
py-wacz's own validation) and `nianbao publish`.
The replay server is pywb (it reads WACZ: `wb-manager add --unpack-wacz` takes the package's WARCs and CDXJ index),
installed in its own venv from tools/pywb/requirements.lock (`make pywb`; it pins redis 2.10.6, which Celery
cannot share); it listens on 127.0.0.1. Debian's Chromium (with fonts-noto-cjk) opens the replayed reports and the
site; the assertions are on the rendered DOM text. Screenshots go to $NIANBAO_SHOTS (default: the test's tmp
folder), printed at the end, to be looked at.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from nianbao.normalise import strip_pinyin
from shell.runtime import free_port
from storage.warc import read_response

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
NIANBAO = str(Path(sys.executable).parent / "nianbao")
PYWB = ROOT / ".venv-pywb" / "bin"
CHROMIUM = "/usr/bin/chromium"
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
GBK_SITE, BIG5_SITE = "gd-dongguan-changping", "hn-xiangtan-shigu"
COLLECTION = "nianbao"


def run(command: list[str], env: dict[str, str], timeout: float = 900) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{command[:3]}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("NIANBAO_SHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def harvested(replica_registry: Path, local_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("curate") / "data"
    command = [NIANBAO, "harvest", "--year", "2021", "--sites", str(replica_registry), "--store", str(store)]
    for _ in ("harvest", "re-run"):
        run([*command, "--site", GBK_SITE, "--site", BIG5_SITE, "--workers", "1"], local_env)
    return store


@pytest.fixture(scope="module")
def exported(harvested: Path, local_env: dict[str, str]) -> tuple[Path, str]:
    said = run([NIANBAO, "export", "--format", "wacz", "--year", "2021", "--store", str(harvested)], local_env)
    return harvested, said


@pytest.fixture(scope="module")
def pywb(exported: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """pywb's `wayback` on a free 127.0.0.1 port, its collection made of the exported WACZ files."""
    if not (PYWB / "wayback").exists():
        subprocess.run(["make", "-C", str(ROOT), "pywb"], check=True, capture_output=True, timeout=600)
    store, _ = exported
    home = tmp_path_factory.mktemp("pywb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")}
    subprocess.run([str(PYWB / "wb-manager"), "init", COLLECTION], cwd=home, env=env, check=True, capture_output=True)
    waczs = sorted(str(p) for p in store.glob("wacz/2021/*.wacz"))
    add = [str(PYWB / "wb-manager"), "add", "--unpack-wacz", COLLECTION, *waczs]
    subprocess.run(add, cwd=home, env=env, check=True, capture_output=True)
    port = free_port()
    with open(home / "wayback.log", "wb") as log:
        server = subprocess.Popen(
            [str(PYWB / "wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=home, env=env, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/{COLLECTION}/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"pywb did not start: {(home / 'wayback.log').read_text()[-2000:]}")
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through playwright, allowed to reach 127.0.0.1 and local files only."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK) or not CJK_FONT.exists():
        pytest.fail("needs Debian's chromium and fonts-noto-cjk: apt-get install -y chromium fonts-noto-cjk")
    with sync_playwright() as playwright:
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                "--disable-component-update", "--disable-sync"]  # fmt: skip
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("http://127.0.0.1", "file://", "data:"))
                else route.abort()
            ),
        )
        yield context
        chromium.close()


def documents(store: Path, site: str) -> list[dict[str, Any]]:
    return [json.loads(p.read_text("utf-8")) for p in store.glob(f"docs/*/2021/{site}/*.json")]


def test_export_writes_valid_wacz_with_the_reports_as_pages(exported: tuple[Path, str]) -> None:
    from publish.wacz import validate_wacz

    store, said = exported
    for site in (GBK_SITE, BIG5_SITE):
        path = store / "wacz" / "2021" / f"{site}.wacz"
        assert re.search(rf"{path}: 2 WARC\(s\), 1 report page\(s\), [1-9]\d* revisits completed; valid", said), said
        valid, output = validate_wacz(path)
        assert valid, output
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            assert {"datapackage.json", "indexes/index.cdx.gz", "pages/pages.jsonl"} <= names
            pages = [json.loads(line) for line in package.read("pages/pages.jsonl").splitlines()]
        (doc,) = documents(store, site)
        (page,) = pages[1:]
        assert (page["url"], page["title"], page["published"]) == (doc["url"], doc["title"], doc["published"])
        assert doc["text"][:200] in page["text"]


def replayed_text(browser: Any, pywb: str, url: str, shot: Path, timestamp: str = "2") -> str:
    """Open the replay of `url` (the capture closest to `timestamp`) as a person does (pywb's framed page) and return
    the text the frame renders."""
    page = browser.new_page()
    page.goto(f"{pywb}/{COLLECTION}/{timestamp}/{url}", wait_until="load")
    frame = page.frame_locator("iframe#replay_iframe")
    frame.locator("body").wait_for(timeout=30_000)
    text: str = frame.locator("body").inner_text(timeout=30_000)
    page.screenshot(path=str(shot), full_page=False)
    page.close()
    return text


def test_gbk_and_big5_reports_replay_with_their_chinese_text(
    exported: tuple[Path, str], pywb: str, browser: Any, shots: Path
) -> None:
    store, _ = exported
    for site, charset in ((GBK_SITE, "gb2312"), (BIG5_SITE, "big5")):
        (doc,) = documents(store, site)
        with (store / doc["warc_key"]).open("rb") as warc:
            headers, _ = read_response(warc, doc["warc_offset"])
        assert headers["Content-Type"] == f"text/html; charset={charset}", "the capture is of a page in that charset"
        text = replayed_text(browser, pywb, doc["url"], shots / f"replay-{site}.png")
        text = strip_pinyin(text)[0]  # the Big5 town page annotates characters with pinyin, as the original does
        assert doc["title"] in text.replace("\n", ""), (site, text[:300])
        first_paragraph = doc["text"].split("\n")[0][:40]
        assert first_paragraph in text, (site, first_paragraph, text[:500])
    print(f"replay screenshots: {sorted(str(p) for p in shots.glob('replay-*.png'))}")


def revisit_timestamps(store: Path, site: str, url: str) -> list[str]:
    """The 14-digit times of the revisit records of `url` in the site's stored WARCs (the 304s of the re-run)."""
    times = []
    for path in store.glob(f"raw/2021/{site}/*.warc.gz"):
        with path.open("rb") as warc:
            for record in ArchiveIterator(warc):
                if record.rec_type == "revisit" and record.rec_headers.get_header("WARC-Target-URI") == url:
                    times.append(re.sub(r"\D", "", record.rec_headers.get_header("WARC-Date"))[:14])
    return times


def test_a_report_the_re_run_revisited_replays_as_the_page_the_304_confirmed(
    exported: tuple[Path, str], pywb: str, browser: Any, shots: Path
) -> None:
    store, _ = exported
    for site in (GBK_SITE, BIG5_SITE):
        (doc,) = documents(store, site)
        (timestamp,) = revisit_timestamps(store, site, doc["url"])
        text = replayed_text(browser, pywb, doc["url"], shots / f"replay-revisit-{site}.png", timestamp)
        assert doc["title"] in strip_pinyin(text)[0].replace("\n", ""), (site, timestamp, text[:300])


def test_published_site_shows_the_map_the_sites_and_a_report(
    exported: tuple[Path, str], pywb: str, browser: Any, shots: Path, local_env: dict[str, str], tmp_path: Path
) -> None:
    store, _ = exported
    out = tmp_path / "site"
    replay = f"{pywb}/{COLLECTION}/{{ts}}/{{url}}"
    said = run([NIANBAO, "publish", str(out), "--year", "2021", "--store", str(store), "--replay", replay], local_env)
    assert "(2 sites, 2 reports, 2 WACZ files)" in said
    page = browser.new_page()
    page.goto((out / "index.html").as_uri(), wait_until="load")
    # The map counts the coverage table the harvest wrote: every unit of the two provinces that owes the report
    # (governments at county level and above: the two towns harvested here are not among them).
    units = pq.read_table(store / "coverage" / "rule_of_law" / "2021.parquet").to_pylist()
    for province, short in (("广东省", "广东"), ("湖南省", "湖南")):
        owing = [u for u in units if u["province"] == province]
        published = sum(u["status"] in ("on_time", "late", "undated") for u in owing)
        assert owing, province
        tile = page.locator(f"#map-rule_of_law .tile[data-province='{province}']").inner_text()
        assert tile.replace("\n", "").startswith(f"{short}{published}/{len(owing)}"), (province, tile)
    assert "coverage/rule_of_law/2021.parquet" in page.locator("#map-rule_of_law").inner_text()
    rows = page.locator("#sites tbody tr")
    assert rows.count() == 2
    row = page.locator(f"#sites tr[data-site='{GBK_SITE}']").inner_text()
    (doc,) = documents(store, GBK_SITE)
    standing = {True: "按时 on time", False: "逾期 late", None: "已发布 published"}[doc["on_time"]]
    assert "东莞市常平镇人民政府" in row and standing in row and doc["title"] in row
    page.fill("#search", "石鼓")
    assert page.locator("#results li").count() == 1
    assert "湘潭縣石鼓鎮2021年法治政府建設工作報告" in page.locator("#results").inner_text()
    page.screenshot(path=str(shots / "site-index.png"), full_page=True)

    href = page.locator("#results a").get_attribute("href")
    page.goto((out / str(href)).as_uri(), wait_until="load")
    (big5_doc,) = documents(store, BIG5_SITE)
    assert page.locator("#title").inner_text() == big5_doc["title"]
    assert big5_doc["text"][:60] in page.locator("#text").inner_text()
    assert page.locator("#original").get_attribute("href") == big5_doc["url"]
    page.screenshot(path=str(shots / "site-report.png"), full_page=False)
    page.goto(str(page.locator("#replay").get_attribute("href")), wait_until="load")  # the WACZ on the replay server
    page.frame_locator("iframe#replay_iframe").locator("body").wait_for(timeout=30_000)
    replayed = page.frame_locator("iframe#replay_iframe").locator("body").inner_text()
    assert big5_doc["title"] in strip_pinyin(replayed)[0].replace("\n", "")
    page.close()
    print(f"site screenshots: {sorted(str(p) for p in shots.glob('site-*.png'))}")
