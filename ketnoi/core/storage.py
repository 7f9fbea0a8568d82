"""File storage that leaves nothing half-written: a write that fails (the disk is full, a quota is
reached) removes the partial file it created before the error goes on to the request, which then
answers 507 (core/middleware.py, core/api.py) and rolls its transaction back."""

import errno
import os

from django.core.files.storage import FileSystemStorage

DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS


class CleanFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        path = self.path(name)
        existed = os.path.exists(path)
        try:
            return super()._save(name, content)
        except OSError:
            if not existed and os.path.exists(path):
                os.remove(path)
            raise
