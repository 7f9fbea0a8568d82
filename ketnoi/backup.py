"""`ketnoi backup` and `ketnoi restore`: the database and the uploaded files in one archive.

The archive is a plain tar file, written 0600 (it holds personal data):

    database.sqlite3 | database.pgdump   a database-level snapshot (SQLite online backup API, or
                                         pg_dump --format=custom), so the audit log's triggers
                                         travel with the data and no row is written through the ORM
    media/<path>                         every uploaded file under MEDIA_ROOT
    manifest.json                        format and version, creation time, Kết Nối version,
                                         database vendor, migration state, row counts of every
                                         table and the SHA-256 and size of every other member

A restore checks everything it can before it touches the current data (what the file is, every
member's name, checksum and size, the vendor, the migration state, free disk space), stages the
database and the files next to the live ones, verifies the row counts, and only then swaps: the
SQLite database in one write transaction of the backup API, the PostgreSQL schema in one
transaction that also re-checks the row counts, the media folder by renaming. A failure at any
point leaves the current data as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

FORMAT = "ketnoi-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DB_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Room kept free on a disk beyond what a restore writes there.
DISK_MARGIN = 64 * 1024 * 1024
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A refusal or failure, as one sentence for the operator (exit code 2)."""


@dataclass
class RestoreResult:
    vendor: str
    tables: int
    rows: int
    files: int
    notes: list[str] = field(default_factory=list)


# --- helpers ----------------------------------------------------------------------------------


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("ketnoi")
    except Exception:  # pragma: no cover - not installed as a package
        return "unknown"


def _connection():
    from django.db import connection

    return connection


def _vendor() -> str:
    return _connection().vendor


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _latest(applied: dict[str, list[str]]) -> dict[str, str]:
    return {app: sorted(names)[-1] for app, names in sorted(applied.items()) if names}


