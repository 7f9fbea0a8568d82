"""A JSON POST with urllib (stdlib, as translation/machine.py does), its failures sorted into the
two kinds of send error. Adapters then read the status and body the provider answered."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from .base import PermanentSendError, SenderNotConfigured, TransientSendError

MAX_ANSWER = 1024 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict

    def json(self):
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None

    def retry_after(self) -> float | None:
        value = self.headers.get("retry-after", "")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            from django.utils import timezone

            return max(0.0, (parsedate_to_datetime(value) - timezone.now()).total_seconds())
        except (TypeError, ValueError):
            return None


def check_url(setting: str, url: str) -> str:
    if not url:
        raise SenderNotConfigured(f"{setting} is not set")
    if not url.startswith(("http://", "https://")):
        raise SenderNotConfigured(f"{setting} must start with http:// or https://, not {url!r}")
    return url.rstrip("/")


def post(url: str, body: bytes, headers: dict, *, timeout: float, provider: str) -> Answer:
    """POST ``body``; any HTTP status comes back as an Answer, no answer at all is a TransientSendError."""
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", "Accept": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the operator's URL
            return Answer(response.status, response.read(MAX_ANSWER), _lower(response.headers))
    except urllib.error.HTTPError as exc:
        try:
            data = exc.read(MAX_ANSWER)
        except (OSError, TimeoutError):
            data = b""
        return Answer(exc.code, data, _lower(exc.headers))
    except TimeoutError:
        raise TransientSendError(f"{provider} did not answer within {timeout} s", code="timeout") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise TransientSendError(f"{provider} did not answer within {timeout} s", code="timeout") from None
        raise TransientSendError(f"{provider} cannot be reached: {exc.reason}", code="unreachable") from None
    except (ConnectionError, OSError) as exc:  # reset or dropped mid-answer
        raise TransientSendError(f"{provider} dropped the connection: {exc}", code="unreachable") from None


def raise_for_status(answer: Answer, provider: str, detail: str = "") -> None:
    """HTTP 2xx passes. 408, 425, 429 and 5xx are transient; 401 and 403 too (the operator fixes the
    credentials, the message is fine); any other 4xx is permanent."""
    if 200 <= answer.status < 300:
        return
    text = detail or answer.body[:200].decode("utf-8", "replace").strip()
    reason = f"{provider} answered HTTP {answer.status}" + (f": {text}" if text else "")
    code = f"http_{answer.status}"
    if answer.status in (408, 425, 429) or answer.status >= 500:
        raise TransientSendError(reason, code=code, retry_after=answer.retry_after())
    if answer.status in (401, 403):
        raise TransientSendError(reason, code="auth")
    raise PermanentSendError(reason, code=code)


def _lower(headers) -> dict:
    return {key.lower(): value for key, value in (headers.items() if headers else [])}
