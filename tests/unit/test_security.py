"""Security (issue 7): no key escapes its prefix, a bad registry names the site and field, credentials leak nowhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.sites import RegistryError, parse_registry
from storage import layout
from storage.store import Store

HOSTILE_SEGMENTS = [
    "..",
    "../etc",
    "../../state/x",
    "a/../../b",
    "a/b",
    "/etc/passwd",
    "/",
    "",
    ".",
    ".hidden",
    "a\\..\\b",
    "C:\\x",
    "a\0b",
    "%2e%2e%2f",
    "s3://other-bucket/x",
    "a" * 200,
]


@pytest.mark.parametrize("segment", HOSTILE_SEGMENTS)
def test_every_key_builder_refuses_a_segment_that_could_escape(segment: str) -> None:
    builders = [
        lambda s: layout.warc(2021, s, "c1"),
        lambda s: layout.warc(2021, "site", s),
        lambda s: layout.doc("rule_of_law", 2021, s, "d1"),
        lambda s: layout.doc("rule_of_law", 2021, "site", s),
        lambda s: layout.doc(s, 2021, "site", "d1"),
        lambda s: layout.doc("rule_of_law", s, "site", "d1"),
        lambda s: layout.doc_version("rule_of_law", 2021, s, "d1", "ab" * 32),
        lambda s: layout.state(s),
        lambda s: layout.manifest(s, 2021),
        lambda s: layout.run(s),
        lambda s: layout.failure(2021, s, "c1"),
        lambda s: layout.failure(2021, "site", s),
    ]
    for build in builders:
        with pytest.raises(ValueError, match="unsafe key segment"):
            build(segment)


def test_keys_from_safe_parts_stay_under_their_prefix(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "data"))
    for key, prefix in [
        (layout.doc("rule_of_law", 2021, "gd-panyu", "0123abcd"), "docs/"),
        (layout.state("gd-panyu"), "state/"),
        (layout.failure(2021, "gd-panyu", "x1"), "failures/"),
        (layout.run("2021-20240101T000000-abc123"), "runs/"),
    ]:
        assert key.startswith(prefix) and ".." not in key.split("/")
        assert os.path.realpath(store.path(key)).startswith(os.path.realpath(store.root) + os.sep)


@pytest.mark.parametrize(
    ("entry", "site", "field"),
    [
        ('{code: "../etc", name: x, division: "110000", level: county, start_urls: ["http://a.gov.cn/"]}', "../etc", "code"),  # noqa: E501
        ('{code: "a/b", name: x, division: "110000", level: county, start_urls: ["http://a.gov.cn/"]}', "a/b", "code"),
        ('{code: "/abs", name: x, division: "110000", level: county, start_urls: ["http://a.gov.cn/"]}', "/abs", "code"),  # noqa: E501
        ('{code: ok, name: x, division: "11", level: county, start_urls: ["http://a.gov.cn/"]}', "ok", "division"),
        ('{code: ok, name: x, division: "110000", level: planet, start_urls: ["http://a.gov.cn/"]}', "ok", "level"),
        ('{code: ok, name: x, division: "110000", level: county, start_urls: ["file:///etc/passwd"]}', "ok", "start_urls"),  # noqa: E501
        ('{code: ok, name: x, division: "110000", level: county, start_urls: ["javascript:alert(1)"]}', "ok", "start_urls"),  # noqa: E501
        ('{code: ok, name: x, division: "110000", level: county, start_urls: []}', "ok", "start_urls"),
        ('{code: ok, name: x, division: "110000", level: county, start_urls: ["http://a/"], delay: -1}', "ok", "delay"),
        ('{code: ok, name: x, division: "110000", level: county, start_urls: ["http://a/"], evil: 1}', "ok", "evil"),
    ],
)  # fmt: skip
def test_an_invalid_registry_names_the_site_and_the_field(entry: str, site: str, field: str) -> None:
    with pytest.raises(RegistryError) as raised:
        parse_registry(f"sites:\n  - {entry}\n", "my-sites.yaml")
    message = str(raised.value)
    assert "my-sites.yaml" in message and f"site {site}" in message and f"field {field}" in message


def test_a_registry_that_is_not_yaml_or_not_a_list_is_refused_with_the_file_named() -> None:
    for text in ("sites: [", "just a string", "sites: 3"):
        with pytest.raises(RegistryError, match=r"my-sites\.yaml"):
            parse_registry(text, "my-sites.yaml")


# -- credentials ---------------------------------------------------------------------------------------------------
REDIS_PASSWORD = "s3cr3t-redis-Pa55"
AWS_SECRET = "chaosAWSsecretKEY0123456789abcdefSECRET"


def _grep(root: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                import gzip

                try:
                    data += gzip.decompress(data)
                except OSError:
                    pass
            found += [f"{path}: {needle.decode()}" for needle in needles if needle in data]
    return found


@pytest.mark.integration
def test_credentials_never_reach_logs_summaries_artifacts_warcs_or_manifests(tmp_path: Path) -> None:
    """A harvest with a password-protected redis-server (REDIS_URL carries the password) and an AWS secret in the
    environment: neither appears in stdout/stderr, the store (WARC, documents, state, manifests, run summary,
    failures) or Prefect's database (logs, artifacts, flow-run parameters)."""
    from replica import Replica, sites_yaml
    from shell.runtime import free_port, redis_server_binary

    port = free_port()
    redis = subprocess.Popen(
        [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--requirepass", REDIS_PASSWORD, "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        with Replica(port=0) as replica:
            import yaml

            data = yaml.safe_load(sites_yaml(replica.port))
            data["sites"] = [s for s in data["sites"] if s["code"] == "gd-panyu"]
            registry = tmp_path / "sites.yaml"
            registry.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
            env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "REDIS_", "NIANBAO_"))}
            env.update(
                REDIS_URL=f"redis://:{REDIS_PASSWORD}@127.0.0.1:{port}/0",
                AWS_ACCESS_KEY_ID="AKIACHAOSTEST",
                AWS_SECRET_ACCESS_KEY=AWS_SECRET,
                PREFECT_HOME=str(tmp_path / "prefect"),
                PREFECT_SERVER_ANALYTICS_ENABLED="false",
                NIANBAO_LOG_LEVEL="DEBUG",  # the chattiest the crawler gets
            )
            nianbao = str(Path(sys.executable).parent / "nianbao")
            store = tmp_path / "data"
            done = subprocess.run(
                [nianbao, "harvest", "--year", "2021", "--sites", str(registry), "--store", str(store), "--workers", "1"],  # noqa: E501
                env=env, capture_output=True, timeout=600, check=False,
            )  # fmt: skip
    finally:
        redis.terminate()
        redis.wait(10)
    assert done.returncode == 0, done.stderr[-3000:]
    assert list(store.glob("docs/*/2021/gd-panyu/*.json")), "the harvest stored the site's reports"
    assert list(store.glob("raw/2021/gd-panyu/*.warc.gz")) and list(store.glob("runs/*.json"))
    needles = [REDIS_PASSWORD.encode(), AWS_SECRET.encode()]
    leaks = [n.decode() for n in needles if n in done.stdout or n in done.stderr]
    leaks += _grep(store, needles) + _grep(tmp_path / "prefect", needles)
    assert leaks == []