def _pg_params() -> tuple[list[str], dict[str, str], str]:
    """Connection arguments and environment for the PostgreSQL client tools, and the database name."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    return args, env, str(db["NAME"])


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client tools (Debian: apt install postgresql-client) "
            "in the same major version as the server or newer"
        )
    return path


def _run_tool(argv: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        errors = [line for line in lines if "ERROR" in line or "FATAL" in line] or lines
        detail = " ".join(" ".join(errors).split())[:600]
        raise BackupError(f"{what} failed: {detail}")
    return result


# --- what the database holds -------------------------------------------------------------------


def _sqlite_state(conn: sqlite3.Connection) -> tuple[dict[str, list[str]], dict[str, int]]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {name: conn.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0] for name in tables}
    applied: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        for app, name in conn.execute("SELECT app, name FROM django_migrations"):
            applied.setdefault(app, []).append(name)
    return applied, counts


def _pg_state(cursor) -> tuple[dict[str, list[str]], dict[str, int]]:
    cursor.execute("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for name in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(name)}")
        counts[name] = cursor.fetchone()[0]
    applied: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations")
        for app, name in cursor.fetchall():
            applied.setdefault(app, []).append(name)
    return applied, counts


def database_is_empty() -> bool:
    """True when the current database holds no Kết Nối data at all (not even a migration)."""
    connection = _connection()
    return "django_migrations" not in connection.introspection.table_names()


def database_label() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if _vendor() == "sqlite":
        return f"the SQLite database {db['NAME']}"
    return f"the PostgreSQL database {db['NAME']} on {db.get('HOST') or 'localhost'}"


# --- backup -------------------------------------------------------------------------------------


def default_output() -> Path:
    from django.conf import settings

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.VAR_DIR) / "backups" / f"ketnoi-backup-{stamp}.tar"


class _HashingReader(io.RawIOBase):
    """Reads exactly `size` bytes of a file and hashes them on the way into the archive."""

    def __init__(self, handle, size: int):
        self.handle, self.left, self.digest = handle, size, hashlib.sha256()

    def readable(self):
        return True

    def read(self, n=-1):
        n = self.left if n is None or n < 0 else min(n, self.left)
        data = self.handle.read(n)
        if len(data) < n:
            raise BackupError(f"{self.handle.name} changed while it was being backed up; run the backup again")
        self.left -= len(data)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, source: Path, name: str, files: dict) -> None:
    with open(source, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o640, int(os.stat(source).st_mtime)
        reader = _HashingReader(handle, size)
        tar.addfile(info, reader)
    files[name] = {"sha256": reader.digest.hexdigest(), "size": size}


def _snapshot_sqlite(work: Path) -> tuple[Path, dict, dict]:
    from django.conf import settings

    live = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=60)
    target_path = work / DB_MEMBERS["sqlite"]
    target = sqlite3.connect(target_path)
    try:
        live.backup(target)  # a consistent snapshot, even while the server writes
        target.execute("PRAGMA journal_mode=DELETE")
        applied, counts = _sqlite_state(target)
    finally:
        target.close()
        live.close()
    return target_path, applied, counts


def _snapshot_postgresql(work: Path) -> tuple[Path, dict, dict]:
    import psycopg
    from django.conf import settings

    pg_dump = _tool("pg_dump")
    args, env, name = _pg_params()
    db = settings.DATABASES["default"]
    target_path = work / DB_MEMBERS["postgresql"]
    # One exported snapshot: the counts in the manifest describe exactly the rows pg_dump writes.
    with psycopg.connect(
        dbname=name,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=False,
    ) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        with conn.cursor() as cursor:
            applied, counts = _pg_state(cursor)
        _run_tool(
            [
                pg_dump,
                *args,
                "--format=custom",
                "--no-owner",
                "--no-acl",
                f"--snapshot={snapshot}",
                "--file",
                str(target_path),
                name,
            ],
            env,
            "pg_dump",
        )
        conn.rollback()
    return target_path, applied, counts


def create_backup(output: Path | None = None) -> tuple[Path, dict]:
    """Write a backup archive; return its path and manifest. Refuses to overwrite a file."""
    from django.conf import settings

    output = Path(output) if output else default_output()
    if output.exists():
        raise BackupError(f"{output} already exists; choose another --output (a backup never overwrites a file)")
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    vendor = _vendor()
    if vendor not in DB_MEMBERS:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    partial = output.with_name(f".{output.name}.partial")
    with tempfile.TemporaryDirectory(prefix=".ketnoi-backup-", dir=output.parent) as tmp:
        work = Path(tmp)
        db_path, applied, counts = (_snapshot_sqlite if vendor == "sqlite" else _snapshot_postgresql)(work)
        files: dict[str, dict] = {}
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    _add_file(tar, db_path, DB_MEMBERS[vendor], files)
                    media_root = Path(settings.MEDIA_ROOT)
                    if media_root.is_dir():
                        for dirpath, dirnames, filenames in os.walk(media_root):
                            dirnames.sort()
                            for filename in sorted(filenames):
                                path = Path(dirpath) / filename
                                if path.is_symlink() or not path.is_file():
                                    continue  # only regular files are uploads
                                relative = path.relative_to(media_root).as_posix()
                                _add_file(tar, path, MEDIA_PREFIX + relative, files)
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                        "ketnoi_version": _version(),
                        "database": {"vendor": vendor, "member": DB_MEMBERS[vendor]},
                        "migrations": _latest(applied),
                        "applied_migrations": {app: sorted(names) for app, names in sorted(applied.items())},
                        "tables": counts,
                        "media_files": sum(1 for name in files if name.startswith(MEDIA_PREFIX)),
                        "members": files,
                    }
                    data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mode, info.mtime = len(data), 0o600, int(dt.datetime.now().timestamp())
                    tar.addfile(info, io.BytesIO(data))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, output)
        except BaseException:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise
    return output, manifest


def list_backups() -> list[tuple[Path, dict | None]]:
    from django.conf import settings

    folder = Path(settings.VAR_DIR) / "backups"
    found = []
    for path in sorted(folder.glob("*.tar")) if folder.is_dir() else []:
        try:
            found.append((path, read_manifest(path)[0]))
        except BackupError:
            found.append((path, None))
    return found


# --- reading and checking an archive ------------------------------------------------------------


def _safe_member_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    parts = PurePosixPath(name).parts
    return bool(parts) and all(part not in ("", ".", "..") for part in parts) and not parts[0].endswith(":")


def read_manifest(path: Path) -> tuple[dict, tarfile.TarFile]:
    """Open an archive and check its structure against its manifest (no checksums yet)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    try:
        tar = tarfile.open(path, mode="r:")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path} is not a Kết Nối backup (not a tar archive: {exc})") from None
    try:
        members = tar.getmembers()
    except (tarfile.TarError, OSError, EOFError) as exc:
        tar.close()
        raise BackupError(f"{path} is damaged: its archive cannot be read ({exc})") from None
    try:
        names = [member.name for member in members]
        for member in members:
            if not _safe_member_name(member.name):
                raise BackupError(f"{path} is refused: member {member.name!r} has an unsafe path (absolute or '..')")
            if not member.isfile():
                raise BackupError(f"{path} is refused: member {member.name!r} is not a regular file")
        if len(set(names)) != len(names):
            raise BackupError(f"{path} is refused: it names a member more than once")
        if MANIFEST not in names:
            raise BackupError(f"{path} is not a Kết Nối backup (it has no {MANIFEST})")
        manifest_member = tar.getmember(MANIFEST)
        if manifest_member.size > 64 * 1024 * 1024:
            raise BackupError(f"{path} is not a Kết Nối backup ({MANIFEST} is implausibly large)")
        try:
            manifest = json.loads(tar.extractfile(manifest_member).read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError, tarfile.TarError, OSError):
            raise BackupError(f"{path} is not a Kết Nối backup ({MANIFEST} is not valid JSON)") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(f"{path} is not a Kết Nối backup (its manifest is of another kind)")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"{path} is a backup in format version {manifest.get('format_version')!r}, "
                f"which this version of Kết Nối (format {FORMAT_VERSION}) cannot read"
            )
        listed = manifest.get("members")
        database = manifest.get("database")
        if (
            not isinstance(listed, dict)
            or not isinstance(database, dict)
            or database.get("vendor") not in DB_MEMBERS
            or database.get("member") != DB_MEMBERS[database["vendor"]]
            or not isinstance(manifest.get("tables"), dict)
            or not isinstance(manifest.get("applied_migrations"), dict)
        ):
            raise BackupError(f"{path} is damaged: its manifest is incomplete")
        actual = set(names) - {MANIFEST}
        if set(listed) != actual:
            extra = sorted(actual - set(listed)) or sorted(set(listed) - actual)
            raise BackupError(
                f"{path} is damaged: its members do not match its manifest (first difference: {extra[0]!r})"
            )
        if database["member"] not in actual:
            raise BackupError(f"{path} is damaged: it holds no database")
        for member in members:
            if member.name != MANIFEST and listed[member.name].get("size") != member.size:
                raise BackupError(f"{path} is damaged: member {member.name!r} has the wrong size")
    except BaseException:
        tar.close()
        raise
    return manifest, tar


