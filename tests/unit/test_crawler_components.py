"""Small crawler components: challenge recognition, the resumption of an unchanged (304) listing."""

from crawler.challenge import challenge_reason
from crawler.pagination import unchanged_listing
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
