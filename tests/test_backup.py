"""`ketnoi backup` and `ketnoi restore`, run as an operator runs them: the CLI in a subprocess against
a scratch installation of its own (its own KETNOI_VAR_DIR; the embedded SQLite database, or a scratch
PostgreSQL database next to the one DATABASE_URL names), never the test database of this session.

The PostgreSQL round trip runs when DATABASE_URL points at PostgreSQL (CI's second pass); there a
server that cannot be reached fails the test in CI. KETNOI_BACKUP_TEST_DATABASE_URL names the scratch
database explicitly (default: the DATABASE_URL database's name with ``_bk`` appended); it is created
and dropped by the test.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import require_service

REPO = Path(__file__).resolve().parents[1]
_STRIPPED_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "TEST_DATABASE_NAME",
    "KETNOI_QUEUE_FILE",
    "KETNOI_QUEUE_NAME",
    "KETNOI_PROFILE",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "DJANGO_SETTINGS_MODULE",
)

# Data an operator cares about: a user (an audited write through the service), an uploaded file
# stored the way uploads are, and the audit entries those writes left.
CREATE_DATA = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from ketnoi.core.audit import acting_as
from ketnoi.core.models import AuditEntry
from ketnoi.orgs.services import user_create
with acting_as(None, name="cli", source="cli"):
    user_create(username="{username}", password="a-long-password-1", full_name="Lò Văn {username}")
default_storage.save("reports/2026/12/{username}.txt", ContentFile("bằng chứng {username}".encode()))
print(AuditEntry.objects.count())
"""

SNAPSHOT = """
import json
from ketnoi.core.models import AuditEntry
from ketnoi.orgs.models import User
print(json.dumps({"users": sorted(User.objects.values_list("username", flat=True)),
                  "audit": AuditEntry.objects.count()}))
"""

TRIGGERS_REFUSE = """
from django.db import DatabaseError, connection, transaction
try:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET actor_name = 'forged'")
    print("updated")
except DatabaseError:
    print("refused")
"""


class Install:
    """A scratch installation that `ketnoi` commands run against."""

    def __init__(self, var_dir: Path, database_url: str | None = None):
        self.var_dir = var_dir
        var_dir.mkdir(parents=True, exist_ok=True)
        self.media = var_dir / "media"
        self.env = {k: v for k, v in os.environ.items() if k not in _STRIPPED_ENV}
        self.env.update(KETNOI_VAR_DIR=str(var_dir), KETNOI_TESTING="0", PYTHONPATH=str(REPO))
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "ketnoi.cli", *args],
            env=self.env,
            cwd=self.var_dir,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=300,
        )

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, f"`ketnoi {' '.join(args)}` exited {result.returncode}:\n{result.stderr}"
        return result.stdout

    def shell(self, code: str) -> str:
        lines = [line for line in self.ok("manage", "shell", "-c", code).splitlines() if line.strip()]
        return lines[-1].strip()

    def files(self) -> dict[str, bytes]:
        return {p.relative_to(self.media).as_posix(): p.read_bytes() for p in self.media.rglob("*") if p.is_file()}