# -- Redis: password and TLS settings ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:pw0rd@redis:6379/0", "redis://:***@redis:6379/0"),
        ("rediss://:pw0rd@redis.example.org:6380/0", "rediss://:***@redis.example.org:6380/0"),
        ("rediss://nianbao:pw0rd@10.0.0.5:6380/1", "rediss://nianbao:***@10.0.0.5:6380/1"),
        ("redis://pw0rd@redis:6379/0", "redis://:***@redis:6379/0"),  # some clients take it as the password
        ("redis://:p%40ss%3Aw0rd@redis:6379/0", "redis://:***@redis:6379/0"),  # quoted '@' and ':' in it
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ],
)
def test_a_redis_url_is_shown_without_its_password(url: str, shown: str) -> None:
    from workers.connection import redact_url

    assert redact_url(url) == shown


def test_a_message_loses_the_password_however_it_is_quoted() -> None:
    from workers.connection import redact_text

    url = "redis://:p%40ss@redis:6379/0"
    assert redact_text("auth p@ss failed; url had p%40ss", url) == "auth *** failed; url had ***"
    assert redact_text("nothing secret", "redis://redis:6379/0") == "nothing secret"


def test_plain_redis_needs_no_tls_settings() -> None:
    from workers.connection import redis_tls_options

    assert redis_tls_options("redis://:pw@redis:6379/0", {}) is None


