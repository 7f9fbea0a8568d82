"""Machine translation: an optional provider behind a small interface. None by default.

Settings (read with defaults, so none is required):

* ``MT_PROVIDER``: "none" (default) | "libretranslate" | "argos"
* ``MT_URL``: base URL of a LibreTranslate-compatible server (e.g. http://127.0.0.1:5000)
* ``MT_API_KEY``: its API key, if it needs one
* ``MT_TIMEOUT``: seconds per request (default 10)

Machine output is always marked ``needs_post_editing=True``: a human edits it before review.
The Argos provider uses only language packages the operator installed locally; it never
downloads anything (argostranslate's ``update_package_index`` is never called: offline it
recurses until RecursionError).
"""

from __future__ import annotations

import abc
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class MachineResult:
    text: str
    provider: str
    needs_post_editing: bool = True


class MachineTranslationError(Exception):
    """The provider failed (timeout, HTTP error, bad answer); the message says which and why."""


class ProviderUnavailable(MachineTranslationError):
    """The provider cannot work here (not configured, not installed, no model for the pair)."""


class Provider(abc.ABC):
    """Interface: a name and translate(text, source_lang, target_lang) -> MachineResult."""

    name = "base"

    @abc.abstractmethod
    def translate(self, text: str, source_lang: str, target_lang: str) -> MachineResult:
        """Translate one text; raise ProviderUnavailable or ProviderError when that is not possible."""

    def _result(self, text: str) -> MachineResult:
        return MachineResult(text=text, provider=self.name, needs_post_editing=True)


class NoProvider(Provider):
    name = "none"

    def translate(self, text, source_lang, target_lang):
        raise ProviderUnavailable(_("No machine-translation provider is configured (MT_PROVIDER is “none”)."))


class LibreTranslateProvider(Provider):
    """A LibreTranslate-compatible HTTP API: POST {url}/translate {q, source, target, format, api_key}."""

    name = "libretranslate"

    def __init__(self, url: str, api_key: str = "", timeout: float = 10.0):
        if not url:
            raise ProviderUnavailable(_("MT_URL is not set: the LibreTranslate provider needs the server's address."))
        if not url.startswith(("http://", "https://")):
            raise ProviderUnavailable(_("MT_URL must start with http:// or https://, not %(url)s") % {"url": url})
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = float(timeout)

    def translate(self, text, source_lang, target_lang):
        payload = {"q": text, "source": source_lang, "target": target_lang, "format": "text"}
        if self.api_key:
            payload["api_key"] = self.api_key
        request = urllib.request.Request(
            f"{self.url}/translate",
            data=json.dumps(payload).encode("utf-8"),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - operator's URL
                body = response.read(2 * 1024 * 1024)
        except urllib.error.HTTPError as exc:
            detail = _error_detail(exc)
            raise MachineTranslationError(
                _("LibreTranslate at %(url)s answered HTTP %(status)s%(detail)s")
                % {"url": self.url, "status": exc.code, "detail": f": {detail}" if detail else ""}
            ) from None
        except TimeoutError:
            raise MachineTranslationError(
                _("LibreTranslate at %(url)s did not answer within %(timeout)s s")
                % {"url": self.url, "timeout": self.timeout}
            ) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise MachineTranslationError(
                    _("LibreTranslate at %(url)s did not answer within %(timeout)s s")
                    % {"url": self.url, "timeout": self.timeout}
                ) from None
            raise MachineTranslationError(
                _("LibreTranslate at %(url)s cannot be reached: %(reason)s") % {"url": self.url, "reason": exc.reason}
            ) from None
        try:
            data = json.loads(body.decode("utf-8"))
            translated = data["translatedText"]
            if not isinstance(translated, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise MachineTranslationError(
                _("LibreTranslate at %(url)s gave an answer that is not JSON with translatedText") % {"url": self.url}
            ) from None
        return self._result(translated)


def _error_detail(exc) -> str:
    try:
        return str(json.loads(exc.read(4096).decode("utf-8")).get("error", ""))[:200]
    except Exception:  # noqa: BLE001 - the detail is a courtesy
        return ""


class ArgosProvider(Provider):
    """Argos Translate (CTranslate2) with the language packages installed on this machine only."""

    name = "argos"

    def __init__(self):
        try:
            import argostranslate.translate as argos_translate
        except ImportError:
            raise ProviderUnavailable(
                _("argostranslate is not installed; install it and its model packages, or set MT_PROVIDER=none.")
            ) from None
        self._translate = argos_translate

    def translate(self, text, source_lang, target_lang):
        installed = {lang.code: lang for lang in self._translate.get_installed_languages()}
        source, target = installed.get(source_lang), installed.get(target_lang)
        if source is None or target is None:
            missing = source_lang if source is None else target_lang
            raise ProviderUnavailable(
                _("no Argos language package for %(code)s is installed locally (installed: %(installed)s)")
                % {"code": missing, "installed": ", ".join(sorted(installed)) or "-"}
            )
        translation = source.get_translation(target)  # argos pivots through English where it can
        if translation is None:
            raise ProviderUnavailable(
                _("no installed Argos model translates %(src)s → %(tgt)s") % {"src": source_lang, "tgt": target_lang}
            )
        try:
            return self._result(translation.translate(text))
        except Exception as exc:  # noqa: BLE001 - model errors become a clear message
            raise MachineTranslationError(_("Argos Translate failed: %(error)s") % {"error": exc}) from None


PROVIDERS = {
    "none": lambda: NoProvider(),
    "libretranslate": lambda: LibreTranslateProvider(
        getattr(settings, "MT_URL", ""),
        getattr(settings, "MT_API_KEY", ""),
        float(getattr(settings, "MT_TIMEOUT", 10)),
    ),
    "argos": lambda: ArgosProvider(),
}


def register(name: str, factory) -> None:
    """Add a provider factory (a callable returning a Provider) under ``name``."""
    PROVIDERS[name] = factory


def get_provider(name: str | None = None) -> Provider:
    """The provider named by ``name`` or settings.MT_PROVIDER ("none" by default)."""
    name = (name or getattr(settings, "MT_PROVIDER", "none") or "none").strip().lower()
    factory = PROVIDERS.get(name)
    if factory is None:
        raise ProviderUnavailable(
            _("unknown MT_PROVIDER %(name)s; use one of %(names)s")
            % {"name": repr(name), "names": ", ".join(PROVIDERS)}
        )
    return factory()


def translate(text: str, *, source_lang: str, target_lang: str) -> MachineResult:
    """Translate with the configured provider; the result always needs post-editing."""
    return get_provider().translate(text, source_lang, target_lang)
