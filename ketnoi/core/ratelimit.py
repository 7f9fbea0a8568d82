"""Counting failures in the shared cache (database or Redis) so every process sees the same count."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, ip: str | None) -> list[str]:
    account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    keys = [f"login-fail:user:{account}"]
    if ip:
        keys.append(f"login-fail:ip:{ip}")
    return keys


def login_blocked(username: str, ip: str | None) -> bool:
    limits = settings.LOGIN_RATE_LIMIT
    user_key, *ip_key = _keys(username, ip)
    if (cache.get(user_key) or 0) >= limits["per_account"]:
        return True
    return bool(ip_key) and (cache.get(ip_key[0]) or 0) >= limits["per_ip"]


def login_failed(username: str, ip: str | None) -> None:
    window = settings.LOGIN_RATE_LIMIT["window_seconds"]
    for key in _keys(username, ip):
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)


def login_succeeded(username: str) -> None:
    cache.delete(_keys(username, None)[0])