def test_rediss_verifies_the_server_against_the_system_cas_by_default() -> None:
    import ssl

    from workers.connection import redis_tls_options

    options = redis_tls_options("rediss://:pw@redis:6380/0", {})
    assert options == {"ssl_cert_reqs": ssl.CERT_REQUIRED, "ssl_check_hostname": True}


@pytest.mark.parametrize(
    ("url", "environ", "message"),
    [
        ("rediss://:pw@redis:6380/0", {"NIANBAO_REDIS_CA": "/nonexistent/ca.pem"}, "NIANBAO_REDIS_CA=/nonexistent/ca.pem: no such file"),  # noqa: E501
        ("rediss://:pw@redis:6380/0", {"NIANBAO_REDIS_CERT": "/nonexistent/c.pem"}, "NIANBAO_REDIS_CERT=/nonexistent/c.pem: no such file"),  # noqa: E501
        ("rediss://:pw@redis:6380/0", {"NIANBAO_REDIS_CA": "GARBAGE"}, "NIANBAO_REDIS_CA=.*: not a PEM file of CA certificates"),  # noqa: E501
        ("rediss://:pw@redis:6380/0", {"NIANBAO_REDIS_CERT": "GARBAGE"}, "NIANBAO_REDIS_CERT=.*: not a PEM certificate"),  # noqa: E501
        ("rediss://:pw@redis:6380/0", {"NIANBAO_REDIS_KEY": "GARBAGE"}, "NIANBAO_REDIS_KEY is set without NIANBAO_REDIS_CERT"),  # noqa: E501
        ("redis://:pw@redis:6379/0", {"NIANBAO_REDIS_CA": "GARBAGE"}, "NIANBAO_REDIS_CA set but REDIS_URL=redis://:\\*\\*\\*@redis:6379/0 is not TLS"),  # noqa: E501
        ("rediss://:pw@redis:6380/0?ssl_cert_reqs=none", {}, "TLS options do not go in the URL \\(ssl_cert_reqs\\)"),
        ("http://:pw@redis:6379/0", {}, "REDIS_URL=http://:\\*\\*\\*@redis:6379/0: expected redis://"),
        ("redis:///0", {}, "REDIS_URL=redis:///0: expected"),
    ],
)  # fmt: skip
def test_bad_redis_settings_are_refused_naming_the_variable_and_never_the_password(
    tmp_path: Path, url: str, environ: dict[str, str], message: str
) -> None:
    from workers.connection import RedisConfigError, redis_tls_options

    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n", encoding="utf-8")
    environ = {name: str(garbage) if value == "GARBAGE" else value for name, value in environ.items()}
    with pytest.raises(RedisConfigError, match=message) as raised:
        redis_tls_options(url, environ)
    assert ":pw@" not in str(raised.value)


def test_the_celery_config_carries_the_tls_settings_for_broker_and_backend() -> None:
    """workers/config.py is read in every worker and crawl process: checked in a fresh interpreter."""
    code = (
        "from workers.celery import app; c = app.conf; "
        "print(c.broker_use_ssl == c.redis_backend_use_ssl and c.broker_use_ssl['ssl_cert_reqs'] == 2); "
        "print(app.backend.connparams['connection_class'].__name__)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_REDIS_", "REDIS_"))}
    env["REDIS_URL"] = "rediss://:pw@redis.example.org:6380/0"
    run = [sys.executable, "-c", code]
    done = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["True", "SSLConnection"]
    env["NIANBAO_REDIS_CA"] = "/nonexistent/ca.pem"  # a worker with a wrong path stops at once, naming it
    done = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0 and "NIANBAO_REDIS_CA=/nonexistent/ca.pem: no such file" in done.stderr
    assert ":pw@" not in done.stderr


def test_tls_settings_without_redis_url_are_refused_before_anything_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """TLS settings are for the operator's Redis: a plain embedded one started instead would hide the mistake."""
    from shell.runtime import embedded_services
    from workers.connection import RedisConfigError

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("NIANBAO_REDIS_CA", "/etc/ssl/certs/ca.pem")
    with pytest.raises(RedisConfigError, match="NIANBAO_REDIS_CA set but REDIS_URL is not"):
        with embedded_services(workers=1):
            pytest.fail("nothing may start")