def _round_trip(install: Install, tmp_path: Path) -> None:
    install.ok("migrate")
    assert int(install.shell(CREATE_DATA.format(username="alice"))) >= 1
    before_data, before_files = json.loads(install.shell(SNAPSHOT)), install.files()
    assert "alice" in before_data["users"] and before_files == {
        "reports/2026/12/alice.txt": "bằng chứng alice".encode()
    }

    archive = tmp_path / "backup.tar"
    out = install.ok("backup", "--output", str(archive))
    assert str(archive) in out and "1 uploaded files" in out
    assert archive.stat().st_mode & 0o777 == 0o600  # personal data: the owner only
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = tar.getnames()
    assert manifest["format"] == "ketnoi-backup" and manifest["database"]["vendor"] == install.vendor
    assert manifest["migrations"]["core"] >= "0003" and manifest["created_at"].endswith("+00:00")
    assert manifest["tables"]["orgs_user"] == len(before_data["users"])
    assert manifest["tables"]["core_auditentry"] == before_data["audit"]
    assert "media/reports/2026/12/alice.txt" in names and set(manifest["members"]) == set(names) - {"manifest.json"}

    # the data moves on: a new user and file, the old file changed and another deleted
    install.shell(CREATE_DATA.format(username="bob"))
    (install.media / "reports/2026/12/alice.txt").write_bytes(b"overwritten")
    assert json.loads(install.shell(SNAPSHOT))["users"] != before_data["users"]

    # no terminal and no --yes: refused, nothing changed
    refused = install.run("restore", str(archive))
    assert refused.returncode == 2 and "--yes" in refused.stderr and "Traceback" not in refused.stderr
    assert "bob" in json.loads(install.shell(SNAPSHOT))["users"]

    out = install.ok("restore", str(archive), "--yes")
    assert "restored" in out
    assert json.loads(install.shell(SNAPSHOT)) == before_data
    assert install.files() == before_files
    assert (install.media / "reports/2026/12/alice.txt").stat().st_mode & 0o777 == 0o640
    assert install.shell(TRIGGERS_REFUSE) == "refused"  # the audit log is still append-only

    # a restore whose staged copy does not verify leaves the current data as it was
    install.shell(CREATE_DATA.format(username="carol"))
    current_data, current_files = json.loads(install.shell(SNAPSHOT)), install.files()
    wrong = _rewrite(archive, tmp_path / "wrong-counts.tar", manifest_edit=_wrong_count)
    result = install.run("restore", str(wrong), "--yes")
    assert result.returncode == 2 and "orgs_user" in result.stderr and "unchanged" in result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(install.shell(SNAPSHOT)) == current_data
    assert install.files() == current_files


def _wrong_count(manifest: dict) -> None:
    manifest["tables"]["orgs_user"] += 1


def _rewrite(source: Path, target: Path, *, manifest_edit=None, member_edit=None, extra=()) -> Path:
    """A copy of an archive with its manifest or a member changed, or extra members added."""
    with tarfile.open(source) as tar, tarfile.open(target, "w") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            if member.name == "manifest.json" and manifest_edit:
                manifest = json.loads(data)
                manifest_edit(manifest)
                data = json.dumps(manifest).encode()
            elif member_edit:
                data = member_edit(member.name, data)
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
        for name, data in extra:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


# --- SQLite ------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_install(tmp_path):
    install = Install(tmp_path / "var")
    install.vendor = "sqlite"
    return install


def test_round_trip_on_sqlite(sqlite_install, tmp_path):
    _round_trip(sqlite_install, tmp_path)


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory):
    """One migrated SQLite installation with a user and a file, and its backup."""
    root = tmp_path_factory.mktemp("backup-refusals")
    install = Install(root / "var")
    install.ok("migrate")
    install.shell(CREATE_DATA.format(username="alice"))
    archive = root / "good.tar"
    install.ok("backup", "--output", str(archive))
    return install, archive


def _flip_media(name: str, data: bytes) -> bytes:
    return data.replace(b"alice", b"ALICE") if name.startswith("media/") else data


def _future_migration(manifest: dict) -> None:
    manifest["applied_migrations"]["core"].append("9999_from_the_future")


