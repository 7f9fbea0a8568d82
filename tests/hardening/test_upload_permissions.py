"""Uploaded files are not world-readable (issue 11.10)."""

import os
import stat

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile


def _mode(name):
    return stat.S_IMODE(os.stat(default_storage.path(name)).st_mode)


def test_small_and_large_uploads_are_kept_private(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    small = default_storage.save("attachments/a.txt", SimpleUploadedFile("a.txt", b"bien ban"))
    large = TemporaryUploadedFile("b.bin", "application/octet-stream", 3, None)
    large.write(b"abc")
    large.seek(0)
    big = default_storage.save("evidence/b.bin", large)
    plain = default_storage.save("audio/c.mp3", ContentFile(b"ID3"))
    for name in (small, big, plain):
        assert _mode(name) & 0o007 == 0, (name, oct(_mode(name)))
        assert _mode(name) == 0o640
    assert stat.S_IMODE(os.stat(tmp_path / "attachments").st_mode) & 0o007 == 0