def _check_migrations(path: Path, manifest: dict) -> list[str]:
    """Refuse a backup from a newer migration state; return notes for an older one."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    for app, names in sorted(manifest["applied_migrations"].items()):
        for name in sorted(names):
            if (app, name) not in known:
                raise BackupError(
                    f"{path} was made by a newer version of Kết Nối (migration {app}.{name} is unknown here); "
                    "upgrade Kết Nối before restoring it"
                )
    applied = {(app, name) for app, names in manifest["applied_migrations"].items() for name in names}
    missing = known - applied
    if missing:
        return [f"the backup predates {len(missing)} migration(s) of this version: run `ketnoi migrate` now"]
    return []


def _check_space(path: Path, manifest: dict, folders: list[Path]) -> None:
    total = sum(int(entry["size"]) for entry in manifest["members"].values())
    for folder in folders:
        free = shutil.disk_usage(folder).free
        if total + DISK_MARGIN > free:
            raise BackupError(
                f"{path} needs {total // (1024 * 1024) + 1} MiB to restore but {folder} has only "
                f"{free // (1024 * 1024)} MiB free (and {DISK_MARGIN // (1024 * 1024)} MiB are kept free)"
            )


def _extract(path: Path, tar: tarfile.TarFile, name: str, target: Path, expected: dict) -> None:
    """Copy one member to `target`, checking its SHA-256 and size on the way."""
    digest, size = hashlib.sha256(), 0
    source = tar.extractfile(tar.getmember(name))
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if digest.hexdigest() != expected.get("sha256") or size != expected.get("size"):
        raise BackupError(f"{path} is damaged: the checksum of member {name!r} does not match its manifest")


def verify_archive(path: Path) -> dict:
    """Read every member and compare it with the manifest; return the manifest."""
    manifest, tar = read_manifest(path)
    with tar:
        for name, expected in manifest["members"].items():
            digest = hashlib.sha256()
            source = tar.extractfile(tar.getmember(name))
            while chunk := source.read(CHUNK):
                digest.update(chunk)
            if digest.hexdigest() != expected.get("sha256"):
                raise BackupError(f"{path} is damaged: the checksum of member {name!r} does not match its manifest")
    return manifest


# --- restore ------------------------------------------------------------------------------------


def _verify_counts(path: Path, expected: dict, actual: dict) -> None:
    for table, count in sorted(expected.items()):
        if actual.get(table) != count:
            raise BackupError(
                f"{path} did not restore cleanly: table {table} has {actual.get(table)} rows, "
                f"the manifest says {count}; the current data was left unchanged"
            )


def _swap_sqlite(path: Path, staged: Path, manifest: dict) -> None:
    from django.conf import settings

    conn = sqlite3.connect(staged)
    try:
        problems = conn.execute("PRAGMA integrity_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"{path} is damaged: its SQLite database fails the integrity check")
        _verify_counts(path, manifest["tables"], _sqlite_state(conn)[1])
        live = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=60)
        try:
            # The backup API writes the whole copy in one write transaction of the live database: other
            # connections (a running server) then see the restored data; an error leaves the old data.
            conn.backup(live)
            _verify_counts(path, manifest["tables"], _sqlite_state(live)[1])
        finally:
            live.close()
    finally:
        conn.close()


def _swap_postgresql(path: Path, staged: Path, manifest: dict, work: Path) -> None:
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    args, env, name = _pg_params()
    script = work / "restore.sql"
    _run_tool([pg_restore, "--no-owner", "--no-acl", "--file", str(script), str(staged)], env, "pg_restore")
    checks = "\n".join(
        f"  IF (SELECT count(*) FROM {_quote(table)}) <> {int(count)} THEN\n"
        f"    RAISE EXCEPTION 'restore check failed: table {table.replace(chr(39), '')} "
        f"does not have {int(count)} rows';\n"
        "  END IF;"
        for table, count in sorted(manifest["tables"].items())
    )
    before = work / "before.sql"
    before.write_text(
        "SET lock_timeout = '60s';\nSET client_min_messages = warning;\n"
        "DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n",
        encoding="utf-8",
    )
    after = work / "after.sql"
    after.write_text(f"SET search_path = public;\nDO $$\nBEGIN\n{checks}\nEND $$;\n", encoding="utf-8")
    # One transaction: drop the current schema, load the backup, check every table's row count.
    # Any error rolls all of it back and the current data stays.
    _run_tool(
        [
            psql,
            *args,
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            name,
            "-f",
            str(before),
            "-f",
            str(script),
            "-f",
            str(after),
        ],
        env,
        f"restoring {path} into PostgreSQL (rolled back, the current data was left unchanged)",
    )


def restore_backup(path: Path) -> RestoreResult:
    """Check an archive completely, then replace the database and the media folder with it."""
    from django.conf import settings
    from django.db import connections

    path = Path(path)
    manifest, tar = read_manifest(path)
    with tar:
        vendor = _vendor()
        backup_vendor = manifest["database"]["vendor"]
        if backup_vendor != vendor:
            raise BackupError(
                f"{path} is a {backup_vendor} backup and this installation runs on {vendor}; "
                "restoring across database vendors is not supported (restore it into a "
                f"{backup_vendor} installation)"
            )
        notes = _check_migrations(path, manifest)
        media_root = Path(settings.MEDIA_ROOT).resolve()
        media_root.parent.mkdir(parents=True, exist_ok=True)
        stage_parent = media_root.parent
        db_dir = Path(settings.DATABASES["default"]["NAME"]).resolve().parent if vendor == "sqlite" else None
        _check_space(path, manifest, [stage_parent] + ([db_dir] if db_dir and db_dir != stage_parent else []))

        with contextlib.ExitStack() as stack:
            media_stage = Path(tempfile.mkdtemp(prefix=".media-restore-", dir=stage_parent))
            stack.callback(shutil.rmtree, media_stage, True)
            work = Path(tempfile.mkdtemp(prefix=".ketnoi-restore-", dir=db_dir or stage_parent))
            stack.callback(shutil.rmtree, work, True)
            os.chmod(media_stage, 0o750)
            os.chmod(work, 0o700)
            db_member = manifest["database"]["member"]
            staged_db = work / db_member
            # every member is read and checked before anything current is touched
            for name, expected in manifest["members"].items():
                if name == db_member:
                    _extract(path, tar, name, staged_db, expected)
                elif name.startswith(MEDIA_PREFIX):
                    target = media_stage / name[len(MEDIA_PREFIX) :]
                    if media_stage.resolve() not in target.resolve().parents:
                        raise BackupError(f"{path} is refused: member {name!r} points outside the media folder")
                    _extract(path, tar, name, target, expected)
                else:
                    raise BackupError(f"{path} is damaged: member {name!r} is of no known kind")

            # swap the media folder in (a rename), then the database; put the old media back on failure
            old_media = None
            if media_root.exists():
                old_media = Path(tempfile.mkdtemp(prefix=".media-previous-", dir=stage_parent))
                os.rmdir(old_media)
                try:
                    os.rename(media_root, old_media)
                except OSError as exc:
                    raise BackupError(
                        f"cannot replace the media folder {media_root} ({exc.strerror}); "
                        "nothing was restored from " + str(path)
                    ) from None
            os.rename(media_stage, media_root)
            connections.close_all()
            try:
                if vendor == "sqlite":
                    _swap_sqlite(path, staged_db, manifest)
                else:
                    _swap_postgresql(path, staged_db, manifest, work)
            except BaseException:
                shutil.rmtree(media_root, ignore_errors=True)
                if old_media is not None:
                    os.rename(old_media, media_root)
                raise
            if old_media is not None:
                shutil.rmtree(old_media, ignore_errors=True)
    return RestoreResult(
        vendor=vendor,
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        files=manifest.get("media_files", 0),
        notes=notes,
    )