def _other_vendor(manifest: dict) -> None:
    manifest["database"] = {"vendor": "postgresql", "member": "database.pgdump"}
    manifest["members"]["database.pgdump"] = manifest["members"].pop("database.sqlite3")


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("tampered", "checksum of member 'media/reports/2026/12/alice.txt' does not match"),
        ("traversal", "unsafe path"),
        ("absolute", "unsafe path"),
        ("newer", "newer version of Kết Nối (migration core.9999_from_the_future"),
        ("not_tar", "is not a Kết Nối backup"),
        ("no_manifest", "is not a Kết Nối backup"),
        ("unlisted", "do not match its manifest"),
    ],
)
def test_restore_refuses_a_wrong_or_damaged_file(backed_up, tmp_path, case, expected):
    install, good = backed_up
    bad = tmp_path / f"{case}.tar"
    if case == "tampered":
        _rewrite(good, bad, member_edit=_flip_media)
    elif case == "traversal":
        _rewrite(good, bad, extra=[("media/../../escaped.txt", b"x")])
    elif case == "absolute":
        _rewrite(good, bad, extra=[("/tmp/escaped.txt", b"x")])
    elif case == "newer":
        _rewrite(good, bad, manifest_edit=_future_migration)
    elif case == "not_tar":
        bad.write_bytes(b"PK\x03\x04 this is a zip, or anything else")
    elif case == "no_manifest":
        with tarfile.open(bad, "w") as out:
            info = tarfile.TarInfo("notes.txt")
            info.size = 2
            out.addfile(info, io.BytesIO(b"hi"))
    elif case == "unlisted":
        _rewrite(good, bad, extra=[("media/unlisted.txt", b"x")])
    users_before, files_before = install.shell(SNAPSHOT), install.files()

    result = install.run("restore", str(bad), "--yes")

    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert message.count("\n") == 0 and str(bad) in message and expected in message, message
    assert install.shell(SNAPSHOT) == users_before and install.files() == files_before
    assert not (install.var_dir.parent / "escaped.txt").exists() and not Path("/tmp/escaped.txt").exists()


def test_restore_refuses_a_backup_of_another_database_vendor(backed_up, tmp_path):
    install, good = backed_up
    bad = tmp_path / "vendor.tar"
    with tarfile.open(good) as tar, tarfile.open(bad, "w") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            name = "database.pgdump" if member.name == "database.sqlite3" else member.name
            if member.name == "manifest.json":
                manifest = json.loads(data)
                _other_vendor(manifest)
                data = json.dumps(manifest).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    result = install.run("restore", str(bad), "--yes")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "postgresql backup" in result.stderr and "across database vendors is not supported" in result.stderr


def test_backup_never_overwrites_a_file(backed_up):
    install, good = backed_up
    before = good.read_bytes()
    result = install.run("backup", "--output", str(good))
    assert result.returncode == 2 and "already exists" in result.stderr and good.read_bytes() == before


def test_backup_list_and_default_location(backed_up):
    install, _ = backed_up
    out = install.ok("backup")
    path = Path(out.split()[1])
    assert path.parent == install.var_dir / "backups" and path.name.startswith("ketnoi-backup-")
    assert (install.var_dir / "backups").stat().st_mode & 0o777 == 0o700
    assert str(path) in install.ok("backup", "--list")


def test_restore_refuses_when_the_disk_is_too_small(monkeypatch, tmp_path):
    import shutil

    from ketnoi import backup

    manifest = {"members": {"database.sqlite3": {"size": 10 * 1024 * 1024, "sha256": "0"}}}
    monkeypatch.setattr(shutil, "disk_usage", lambda folder: shutil._ntuple_diskusage(100, 100, 20 * 1024 * 1024))
    with pytest.raises(backup.BackupError, match=r"needs 11 MiB to restore but .* has only 20 MiB free"):
        backup._check_space(tmp_path / "b.tar", manifest, [tmp_path])


# --- PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture
def postgres_install(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        # The SQLite pass uses the local PostgreSQL server too (required in CI, see require_service).
        url = os.environ.get("KETNOI_BACKUP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/ketnoi_backup_test")
    import psycopg

    parts = urlsplit(os.environ.get("KETNOI_BACKUP_TEST_DATABASE_URL") or url)
    name = parts.path.lstrip("/")
    if not os.environ.get("KETNOI_BACKUP_TEST_DATABASE_URL"):
        name = f"{name}_bk"
    scratch = urlunsplit(parts._replace(path=f"/{name}"))
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        require_service(False, "PostgreSQL at DATABASE_URL")
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    install = Install(tmp_path / "var", database_url=scratch)
    install.vendor = "postgresql"
    yield install
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_round_trip_on_postgresql(postgres_install, tmp_path):
    _round_trip(postgres_install, tmp_path)
