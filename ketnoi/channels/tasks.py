"""Background jobs of the channels: speech synthesis of loudspeaker renditions (idempotent)."""

from __future__ import annotations

from ketnoi.core.jobs import job

from . import services


@job(retries=2, retry_delay=30, name="channels.synthesize_rendition")
def synthesize_rendition(rendition_id: int, text_checksum: str):
    """Speak a rendition's text and store the loudness-normalised audio; a rendition whose text
    changed since the request is left for the newer request."""
    return services.synthesize_rendition_now(rendition_id, text_checksum)
