"""SMS and messaging adapters behind one interface (issue 8.8; docs/channels.md).

``sender_for(platform)`` builds the adapter configured for a platform from the settings
(docs/configuration.md):

* ``"sms"``: ``SMS_BACKEND=smpp`` (smpp.SmppSender) or ``http`` (http_sms.HttpSmsSender);
* ``"zalo"``: zalo.ZaloSender when ``ZALO_OA_ACCESS_TOKEN`` is set;
* ``"webhook"`` (and ``"other"``): webhook.WebhookSender when ``WEBHOOK_URL`` is set.

Nothing configured raises ``SenderNotConfigured`` with a message naming the setting, never a crash
at import or start-up. An SMPP sender holds a session: use it as a context manager or ``close()`` it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from .base import (
    Event,
    InboundMessage,
    OptOut,
    OutboundMessage,
    PermanentSendError,
    Receipt,
    ReceiptRejected,
    Sender,
    SenderNotConfigured,
    SendError,
    SendResult,
    TransientSendError,
)

__all__ = [
    "Event",
    "InboundMessage",
    "OptOut",
    "OutboundMessage",
    "PermanentSendError",
    "Receipt",
    "ReceiptRejected",
    "SendError",
    "SendResult",
    "Sender",
    "SenderNotConfigured",
    "TransientSendError",
    "register",
    "sender_for",
]


def _setting(name: str, default=""):
    return getattr(settings, name, default)


def _sms() -> Sender:
    backend = (_setting("SMS_BACKEND") or "").strip().lower()
    if backend == "smpp":
        from .smpp import SmppSender

        return SmppSender(
            host=_setting("SMPP_HOST"),
            port=int(_setting("SMPP_PORT", 2775)),
            system_id=_setting("SMPP_SYSTEM_ID"),
            password=_setting("SMPP_PASSWORD"),
            system_type=_setting("SMPP_SYSTEM_TYPE"),
            brand_name=_setting("SMS_BRAND_NAME"),
            timeout=float(_setting("SMPP_TIMEOUT", 10)),
            enquire_seconds=float(_setting("SMPP_ENQUIRE_SECONDS", 30)),
            opt_out_keywords=tuple(_setting("SMS_OPT_OUT_KEYWORDS", ())),
            receipt_timezone=_setting("SMPP_RECEIPT_TIME_ZONE") or settings.TIME_ZONE,
        )
    if backend == "http":
        from .http_sms import HttpSmsSender

        return HttpSmsSender(
            url=_setting("SMS_HTTP_URL"),
            brand_name=_setting("SMS_BRAND_NAME"),
            api_key=_setting("SMS_HTTP_API_KEY"),
            username=_setting("SMS_HTTP_USERNAME"),
            password=_setting("SMS_HTTP_PASSWORD"),
            timeout=float(_setting("SMS_HTTP_TIMEOUT", 10)),
            id_field=_setting("SMS_HTTP_ID_FIELD") or "message_id",
            callback_token=_setting("SMS_HTTP_CALLBACK_TOKEN"),
        )
    if not backend or backend == "none":
        raise SenderNotConfigured("SMS is not configured: set SMS_BACKEND to smpp or http (docs/configuration.md)")
    raise SenderNotConfigured(f"unknown SMS_BACKEND {backend!r}: use smpp or http")


def _zalo() -> Sender:
    from .zalo import ZaloSender

    if not _setting("ZALO_OA_ACCESS_TOKEN"):
        raise SenderNotConfigured("Zalo is not configured: set ZALO_OA_ACCESS_TOKEN (docs/configuration.md)")
    return ZaloSender(
        access_token=_setting("ZALO_OA_ACCESS_TOKEN"),
        mode=_setting("ZALO_MODE") or "cs",
        api_url=_setting("ZALO_API_URL") or "https://openapi.zalo.me",
        zns_url=_setting("ZALO_ZNS_URL") or "https://business.openapi.zalo.me",
        zns_template_id=_setting("ZALO_ZNS_TEMPLATE_ID"),
        zns_text_param=_setting("ZALO_ZNS_TEXT_PARAM") or "content",
        app_id=_setting("ZALO_APP_ID"),
        secret_key=_setting("ZALO_OA_SECRET_KEY"),
        timeout=float(_setting("ZALO_TIMEOUT", 10)),
        tolerance=int(_setting("ZALO_WEBHOOK_TOLERANCE_SECONDS", 86400)),
    )


def _webhook() -> Sender:
    from .webhook import WebhookSender

    if not _setting("WEBHOOK_URL"):
        raise SenderNotConfigured("The webhook is not configured: set WEBHOOK_URL and WEBHOOK_SECRET")
    return WebhookSender(
        url=_setting("WEBHOOK_URL"),
        secret=_setting("WEBHOOK_SECRET"),
        timeout=float(_setting("WEBHOOK_TIMEOUT", 10)),
        tolerance=int(_setting("WEBHOOK_TOLERANCE_SECONDS", 300)),
    )


FACTORIES: dict[str, Callable[[], Sender]] = {"sms": _sms, "zalo": _zalo, "webhook": _webhook, "other": _webhook}


def register(platform: str, factory: Callable[[], Sender]) -> None:
    """Add or replace the adapter factory of a platform."""
    FACTORIES[platform] = factory


def sender_for(platform: str) -> Sender:
    """The configured adapter for ``platform`` (a MessagingAccount.Platform value, or "webhook")."""
    factory = FACTORIES.get((platform or "").strip().lower())
    if factory is None:
        raise SenderNotConfigured(
            f"no messaging adapter for platform {platform!r} (adapters: {', '.join(sorted(FACTORIES))})"
        )
    return factory()
