"""Small crawler components: challenge recognition, the resumption of an unchanged (304) listing, and what a
re-run asks of a site it knows."""

from datetime import UTC, datetime, timedelta

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.challenge import challenge_reason
from crawler.pagination import unchanged_listing
from crawler.site import SiteCrawl
from nianbao.sites import Site
from replica.server import SITE_DIR
from storage.state import SiteState, scope

SCOPE = scope(2021, ["rule_of_law"])

RUISHU = (
    b'<html><head><meta http-equiv="Content-Type"></head><script type="text/javascript">$_ts=window["$_ts"];</script>'
)


def test_js_challenges_are_recognised_by_status_and_script() -> None:
    codes = {412, 521}
    assert "Ruishu" in (challenge_reason(412, RUISHU, codes) or "")
    assert "Jiasule" in (challenge_reason(521, b"<script>document.cookie=...</script>", codes) or "")


def test_plain_errors_are_not_challenges() -> None:
    codes = {412, 521}
    assert challenge_reason(412, b"Precondition Failed", codes) is None
    assert challenge_reason(200, RUISHU, codes) is None
    assert challenge_reason(500, RUISHU, codes) is None


def _listed(state: SiteState, url: str, reports: list[str], follow: list[tuple[str, str]]) -> None:
    state.listed(url, SCOPE, year=2021, sha256=url, etag='"e"', reports=reports, follow=follow)


def test_an_unchanged_listing_resumes_only_the_work_left_undone() -> None:
    state = SiteState("panyu")
    for report in ("http://h/a.html", "http://h/b.html"):
        state.update(report, year=2021, sha256=report, queued=True, attachments=[])
    state.update("http://h/c.html", year=2021, sha256="c", queued=False, attachments=[])  # its crawl died
    _listed(
        state,
        "http://h/list.html",
        ["http://h/a.html"],
        [("page", "http://h/list_2.html"), ("column", "http://h/col/")],
    )
    _listed(
        state,
        "http://h/list_2.html",
        ["http://h/b.html"],
        [("page", "http://h/list.html"), ("page", "http://h/list_3.html"), ("dataproxy", "http://h/dp.jsp?c=1")],
    )
    _listed(state, "http://h/list_3.html", ["http://h/c.html"], [("page", "http://h/list_4.html")])
    reports, requests = unchanged_listing(state, "http://h/list.html", SCOPE)
    # list_2 is trusted: walked, not fetched; list_3 listed a report whose capture was lost: fetched again.
    assert reports == ["http://h/a.html", "http://h/b.html"]
    assert requests == [
        ("column", "http://h/col/"),
        ("page", "http://h/list_3.html"),
        ("dataproxy", "http://h/dp.jsp?c=1"),
    ]


def test_a_crawls_settings_copy_is_equal_and_independent() -> None:
    from crawler.crawl import CrawlSettings, crawl_settings
    from nianbao.sites import Site

    site = Site(code="s", name="S", division="110000", level="province", start_urls=["http://s.gov.cn/"],
                allowed_domains=["s.gov.cn"], render=True)  # fmt: skip
    settings = crawl_settings(render=(site,), overrides={"DOWNLOAD_TIMEOUT": "5", "DOWNLOAD_DELAY": "3"})
    copy = settings.copy()
    assert isinstance(copy, CrawlSettings)
    assert copy.copy_to_dict() == settings.copy_to_dict()
    assert copy.getpriority("DOWNLOAD_TIMEOUT") == settings.getpriority("DOWNLOAD_TIMEOUT")
    assert copy.getwithbase("DOWNLOADER_MIDDLEWARES") == settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    assert copy["DOWNLOAD_HANDLERS"] == settings["DOWNLOAD_HANDLERS"]  # the render site's browser
    copy["DOWNLOADER_MIDDLEWARES"]["crawler.warc.WarcMiddleware"] = None
    copy["RETRY_HTTP_CODES"].append(418)
    copy.freeze()
    assert settings["DOWNLOADER_MIDDLEWARES"]["crawler.warc.WarcMiddleware"] == 586
    assert 418 not in settings.getlist("RETRY_HTTP_CODES")
    settings.set("DOWNLOAD_DELAY", 9)  # the original stays unfrozen
    assert copy.getfloat("DOWNLOAD_DELAY") == 3.0


