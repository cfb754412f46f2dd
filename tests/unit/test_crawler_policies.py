"""The crawler's plain policies: hostile URLs, private addresses, query-variant traps, bounded fingerprints,
Crawl-delay, conditional headers."""

from __future__ import annotations

import pytest

from crawler.conditional import conditional_headers
from crawler.dupefilter import BoundedFingerprints
from crawler.hostile import address_refusal, host_allowed, non_public, url_refusal
from crawler.middlewares.politeness import slot_delay
from crawler.traps import QueryVariants, variant_key

DOMAINS = ("www.panyu.gov.cn",)


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,<script>x</script>", "file:///etc/passwd", "ftp://www.panyu.gov.cn/a"],
)
def test_other_schemes_are_refused(url: str) -> None:
    assert url_refusal(url, allowed_domains=DOMAINS) == url_refusal(url, allowed_domains=())
    refusal = url_refusal(url, allowed_domains=DOMAINS)
    assert refusal is not None and refusal[0] == "scheme"


def test_offsite_hosts_and_redirects_are_refused_with_their_reason() -> None:
    assert url_refusal("http://www.panyu.gov.cn/fzzfjs/", allowed_domains=DOMAINS) is None
    assert url_refusal("https://sub.www.panyu.gov.cn/x", allowed_domains=DOMAINS) is None
    stat, reason = url_refusal("http://evil.example/x", allowed_domains=DOMAINS) or ("", "")
    assert stat == "offsite" and "evil.example" in reason
    stat, reason = url_refusal("http://evil.example/x", allowed_domains=DOMAINS, redirected=True) or ("", "")
    assert stat == "offsite_redirect" and "redirect" in reason


def test_a_domain_is_matched_by_labels_not_by_suffix() -> None:
    assert host_allowed("www.panyu.gov.cn", DOMAINS)
    assert not host_allowed("evilwww.panyu.gov.cn", DOMAINS)
    assert not host_allowed("panyu.gov.cn", DOMAINS)
    assert host_allowed("anything.example", ())


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1", "fe80::1", "::ffff:10.0.0.1",
     "0.0.0.0", "100.64.0.1", "224.0.0.1"],
)  # fmt: skip
def test_non_public_addresses(address: str) -> None:
    assert non_public(address)
    refusal = address_refusal("portal.example", [address], allow_private=False)
    assert refusal is not None and refusal[0] == "offsite_private" and address in refusal[1]
    assert address_refusal("portal.example", [address], allow_private=True) is None


@pytest.mark.parametrize("address", ["202.96.128.86", "2400:3200::1", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert not non_public(address)
    assert address_refusal("portal.example", [address], allow_private=False) is None


def test_a_host_with_one_private_address_among_public_ones_is_refused() -> None:
    assert address_refusal("x.example", ["8.8.8.8", "10.0.0.5"], allow_private=False) is not None


def test_query_variants_are_bounded_per_path_and_ignore_parameter_order() -> None:
    variants = QueryVariants(3)
    assert variant_key("http://h/c?b=2&a=1") == variant_key("http://h/c?a=1&b=2")
    for day in range(1, 4):
        assert variants.allow(f"http://h/calendar?date=2021-01-0{day}")
    assert not variants.allow("http://h/calendar?date=2021-01-04")
    assert variants.allow("http://h/calendar?date=2021-01-02")  # seen before: a retry is no new variant
    assert variants.allow("http://h/calendar")  # no query at all
    assert variants.allow("http://h/other?date=2021-01-04")  # another path has its own budget
    assert variants.allow("http://h2/calendar?date=2021-01-04")  # and another host


def test_bounded_fingerprints_forget_the_least_recently_seen() -> None:
    seen = BoundedFingerprints(2)
    assert not seen.add(b"a") and not seen.add(b"b")
    assert seen.add(b"a")  # a duplicate, and now the most recent
    assert not seen.add(b"c")  # evicts b
    assert seen.evicted == 1 and len(seen) == 2
    assert b"a" in seen and b"b" not in seen
    with pytest.raises(ValueError):
        BoundedFingerprints(0)


def test_crawl_delay_never_below_download_delay_and_capped() -> None:
    assert slot_delay(None, minimum=1.0, maximum=30) is None
    assert slot_delay(0, minimum=1.0, maximum=30) is None
    assert slot_delay(0.5, minimum=1.0, maximum=30) == 1.0
    assert slot_delay(5, minimum=1.0, maximum=30) == 5
    assert slot_delay(3600, minimum=1.0, maximum=30) == 30


def test_conditional_headers_come_from_the_state_entry() -> None:
    assert conditional_headers(None) == {}
    entry = {"etag": '"abc"', "last_modified": "Mon, 06 May 2024 02:00:00 GMT", "sha256": "x"}
    assert conditional_headers(entry) == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Mon, 06 May 2024 02:00:00 GMT",
    }
    assert conditional_headers({"etag": None, "last_modified": "Mon"}) == {"If-Modified-Since": "Mon"}
