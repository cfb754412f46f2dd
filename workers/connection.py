"""Connecting to Redis: one URL, one set of TLS settings, and nothing printed with a password in it.

Every connection to Redis (Celery's broker and result backend, redis-py probes, kombu maintenance, the embedded
runtime's readiness checks) is made from the same URL and the same TLS settings (`redis_tls_options`), and anything
printed about it goes through `redact_url`. It lives with the workers because Celery's configuration reads it; the
shell that starts services imports it from here.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import redis

REDIS_CHECK_TIMEOUT_S = 5.0
REDIS_TLS_SETTINGS = ("NIANBAO_REDIS_CA", "NIANBAO_REDIS_CERT", "NIANBAO_REDIS_KEY")


class RedisUnreachable(RuntimeError):
    """The Redis at REDIS_URL refused us or did not answer; the message names the URL without its password."""


class RedisConfigError(ValueError):
    """REDIS_URL or a NIANBAO_REDIS_* setting cannot be used; the message names the variable, never the password."""


def redact_url(url: str) -> str:
    """`url` with its password replaced by `***`: the only form of a Redis URL that may be printed or stored."""
    scheme, netloc, path, query, fragment = urlsplit(url)
    if "@" not in netloc:
        return url
    userinfo, host = netloc.rsplit("@", 1)
    # A userinfo without a colon is hidden whole: some clients take `redis://SECRET@host` as a password.
    user = userinfo.split(":", 1)[0] if ":" in userinfo else ""
    return urlunsplit((scheme, f"{user}:***@{host}", path, query, fragment))


def redact_text(text: str, url: str) -> str:
    """`text` (an error message, a log tail) with the password of `url` replaced by `***`, however it is quoted."""
    netloc = urlsplit(url).netloc
    if "@" not in netloc:
        return text
    userinfo = netloc.rsplit("@", 1)[0]
    secret = userinfo.split(":", 1)[1] if ":" in userinfo else userinfo
    for form in {secret, unquote(secret)}:
        if form:
            text = text.replace(form, "***")
    return text


def redis_tls_options(url: str, environ: Mapping[str, str] = os.environ) -> dict[str, Any] | None:
    """The TLS settings for a Redis URL: None for `redis://`, CA verification for `rediss://`.

    One dict, in redis-py's keyword names, serves as Celery's `broker_use_ssl` and `redis_backend_use_ssl` and as
    redis-py's keyword arguments, so every connection checks the server the same way. TLS options are not read
    from the URL's query: kombu would then fall back to no verification at all when they are missing, and Celery
    and redis-py parse them each their own way. The server certificate is checked against the system's CAs, or
    NIANBAO_REDIS_CA; NIANBAO_REDIS_CERT (and NIANBAO_REDIS_KEY if the key is in its own file) add a client
    certificate. Every file is loaded here, once, so a wrong path fails at start with the variable named.
    """
    parts = urlsplit(url)
    ca = environ.get("NIANBAO_REDIS_CA", "")
    cert = environ.get("NIANBAO_REDIS_CERT", "")
    key = environ.get("NIANBAO_REDIS_KEY", "")
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise RedisConfigError(
            f"REDIS_URL={redact_url(url)}: expected redis://:PASSWORD@HOST:PORT/DB, or rediss://… for TLS"
        )
    in_query = sorted(name for name in parse_qs(parts.query) if name.startswith("ssl"))
    if in_query:
        raise RedisConfigError(
            f"REDIS_URL={redact_url(url)}: TLS options do not go in the URL ({', '.join(in_query)}); "
            "set NIANBAO_REDIS_CA / NIANBAO_REDIS_CERT / NIANBAO_REDIS_KEY instead"
        )
    given = {name: value for name, value in (("NIANBAO_REDIS_CA", ca), ("NIANBAO_REDIS_CERT", cert),
                                             ("NIANBAO_REDIS_KEY", key)) if value}  # fmt: skip
    if parts.scheme == "redis":
        if given:
            raise RedisConfigError(
                f"{', '.join(given)} set but REDIS_URL={redact_url(url)} is not TLS: use rediss:// to connect with TLS"
            )
        return None
    for name, path in given.items():
        if not os.path.isfile(path):
            raise RedisConfigError(f"{name}={path}: no such file")
    if key and not cert:
        raise RedisConfigError("NIANBAO_REDIS_KEY is set without NIANBAO_REDIS_CERT: set the client certificate too")
    options: dict[str, Any] = {"ssl_cert_reqs": ssl.CERT_REQUIRED, "ssl_check_hostname": True}
    context = ssl.create_default_context()
    if ca:
        try:
            context.load_verify_locations(cafile=ca)
        except (ssl.SSLError, OSError, ValueError) as e:
            raise RedisConfigError(f"NIANBAO_REDIS_CA={ca}: not a PEM file of CA certificates ({e})") from None
        options["ssl_ca_certs"] = ca
    if cert:
        try:
            context.load_cert_chain(cert, key or None)
        except (ssl.SSLError, OSError, ValueError) as e:
            named = f"NIANBAO_REDIS_CERT={cert}" + (f" with NIANBAO_REDIS_KEY={key}" if key else "")
            raise RedisConfigError(f"{named}: not a PEM certificate and its private key ({e})") from None
        options["ssl_certfile"] = cert
        if key:
            options["ssl_keyfile"] = key
    return options


def redis_client(url: str, **kwargs: Any) -> redis.Redis:
    """A redis-py client for `url` with the same TLS settings as Celery's connections."""
    return redis.Redis.from_url(url, **(redis_tls_options(url) or {}), **kwargs)


def check_redis(url: str) -> None:
    """Connect, authenticate and PING once: a wrong password, a refused certificate or an unreachable host is
    one clear error at start (with the URL redacted), not a Celery worker retrying forever in the background."""
    try:
        with redis_client(url, socket_connect_timeout=REDIS_CHECK_TIMEOUT_S, socket_timeout=REDIS_CHECK_TIMEOUT_S) as r:
            r.ping()
    except redis.RedisError as e:
        reason = redact_text(f"{type(e).__name__}: {e}", url)
        raise RedisUnreachable(f"cannot use the Redis at REDIS_URL={redact_url(url)}: {reason}") from None
