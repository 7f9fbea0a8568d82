"""Sign-in throttling that slows password guessing without handing anyone a lever to lock others out.

Failures are counted per (account, address) pair in the shared cache (database or Redis, so every
process sees the same count). After ``free_failures`` of them each further failure doubles the wait
before that pair may try again (2 s, 4 s, 8 s … up to ``max_delay_seconds``). The owner signing in
from another address, and colleagues behind the same commune NAT, are not slowed by it.

Two wider counters catch what the pair cannot: one address trying many accounts (spraying) and one
account tried from many addresses (distributed guessing). They slow down the same way from higher
thresholds, and skip a browser that has signed in to that account before (a signed "known browser"
cookie), so an attacker can slow strangers down but cannot keep the owner out of their own device.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

KNOWN_BROWSER_COOKIE = "ketnoi_known"
_KNOWN_SALT = "ketnoi.signin.known-browser"
_KNOWN_MAX_ACCOUNTS = 5


def _limits() -> dict:
    return settings.LOGIN_THROTTLE


def account_key(username: str) -> str:
    """A username as the counters and the known-browser cookie hold it: hashed, never in clear."""
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]


@dataclass(frozen=True)
class _Counter:
    key: str
    free: int  # failures allowed before any wait


def _counters(username: str, ip: str | None, *, known: bool) -> list[_Counter]:
    limits, account = _limits(), account_key(username)
    counters = [_Counter(f"signin:pair:{account}:{ip or '-'}", limits["free_failures"])]
    if not known:
        counters.append(_Counter(f"signin:account:{account}", limits["account_free_failures"]))
        if ip:
            counters.append(_Counter(f"signin:address:{ip}", limits["address_free_failures"]))
    return counters


def delay_after(failures: int, free: int) -> int:
    """Seconds to wait after ``failures`` failures when ``free`` of them cost nothing."""
    if failures < free:
        return 0
    limits = _limits()
    return int(min(limits["max_delay_seconds"], limits["base_delay_seconds"] * 2 ** (failures - free)))


def window_number() -> int:
    """Which throttle window it is now (for "once per window" messages)."""
    return int(time.time() // _limits()["window_seconds"])


def login_wait(username: str, ip: str | None, *, known: bool = False) -> int:
    """Seconds before this account may try again from this address (0: it may try now)."""
    now = time.time()
    waits = [cache.get(f"{counter.key}:until") or 0 for counter in _counters(username, ip, known=known)]
    return max(0, int(max(waits) - now + 0.999))


def login_failed(username: str, ip: str | None, *, known: bool = False) -> int:
    """Count a failed sign-in; returns the failures of this account from this address in the window."""
    window, now = _limits()["window_seconds"], time.time()
    pair_failures = 0
    for index, counter in enumerate(_counters(username, ip, known=known)):
        cache.add(counter.key, 0, window)
        try:
            failures = cache.incr(counter.key)
        except ValueError:  # expired between add and incr
            cache.set(counter.key, 1, window)
            failures = 1
        if index == 0:
            pair_failures = failures
        wait = delay_after(failures, counter.free)
        if wait:
            cache.set(f"{counter.key}:until", now + wait, window)
    return pair_failures


def login_succeeded(username: str, ip: str | None) -> None:
    """The right password from this address: its pair starts again (the wider counters run on)."""
    key = _counters(username, ip, known=True)[0].key
    cache.delete_many([key, f"{key}:until"])


def known_accounts(cookie_value: str | None) -> list[str]:
    """The account keys a browser's known-browser cookie vouches for (none if missing or forged)."""
    if not cookie_value:
        return []
    try:
        value = signing.loads(cookie_value, salt=_KNOWN_SALT, max_age=_limits()["known_browser_days"] * 86400)
    except signing.BadSignature:
        return []
    return [str(v) for v in value][:_KNOWN_MAX_ACCOUNTS] if isinstance(value, list) else []


def is_known_browser(request, username: str) -> bool:
    if request is None:
        return False
    return account_key(username) in known_accounts(request.COOKIES.get(KNOWN_BROWSER_COOKIE))


def remember_browser(request, response, username: str) -> None:
    """After a successful sign-in: this browser is known to this account from now on."""
    accounts = [a for a in known_accounts(request.COOKIES.get(KNOWN_BROWSER_COOKIE)) if a != account_key(username)]
    value = signing.dumps([account_key(username), *accounts][:_KNOWN_MAX_ACCOUNTS], salt=_KNOWN_SALT)
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        value,
        max_age=_limits()["known_browser_days"] * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
