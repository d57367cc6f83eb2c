"""HTTP for the live connectors: time out, retry what can succeed later, resume downloads, keep keys secret.

- Every call has a connect and a read timeout.
- 429 and 5xx, connection errors, timeouts and bodies a validator calls retryable (a truncated JSON
  document, a row count that disagrees with its rows) are retried with exponential backoff and jitter;
  a `Retry-After` header is a floor on the wait, never shortened. A wait longer than
  `max_retry_after` is not slept through inside a step: the call fails and the Dagster retry policy
  (or the next schedule tick) takes over.
- Downloads go to `<dest>.part` and resume with `Range` (guarded by `If-Range`) after a dropped
  connection or a killed process, then move into place atomically with their sha256.
- Keys are secrets: their values are replaced by `***` in every URL, message and log line this
  module produces, and query parameters and headers that carry keys are redacted by name too.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from orchestration.checksums import file_sha256

T = TypeVar("T")

# Names whose values are credentials wherever they appear (query string or header).
SECRET_PARAM_NAMES = frozenset({"key", "subscription-key", "api_key", "apikey", "token", "access_token"})
SECRET_HEADER_NAMES = frozenset({"ocp-apim-subscription-key", "authorization", "x-api-key", "proxy-authorization"})
REDACTED = "***"

_LOG = logging.getLogger("chipchain.connectors")


class RetryableResponse(Exception):
    """A response that may succeed if asked again (truncated body, inconsistent count)."""


class HttpError(Exception):
    """A call that failed for good; the message is already redacted."""

    def __init__(self, message: str, status: int | None = None, url: str = ""):
        super().__init__(message)
        self.status = status
        self.url = url


@dataclass(frozen=True)
class Progress:
    """One progress report: bytes so far (and total when known), rows so far, for one label."""

    label: str
    bytes_done: int = 0
    bytes_total: int | None = None
    rows: int | None = None
    event: str = "progress"  # progress | done | retry | call

    def describe(self) -> str:
        parts = [self.label]
        if self.bytes_total:
            parts.append(
                f"{self.bytes_done:,}/{self.bytes_total:,} bytes ({100 * self.bytes_done / self.bytes_total:.0f}%)"
            )
        elif self.bytes_done:
            parts.append(f"{self.bytes_done:,} bytes")
        if self.rows is not None:
            parts.append(f"{self.rows:,} rows")
        return f"[{self.event}] " + ", ".join(parts)


ProgressCallback = Callable[[Progress], None]


@dataclass
class CallStats:
    """What a client did: calls made, retries, bytes received, statuses seen, waits slept."""

    calls: int = 0
    retries: int = 0
    bytes: int = 0
    statuses: Counter = field(default_factory=Counter)
    retry_reasons: Counter = field(default_factory=Counter)
    waits: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "retries": self.retries,
            "bytes": self.bytes,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=lambda kv: str(kv[0]))},
            "retry_reasons": dict(self.retry_reasons),
            "seconds_waited": round(sum(self.waits), 3),
        }


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    bytes: int
    sha256: str
    status: int
    resumed_from: tuple[int, ...]  # offsets a Range request restarted from (empty: one go)
    url: str  # redacted


class Redactor:
    """Scrubs secret values and secret-named parameters from text, URLs and headers."""

    def __init__(self, secrets: Iterable[str] = ()):
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def add(self, secret: str) -> None:
        if secret and secret not in self._secrets:
            self._secrets = sorted([*self._secrets, secret], key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            value = value.replace(secret, REDACTED)
        # also any key=... in a URL-looking string, whoever's key it is
        return re.sub(
            r"(?i)([?&](?:" + "|".join(re.escape(n) for n in SECRET_PARAM_NAMES) + r")=)[^&#\s'\"]*",
            r"\1" + REDACTED,
            value,
        )

    def url(self, url: str, params: dict[str, Any] | None = None) -> str:
        """The URL with its query (and `params`, when given) and any secret value redacted."""
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        query += [(k, str(v)) for k, v in (params or {}).items() if v is not None]
        safe = [(k, REDACTED if k.lower() in SECRET_PARAM_NAMES else v) for k, v in query]
        return self.text(urlunsplit(parts._replace(query=urlencode(safe, safe=",*:"))))

    def headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        return {
            k: (REDACTED if k.lower() in SECRET_HEADER_NAMES else self.text(str(v))) for k, v in (headers or {}).items()
        }


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class RateLimiter:
    """At most one call per `min_interval` seconds for one client (shared by its threads)."""

    def __init__(self, min_interval: float, clock: Callable[[], float], sleep: Callable[[float], None]):
        self.min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if self.min_interval <= 0:
            return
        with self._lock:
            now = self._clock()
            if now < self._next:
                self._sleep(self._next - now)
                now = self._clock()
            self._next = now + self.min_interval


class HttpClient:
    """A requests session with timeouts, retries, rate limiting, resumable downloads and redaction."""

    def __init__(
        self,
        *,
        name: str = "http",
        timeout: tuple[float, float] = (10.0, 120.0),
        max_attempts: int = 6,
        backoff_base: float = 2.0,
        backoff_max: float = 120.0,
        max_retry_after: float = 600.0,
        min_interval: float = 0.0,
        secrets: Iterable[str] = (),
        progress: ProgressCallback | None = None,
        logger: logging.Logger | Any | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        progress_every_bytes: int = 8 << 20,
    ):
        self.name = name
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.redactor = Redactor(secrets)
        self.progress = progress
        self.log = logger or _LOG
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", "chipchain-warehouse/0.1 (+supply-chain analytics)")
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.limiter = RateLimiter(min_interval, clock, sleep)
        self.stats = CallStats()
        self.progress_every_bytes = progress_every_bytes

    # -- reporting -------------------------------------------------------------------------------
    def report(self, progress: Progress) -> None:
        if self.progress is not None:
            self.progress(progress)

    def _warn(self, message: str) -> None:
        self.log.warning(self.redactor.text(message))

    def _info(self, message: str) -> None:
        self.log.info(self.redactor.text(message))

    # -- backoff ---------------------------------------------------------------------------------
    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Wait before attempt `attempt + 1`: exponential with equal jitter, never under Retry-After."""
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        wait = ceiling / 2 + self._rng.uniform(0, ceiling / 2)
        if retry_after is not None:
            # the server said when; a little jitter on top keeps many clients from returning at once
            wait = retry_after + self._rng.uniform(0, min(1.0, self.backoff_base))
        return wait

    def _retry_or_raise(self, attempt: int, reason: str, url: str, retry_after: float | None, status: int | None):
        if retry_after is not None and retry_after > self.max_retry_after:
            raise HttpError(
                f"{self.name}: {url} asked to retry after {retry_after:.0f} s "
                f"(limit {self.max_retry_after:.0f} s): {reason}",
                status,
                url,
            )
        if attempt >= self.max_attempts:
            raise HttpError(f"{self.name}: {url} failed after {attempt} attempts: {reason}", status, url)
        wait = self.backoff(attempt, retry_after)
        self.stats.retries += 1
        self.stats.retry_reasons[reason.split(":")[0]] += 1
        self.stats.waits.append(wait)
        self._warn(f"{self.name}: attempt {attempt}/{self.max_attempts} of {url}: {reason}; retrying in {wait:.2f} s")
        self.report(Progress(label=url, event="retry"))
        self._sleep(wait)

    # -- plain calls -----------------------------------------------------------------------------
    def get(
        self,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        validate: Callable[[requests.Response], T] | None = None,
    ) -> T | requests.Response:
        """GET with retries. `validate(response)` may raise RetryableResponse to ask again."""
        params = {k: v for k, v in (params or {}).items() if v is not None}
        shown = self.redactor.url(url, params)
        attempt = 0
        while True:
            attempt += 1
            self.limiter.wait()
            self.stats.calls += 1
            self.report(Progress(label=shown, event="call"))
            try:
                response = self.session.get(url, params=params, headers=headers, timeout=self.timeout)
            except requests.Timeout as exc:
                self._retry_or_raise(attempt, f"timeout: {self.redactor.text(str(exc))}", shown, None, None)
                continue
            except requests.ConnectionError as exc:
                self._retry_or_raise(attempt, f"connection error: {self.redactor.text(str(exc))}", shown, None, None)
                continue
            self.stats.statuses[response.status_code] += 1
            self.stats.bytes += len(response.content or b"")
            status = response.status_code
            if status == 429 or status >= 500:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                self._retry_or_raise(
                    attempt, f"HTTP {status}: {_snippet(response, self.redactor)}", shown, retry_after, status
                )
                continue
            if status >= 400:
                raise HttpError(
                    f"{self.name}: {shown} answered HTTP {status}: {_snippet(response, self.redactor)}", status, shown
                )
            if validate is None:
                return response
            try:
                return validate(response)
            except RetryableResponse as exc:
                self._retry_or_raise(attempt, f"invalid body: {self.redactor.text(str(exc))}", shown, None, status)

    def get_json(self, url: str, **kwargs: Any) -> Any:
        """GET a JSON document; a body that does not parse (cut off in transit) is retried."""

        def parse(response: requests.Response) -> Any:
            try:
                return json.loads(response.content)
            except ValueError as exc:
                raise RetryableResponse(f"body of {len(response.content)} bytes is not complete JSON ({exc})") from exc

        return self.get(url, validate=parse, **kwargs)

    # -- downloads -------------------------------------------------------------------------------
    def download(
        self,
        url: str,
        dest: Path,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        label: str | None = None,
        chunk_size: int = 64 << 10,
    ) -> DownloadResult:
        """Stream `url` to `dest`, resuming a partial `dest.part` with Range; returns size and sha256."""
        params = {k: v for k, v in (params or {}).items() if v is not None}
        shown = self.redactor.url(url, params)
        label = label or shown
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        meta_path = dest.with_name(dest.name + ".part.json")
        resumed: list[int] = []
        attempt = 0
        while True:
            attempt += 1
            offset = part.stat().st_size if part.exists() else 0
            validator = _read_json(meta_path).get("validator") if offset else None
            request_headers = dict(headers or {})
            if offset:
                request_headers["Range"] = f"bytes={offset}-"
                if validator:
                    request_headers["If-Range"] = validator
            self.limiter.wait()
            self.stats.calls += 1
            self.report(Progress(label=label, bytes_done=offset, event="call"))
            try:
                response = self.session.get(
                    url, params=params, headers=request_headers, timeout=self.timeout, stream=True
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                self._retry_or_raise(attempt, f"connection error: {self.redactor.text(str(exc))}", shown, None, None)
                continue
            with response:
                status = response.status_code
                self.stats.statuses[status] += 1
                if status == 416 and offset:
                    total = _content_range_total(response.headers.get("Content-Range"))
                    if total == offset:  # the part file already holds everything
                        break
                    part.unlink(missing_ok=True)
                    self._retry_or_raise(
                        attempt, "HTTP 416: partial file does not match; restarting", shown, None, status
                    )
                    continue
                if status == 429 or status >= 500:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    self._retry_or_raise(attempt, f"HTTP {status}", shown, retry_after, status)
                    continue
                if status >= 400:
                    raise HttpError(
                        f"{self.name}: {shown} answered HTTP {status}: {_snippet(response, self.redactor)}",
                        status,
                        shown,
                    )
                if status == 206:
                    start = _content_range_start(response.headers.get("Content-Range"))
                    if start != offset:
                        part.unlink(missing_ok=True)
                        self._retry_or_raise(
                            attempt, f"range answer starts at {start}, not {offset}", shown, None, status
                        )
                        continue
                    resumed.append(offset)
                    total = _content_range_total(response.headers.get("Content-Range"))
                    mode = "ab"
                else:  # 200: the whole body (the server ignored Range, or the file changed)
                    if offset:
                        self._info(f"{self.name}: {shown} sent the whole file again; restarting from byte 0")
                    offset = 0
                    length = response.headers.get("Content-Length")
                    total = int(length) if length and length.isdigit() else None
                    mode = "wb"
                    validator = response.headers.get("ETag") or response.headers.get("Last-Modified")
                    _write_json(meta_path, {"validator": validator, "total": total, "url": shown})
                done = offset
                next_report = done + self.progress_every_bytes
                try:
                    with part.open(mode) as out:
                        for block in response.iter_content(chunk_size=chunk_size):
                            if not block:
                                continue
                            out.write(block)
                            done += len(block)
                            self.stats.bytes += len(block)
                            if done >= next_report:
                                self.report(Progress(label=label, bytes_done=done, bytes_total=total))
                                next_report = done + self.progress_every_bytes
                except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                    self._retry_or_raise(
                        attempt,
                        f"interrupted at byte {done:,}: {self.redactor.text(type(exc).__name__)}",
                        shown,
                        None,
                        status,
                    )
                    continue
                if total is not None and done < total:
                    self._retry_or_raise(attempt, f"short body: {done:,} of {total:,} bytes", shown, None, status)
                    continue
                break
        sha = file_sha256(part)
        size = part.stat().st_size
        os.replace(part, dest)
        meta_path.unlink(missing_ok=True)
        self.report(Progress(label=label, bytes_done=size, bytes_total=size, event="done"))
        return DownloadResult(dest, size, sha, 200, tuple(resumed), shown)


def _snippet(response: requests.Response, redactor: Redactor, limit: int = 300) -> str:
    try:
        text = response.text
    except Exception:  # undecodable body: say so rather than fail while reporting a failure
        text = f"<{len(response.content)} bytes>"
    return redactor.text(" ".join(text.split())[:limit]) or "<empty body>"


def _content_range_start(value: str | None) -> int | None:
    match = re.match(r"bytes (\d+)-\d+/(\d+|\*)", value or "")
    return int(match.group(1)) if match else None


def _content_range_total(value: str | None) -> int | None:
    match = re.search(r"/(\d+)$", value or "")
    return int(match.group(1)) if match else None


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(payload))


def log_progress(logger: logging.Logger | Any) -> ProgressCallback:
    """A progress callback that writes to a logger (Dagster's context.log or a logging.Logger)."""

    def report(progress: Progress) -> None:
        if progress.event in ("progress", "done"):
            logger.info(progress.describe())
        else:
            logger.debug(progress.describe())

    return report