# -- a re-run's walk: what it asks, what it walks on from the state (crawler.site with crawler.revalidation) ------
LISTING_URL, COLUMN_URL, REPORT_URL = "http://h/list.html", "http://h/col/", "http://h/report.html"
OUT_OF_SEASON = datetime(2026, 9, 1, tzinfo=UTC)  # 2021 reports: their season ended in May 2022


def _known_site(asked: datetime, unchanged: int) -> SiteState:
    """A state whose listing page (asked at `asked`, then `unchanged` answers "unchanged") listed one report, queued
    and seen twice the same, and led to a column."""
    state = SiteState("s")
    stable = {"checked": asked.isoformat(), "since": (asked - timedelta(days=1)).isoformat()}
    state.update(REPORT_URL, year=2021, sha256="r", queued=True, attachments=[], report_year=2021)
    state.update(REPORT_URL, unchanged=1, **stable)
    _listed(state, LISTING_URL, [REPORT_URL], [("column", COLUMN_URL)])
    state.update(LISTING_URL, unchanged=unchanged, **stable)
    return state


def _rerun(state: SiteState, started: datetime, *, force: bool = False) -> tuple[SiteCrawl, list[str]]:
    site = Site(code="s", name="S", division="440113", level="district", start_urls=["http://h/"],
                listing_urls=[LISTING_URL])  # fmt: skip
    run = SiteCrawl(site, 2021, {"rule_of_law"}, "c", "raw/c", "/tmp/c.warc.gz", state, force, started=started)
    return run, [request.url for request in run.start_requests()]


def test_a_listing_page_not_due_is_walked_on_from_the_state_without_a_request() -> None:
    run, asked = _rerun(_known_site(OUT_OF_SEASON - timedelta(days=1), unchanged=2), OUT_OF_SEASON)
    assert asked == [COLUMN_URL], "the column it led to is asked by its own rule; the report is not due"
    assert run.counts == {"skipped/listing_not_due": 1, "skipped/report_not_due": 1}


def test_a_listing_page_seen_the_same_only_twice_is_asked() -> None:
    _, asked = _rerun(_known_site(OUT_OF_SEASON - timedelta(days=1), unchanged=1), OUT_OF_SEASON)
    assert asked == [LISTING_URL]


def test_in_the_publication_season_and_with_force_every_listing_page_is_asked() -> None:
    in_season = datetime(2022, 3, 15, tzinfo=UTC)
    _, asked = _rerun(_known_site(in_season - timedelta(days=1), unchanged=2), in_season)
    assert asked == [LISTING_URL]
    _, asked = _rerun(_known_site(OUT_OF_SEASON - timedelta(days=1), unchanged=2), OUT_OF_SEASON, force=True)
    assert asked == [LISTING_URL, REPORT_URL]


def test_a_jcms_record_set_is_recorded_as_a_list_of_its_own_not_as_its_shells_next_page() -> None:
    """So that a shell answering 304 asks its record set again (where new reports appear) instead of walking it."""
    shell = "http://127.0.0.13/col/col1234/index.html"
    body = (SITE_DIR / "changping" / "col" / "col1234" / "index.html").read_bytes()
    run, _ = _rerun(SiteState("s"), OUT_OF_SEASON)
    list(run.parse_listing(HtmlResponse(shell, body=body, request=Request(shell, meta={"column_depth": 0}))))
    work = run.state.listing_work(shell, run.scope)
    assert work is not None
    assert [kind for kind, url in work["follow"] if "dataproxy.jsp" in url] == ["dataproxy"], work["follow"]


def test_a_crawl_process_refuses_a_kind_kinds_yaml_does_not_configure(capsys: pytest.CaptureFixture[str]) -> None:
    """The walk reads each kind's publication season from kinds.yaml: an unknown kind is refused before any crawl."""
    from crawler.crawl import main

    with pytest.raises(SystemExit) as refused:
        main(["--site-json", "{}", "--year", "2021", "--kind", "rule_of_law", "--kind", "nope", "--store", "/dev/null"])
    assert refused.value.code == 2 and "unknown report kind(s) nope" in capsys.readouterr().err
