"""The `ketnoi` command: every operation of the platform from the shell."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

DEMO_HINT = "Run `ketnoi demo` to create the demo agencies' users."


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnoi.settings")
    import django

    django.setup()


class SystemOperator:
    """The operator at the console: acts everywhere, recorded in the audit log as 'cli'."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None
    username = "cli"

    def get_username(self):
        return self.username

    def has_capability(self, capability):
        return True


def _actor(username: str | None):
    if not username:
        return SystemOperator()
    from ketnoi.orgs.models import User

    return User.objects.get(username=username)


def compile_messages() -> int:
    """Compile locale/*/LC_MESSAGES/django.po to .mo with Babel (no GNU gettext needed)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    count = 0
    for po_path in sorted((Path(__file__).resolve().parent / "locale").glob("*/LC_MESSAGES/django.po")):
        with open(po_path, "rb") as handle:
            catalog = read_po(handle)
        with open(po_path.with_suffix(".mo"), "wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        count += 1
    return count


def cmd_migrate(args) -> int:
    from django.core.management import call_command

    compile_messages()
    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    call_command("createcachetable", verbosity=0)
    print("database is up to date")
    return 0


def cmd_load_reference(args) -> int:
    from ketnoi.core.audit import acting_as
    from ketnoi.reference import load_reference

    with acting_as(None, name="cli", source="cli"):
        load_reference()
    return 0


def cmd_demo(args) -> int:
    from ketnoi.core.audit import acting_as
    from ketnoi.demo import DemoError, load_demo

    try:
        with acting_as(None, name="cli", source="cli"):
            logins = load_demo()
    except DemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("Demo logins (user / password / role):")
    for username, password, role in logins:
        print(f"  {username:<18} {password:<22} {role}")
    return 0


def cmd_createuser(args) -> int:
    import getpass

    from django.core.exceptions import ValidationError

    from ketnoi.core.audit import acting_as
    from ketnoi.geo.models import AdminUnit
    from ketnoi.orgs.models import Agency
    from ketnoi.orgs.services import role_grant, user_create

    password = args.password or os.environ.get("KETNOI_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            print("error: give --password or KETNOI_PASSWORD when not at a terminal", file=sys.stderr)
            return 2
        password = getpass.getpass("Password: ")
    try:
        with acting_as(None, name="cli", source="cli"):
            agency = Agency.objects.get(code=args.agency) if args.agency else None
            user = user_create(
                username=args.username,
                password=password,
                full_name=args.full_name or "",
                email=args.email or "",
                agency=agency,
                is_superuser=args.superuser,
            )
            if args.role:
                unit = None
                if args.unit:
                    level = "province" if len(args.unit) <= 2 else "commune"
                    unit = AdminUnit.objects.get(structure="current", level=level, code=args.unit)
                role_grant(user=user, role=args.role, unit=unit)
    except (ValidationError, Agency.DoesNotExist, AdminUnit.DoesNotExist) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        print("error: " + "; ".join(messages), file=sys.stderr)
        return 1
    print(f"created user {user.username}")
    return 0


def _run_import(function, args, **kwargs) -> int:
    from ketnoi.core.audit import acting_as
    from ketnoi.core.importing import ImportFailed

    actor = _actor(args.as_user)
    try:
        with acting_as(actor if args.as_user else None, name=args.as_user or "cli", source="cli"):
            result = function(Path(args.file), user=actor, filename=Path(args.file).name, **kwargs)
    except ImportFailed as exc:
        print(f"Import refused; nothing was written ({exc.total} problem(s)):", file=sys.stderr)
        print(exc.summary(), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"{result.filename}: {result.rows} rows; created {result.created}, updated {result.updated}, "
        f"unchanged {result.unchanged}"
    )
    return 0


def cmd_import_villages(args) -> int:
    from ketnoi.geo.importers import import_villages

    return _run_import(import_villages, args)


def cmd_import_boundaries(args) -> int:
    from ketnoi.maps.importers import BoundaryImportFailed, import_boundaries

    try:
        result = import_boundaries(Path(args.file), level=args.level, code_property=args.code_property)
    except BoundaryImportFailed as exc:
        print(f"Import refused; nothing was written ({exc.total} problem(s)):", file=sys.stderr)
        print(exc.summary(), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"{result.filename}: {result.features} {result.level} boundaries; created {result.created}, "
        f"replaced {result.replaced}; vertices {result.vertices_source} in the file, "
        f"{result.vertices_detail} detailed, {result.vertices_coarse} coarse; "
        f"{result.units_without_boundary} {result.level} unit(s) of these provinces still without a boundary"
    )
    return 0


def cmd_import_classification(args) -> int:
    from ketnoi.geo.importers import import_classification
    from ketnoi.geo.models import ClassificationPeriod

    try:
        period = ClassificationPeriod.objects.get(code=args.period)
    except ClassificationPeriod.DoesNotExist:
        codes = ", ".join(ClassificationPeriod.objects.values_list("code", flat=True)) or "none"
        print(f"error: unknown period {args.period!r} (known: {codes})", file=sys.stderr)
        return 1
    return _run_import(import_classification, args, period=period)


def cmd_stats(args) -> int:
    from ketnoi.stats import collect_stats

    stats = collect_stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
    else:
        for key, value in stats.items():
            print(f"{key:<18} {value}")
    return 0


def cmd_audit(args) -> int:
    """Seal the audit log's hash chain, or verify it: exit 0 when the chain holds, 1 at a broken link."""
    from ketnoi.core.audit_chain import seal_pending, verify

    if args.audit_command == "seal":
        print(f"sealed {seal_pending()} audit entries")
        return 0
    if not args.no_seal:
        seal_pending()
    result = verify()
    if args.json:
        print(json.dumps(result.__dict__ | {"ok": result.ok}, ensure_ascii=False))
    elif result.ok:
        print(f"audit chain intact: {result.checked} entries sealed, {result.unsealed} not sealed yet")
        print(f"head: #{result.head_seq} {result.head_hash} (record it outside the database)")
    else:
        print(
            f"audit chain BROKEN at link #{result.broken_seq} (audit entry {result.broken_entry}): {result.problem}; "
            f"{result.checked} links before it hold",
            file=sys.stderr,
        )
    return 0 if result.ok else 1


def cmd_jobs(args) -> int:
    """The job ledger: counts by state and the failed ones, or send again what a fault left behind."""
    from django.db.models import Count
    from django.utils.module_loading import autodiscover_modules

    from ketnoi.core.jobs import resume_stalled
    from ketnoi.core.models import JobRecord

    if args.jobs_command == "resume":
        # the jobs the worker knows (it imports every app's tasks module): a record of a job this
        # process had not imported would be given up as "no such job in this version"
        autodiscover_modules("tasks")
        counts = resume_stalled()
        print(f"sent again {counts['resumed']}, given up {counts['failed']}, forgotten {counts['forgotten']}")
        return 0
    for row in JobRecord.objects.values("state").annotate(n=Count("id")).order_by("state"):
        print(f"{row['state']:<8} {row['n']}")
    failed = JobRecord.objects.filter(state=JobRecord.State.FAILED).order_by("-finished_at")[:20]
    for record in failed:
        print(f"failed #{record.pk} {record.name} {record.args} after {record.attempts}: {record.last_error[-200:]}")
    return 1 if failed else 0


def cmd_analytics(args) -> int:
    """Recompute the precomputed aggregates from the raw values (all, or one data element)."""
    from ketnoi.analytics import engine
    from ketnoi.indicators.models import DataElement

    element = None
    if args.element:
        element = DataElement.objects.filter(code=args.element).first()
        if element is None:
            print(f"no data element {args.element!r}", file=sys.stderr)
            return 2
    counts = engine.rebuild(element)
    print(
        f"{counts['periods']} periods: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['deleted']} deleted"
    )
    return 0


def cmd_rotate_keys(args) -> int:
    """Re-encrypt the personal data under the first key of KETNOI_FIELD_KEYS (idempotent)."""
    from ketnoi.core import crypto
    from ketnoi.core.audit import acting_as
    from ketnoi.core.keyrotation import rotate_all

    if args.generate:
        print(crypto.generate_key())
        return 0
    try:
        with acting_as(None, name="cli", source="cli"):
            results = rotate_all(batch_size=args.batch_size)
    except (ValueError, crypto.DecryptionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for result in results:
        print(
            f"{result.field:<36} re-encrypted {result.rotated}, already current {result.current}, "
            f"reindexed {result.reindexed}"
        )
    return 0


def cmd_subject(args) -> int:
    """A data subject's request: export everything held about a person as JSON, or erase it."""
    from django.core.exceptions import ValidationError

    from ketnoi.core.audit import acting_as
    from ketnoi.subjects import subject_erase, subject_export

    kind, identifier = ("user", args.user) if args.user else ("contact", args.contact)
    try:
        with acting_as(None, name="cli", source="cli"):
            if args.subject_command == "export":
                data = subject_export(actor=SystemOperator(), kind=kind, identifier=identifier)
            else:
                if not args.yes:
                    print("error: erasing cannot be undone; give --yes", file=sys.stderr)
                    return 2
                data = subject_erase(actor=SystemOperator(), kind=kind, identifier=identifier)
    except ValidationError as exc:
        print("error: " + "; ".join(exc.messages), file=sys.stderr)
        return 1
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if getattr(args, "output", None):
        path = Path(args.output)
        path.write_text(text + "\n", encoding="utf-8")
        path.chmod(0o600)
        print(f"wrote {path}")
    else:
        print(text)
    return 0


def _worker_command() -> list[str]:
    return [sys.executable, "-m", "django", "run_huey", "--settings", "ketnoi.settings"]


def cmd_worker(args) -> int:
    from django.core.management import call_command

    call_command("run_huey")
    return 0


def cmd_serve(args) -> int:
    from django.conf import settings
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    bind = f"{args.host}:{args.port}"
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "ketnoi.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(args.workers),
        "--threads",
        os.environ.get("WEB_THREADS", "4"),  # each device's server-sent-events stream holds one
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]
    broker = _start_broker() if getattr(args, "with_broker", False) else None
    children = [subprocess.Popen(gunicorn)]
    if broker is not None and broker[0] is not None:
        children.append(broker[0])
    if args.with_worker:
        children.append(subprocess.Popen(_worker_command()))
    print(
        f"Kết Nối is running at http://{bind}/ (database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
        f"{', job worker started' if args.with_worker else ''}). Press Ctrl+C to stop.",
        flush=True,
    )
    if broker is not None:
        print(broker[1], flush=True)

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            try:
                children[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            child.wait(timeout=10)
    return 0


def cmd_run(args) -> int:
    """What `make run` does: migrate, load reference and demo data once, then serve with a worker."""
    from ketnoi.stats import collect_stats

    cmd_migrate(argparse.Namespace(verbose=False))
    if collect_stats()["communes"] == 0:
        cmd_load_reference(args)
    cmd_demo(args)
    args.with_worker = True
    args.with_broker = True
    return cmd_serve(args)


def _broker_listening(port: int = 1883) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _start_broker():
    """`make run`: emergencies go to the loudspeakers over MQTT through a local Mosquitto when one is
    installed (or already listening) and MQTT_URL is not set; otherwise over server-sent events.
    Returns (the broker's process or None, a sentence for the operator)."""
    import shutil
    import time

    from django.conf import settings

    if settings.MQTT_URL:
        return None, f"Emergencies are pushed through the MQTT broker of MQTT_URL ({settings.MQTT_URL.split('@')[-1]})."
    local = "mqtt://127.0.0.1:1883"
    if _broker_listening():
        os.environ["MQTT_URL"] = local  # the web server and the worker started below inherit it
        return None, "Emergencies are pushed through the MQTT broker already listening on 127.0.0.1:1883."
    binary = shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.path.exists(p)), None
    )
    if binary is None:
        return None, (
            "No MQTT broker: Mosquitto is not installed and MQTT_URL is not set, so emergencies reach the "
            "loudspeakers over server-sent events only (GET /api/v1/devices/events)."
        )
    conf = settings.VAR_DIR / "mosquitto.conf"
    conf.write_text("listener 1883 127.0.0.1\nallow_anonymous true\npersistence false\n", encoding="utf-8")
    process = subprocess.Popen([binary, "-c", str(conf)])
    for _ in range(30):
        if _broker_listening():
            os.environ["MQTT_URL"] = local
            return process, "Mosquitto started on 127.0.0.1:1883: emergencies are pushed over MQTT (and SSE)."
        time.sleep(0.1)
    process.terminate()
    return None, "Mosquitto did not start; emergencies reach the loudspeakers over server-sent events only."


def cmd_compilemessages(args) -> int:
    print(f"compiled {compile_messages()} catalogues")
    return 0


def cmd_manage(args) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ketnoi", *args.rest])
    return 0


def cmd_report_review(args) -> int:
    """Write a review (sơ kết / tổng kết) of a programme as DOCX or PDF, generated from the data."""
    from django.core.exceptions import ValidationError

    from ketnoi.core.audit import acting_as
    from ketnoi.programmes.models import Programme
    from ketnoi.reports import documents, selectors, services

    try:
        programme = selectors.programme_lookup(args.programme)
        with acting_as(None, name="cli", source="cli"):
            if args.issue:
                data = selectors.review_data(programme=programme, period=args.period, kind=args.kind)
                issuer = args.issuer or documents.compose(data).issuer_code
                services.review_issue(
                    user=SystemOperator(), programme=programme, period=args.period, kind=args.kind, issuer=issuer
                )
            data = selectors.review_data(programme=programme, period=args.period, kind=args.kind)
            document = documents.compose(data, issuer_code=args.issuer)
            content = documents.render(document, args.format)
        Path(args.output).write_bytes(content)
    except Programme.DoesNotExist as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValidationError as exc:
        print("error: " + " ".join(exc.messages), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 1
    state = document.number_line if not document.draft else "draft, no number yet"
    print(f"wrote {args.output} ({args.format.upper()}, {len(content)} bytes; {state})")
    return 0


def cmd_evidence(args) -> int:
    """Count the logs into the values computed from them (issue 8.10) for a period and the periods inside it."""
    from django.core.exceptions import ValidationError

    from ketnoi.channels import evidence
    from ketnoi.core.audit import acting_as

    try:
        periods = evidence.periods_within(args.period)
    except ValidationError as exc:
        print("error: " + " ".join(exc.messages), file=sys.stderr)
        return 1
    with acting_as(None, name="cli", source="cli"):
        for period in periods:
            counts = evidence.compute_period(period)
            totals = {k: sum(c[k] for c in counts.values()) for k in ("created", "updated", "unchanged", "deleted")}
            print(period + ": " + ", ".join(f"{n} {k}" for k, n in totals.items()))
    return 0


def cmd_dhis2(args) -> int:
    """DHIS2 dataValueSets / ADX export and import, and the mapping tables from CSV (docs/dhis2.md)."""
    from django.core.exceptions import ValidationError

    from ketnoi.core.audit import acting_as
    from ketnoi.core.importing import ImportFailed
    from ketnoi.dhis2 import mappings, services

    actor = _actor(args.as_user)
    try:
        with acting_as(actor if args.as_user else None, name=args.as_user or "cli", source="cli"):
            if args.dhis2_command == "export":
                export = services.export_values(
                    user=actor, elements=args.element or [], periods_=args.period or [], units=args.unit or []
                )
                if args.format == "adx":
                    Path(args.output).write_bytes(
                        services.as_adx(export, data_set=args.data_set or services.default_data_set())
                    )
                else:
                    Path(args.output).write_text(services.as_json(export), encoding="utf-8")
                print(f"{args.output}: {len(export.values)} values; {export.unmapped} left out (no mapping)")
            elif args.dhis2_command == "import":
                path = Path(args.file)
                kind = "application/json" if path.suffix.lower() == ".json" else "application/adx+xml"
                summary = services.import_payload(
                    user=actor, data=path.read_bytes(), content_type=kind, filename=path.name, dry_run=args.dry_run
                )
                print(
                    f"{path.name}: imported {summary.imported}, updated {summary.updated}, ignored {summary.ignored}"
                    + (" (dry run, nothing written)" if args.dry_run else "")
                )
            else:
                count = mappings.mappings_import_csv(
                    user=actor, kind=args.kind, data=Path(args.file).read_bytes(), filename=Path(args.file).name
                )
                print(f"{args.kind}: {count} mappings")
    except ImportFailed as exc:
        print(f"Import refused; nothing was written ({exc.total} problem(s)):", file=sys.stderr)
        print(exc.summary(), file=sys.stderr)
        return 1
    except (ValidationError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _database_configured() -> bool:
    """A database is configured: DATABASE_URL is set, or the default SQLite database file exists."""
    if os.environ.get("DATABASE_URL"):
        return True
    var_dir = Path(os.environ.get("KETNOI_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
    return (var_dir / "ketnoi.sqlite3").exists()


def _qa_termbase(args):
    """(termbase, where it came from): --no-termbase → none; --termbase FILE (TBX or CSV) wins; else the
    database's termbase when a database is configured and holds terms; else none."""
    from ketnoi.translation.qa.termbase import load_termbase_file

    if args.no_termbase:
        return None, "none (--no-termbase)"
    if args.termbase:
        return load_termbase_file(args.termbase), args.termbase
    if not _database_configured():
        return None, "none (no database configured)"
    try:
        _setup_django()
        from ketnoi.translation.termbase import qa_snapshot

        termbase = qa_snapshot()
    except Exception as exc:  # an unreachable or unmigrated database must not stop a QA run
        print(
            f"warning: the database's termbase cannot be read ({type(exc).__name__}: {exc}); no termbase",
            file=sys.stderr,
        )
        return None, "none (database not readable)"
    if not termbase.entries:
        return None, "none (the database's termbase is empty; run `ketnoi load-reference`)"
    return termbase, f"database ({len(termbase.entries)} terms)"


def cmd_qa(args) -> int:
    """Automatic QA of a translation: findings with character offsets; exit 1 when something blocks publishing."""
    from ketnoi.translation.qa import QAConfig, run_qa

    if args.source and not args.source_lang:
        print("error: --source needs --source-lang", file=sys.stderr)
        return 2
    if args.termbase and args.no_termbase:
        print("error: --termbase and --no-termbase exclude each other", file=sys.stderr)
        return 2
    try:
        # bytes → str without newline translation, so offsets index the file's own text
        target = Path(args.file).read_bytes().decode("utf-8", errors="replace")
        source = Path(args.source).read_bytes().decode("utf-8", errors="replace") if args.source else None
        config = QAConfig.from_dict(json.loads(Path(args.config).read_text(encoding="utf-8"))) if args.config else None
        termbase, termbase_origin = _qa_termbase(args)
    except OSError as exc:
        print(f"error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, SyntaxError, KeyError) as exc:  # bad JSON / configuration / TBX / CSV
        print(f"error: {exc}", file=sys.stderr)
        return 2
    findings = run_qa(
        target,
        args.lang,
        source=source,
        source_lang=args.source_lang if source is not None else None,
        termbase=termbase,
        config=config,
    )
    if args.format == "json":
        print(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=1))
    else:
        for f in findings:
            column = f.start - (target.rfind("\n", 0, f.start) + 1) + 1
            mark = " BLOCKING" if f.blocking else ""
            print(f"{args.file}:{f.line}:{column}: {f.severity}{mark} [{f.check}] {f.message}: {f.text[:80]!r}")
        blocking = sum(f.blocking for f in findings)
        print(f"termbase: {termbase_origin}", file=sys.stderr)
        print(f"{len(findings)} finding(s), {blocking} blocking publication", file=sys.stderr)
    return 1 if any(f.blocking for f in findings) else 0


def cmd_backup(args) -> int:
    """Write the database and the uploaded files into one archive (0600: it holds personal data)."""
    from ketnoi.backup import BackupError, create_backup, list_backups

    if args.list:
        found = list_backups()
        for path, manifest in found:
            if manifest is None:
                print(f"{path}  (not a readable Kết Nối backup)")
            else:
                rows = sum(manifest["tables"].values())
                print(
                    f"{path}  {manifest['created_at']}  {manifest['database']['vendor']}  "
                    f"{rows} rows, {manifest['media_files']} files, {path.stat().st_size} bytes"
                )
        if not found:
            print("no backups in var/backups/")
        return 0
    try:
        output, manifest = create_backup(Path(args.output) if args.output else None)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write the backup {args.output or ''}: {exc.strerror} ({exc.filename})", file=sys.stderr)
        return 2
    rows = sum(manifest["tables"].values())
    print(
        f"wrote {output} ({manifest['database']['vendor']}, {len(manifest['tables'])} tables, {rows} rows, "
        f"{manifest['media_files']} uploaded files, {output.stat().st_size} bytes)"
    )
    return 0


def cmd_restore(args) -> int:
    """Replace the database and the uploaded files with a backup, after checking all of it."""
    from ketnoi.backup import BackupError, database_is_empty, database_label, read_manifest, restore_backup

    path = Path(args.file)
    try:
        manifest, tar = read_manifest(path)
        tar.close()
        if not args.yes and not database_is_empty():
            target = database_label()
            if not sys.stdin.isatty():
                raise BackupError(
                    f"{target} is not empty and there is no terminal to confirm; "
                    f"run `ketnoi restore {path} --yes` to replace it with {path}"
                )
            answer = input(
                f"Replace {target} and the uploaded files with the backup of {manifest['created_at']}? "
                "Type yes to continue: "
            )
            if answer.strip().lower() != "yes":
                print("restore cancelled; nothing was changed", file=sys.stderr)
                return 2
        result = restore_backup(path)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"error: cannot restore {path}: {exc.strerror} ({exc.filename}); the current data was kept", file=sys.stderr
        )
        return 2
    print(
        f"restored {path} ({result.vendor}, {result.tables} tables, {result.rows} rows, {result.files} uploaded files)"
    )
    for note in result.notes:
        print(f"note: {note}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ketnoi", description="Kết Nối: operate the platform.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="create or upgrade the database and compile translations")
    p.add_argument("--verbose", action="store_true")
    p.set_defaults(func=cmd_migrate)
    sub.add_parser(
        "load-reference", help="load administrative units, crosswalk, ethnic groups, languages, agencies (idempotent)"
    ).set_defaults(func=cmd_load_reference)
    sub.add_parser("demo", help="create demo users, villages and a demo classification (idempotent)").set_defaults(
        func=cmd_demo
    )

    for name, func, help_text in (
        ("serve", cmd_serve, "run the web server"),
        ("run", cmd_run, "migrate, load data if empty, demo, serve with a worker"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        p.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        p.add_argument("--with-worker", action="store_true", help="also start a job worker")
        p.set_defaults(func=func)

    sub.add_parser(
        "worker", help="run the job worker (embedded SQLite queue, or Redis when REDIS_URL is set)"
    ).set_defaults(func=cmd_worker)

    p = sub.add_parser("createuser", help="create a user, optionally with a role over an area")
    p.add_argument("username")
    p.add_argument("--password", help="or set KETNOI_PASSWORD; asked for at a terminal")
    p.add_argument("--full-name")
    p.add_argument("--email")
    p.add_argument("--agency", help="agency code, e.g. BDTTG")
    p.add_argument(
        "--role",
        help="system_admin, coordinator, agency_officer, provincial_officer, "
        "commune_officer, editor, translator, reviewer, auditor",
    )
    p.add_argument(
        "--unit", help="NSO code of the current province (2 digits) or commune (5 digits); omit for the whole country"
    )
    p.add_argument("--superuser", action="store_true")
    p.set_defaults(func=cmd_createuser)

    p = sub.add_parser("import-villages", help="import villages from CSV (UTF-8) or XLSX: all rows or none")
    p.add_argument("file")
    p.add_argument("--as", dest="as_user", help="act as this user (their area applies)")
    p.set_defaults(func=cmd_import_villages)

    p = sub.add_parser(
        "import-classification",
        help="import an area I/II/III and extremely-difficult-village list keyed by legacy commune code",
    )
    p.add_argument("file")
    p.add_argument("--period", default="2021-2025")
    p.add_argument("--as", dest="as_user")
    p.set_defaults(func=cmd_import_classification)

    p = sub.add_parser(
        "import-boundaries",
        help="import commune or province boundaries from a GeoJSON FeatureCollection (docs/maps.md): all or none",
    )
    p.add_argument("file")
    p.add_argument("--level", choices=["commune", "province"], default="commune")
    p.add_argument("--code-property", help="the feature property holding the unit code (default: code, ma_xa/ma_tinh)")
    p.set_defaults(func=cmd_import_boundaries)

    p = sub.add_parser("stats", help="counts of reference data and users")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("report", help="documents generated from the data")
    report_sub = p.add_subparsers(dest="report_command", required=True)
    p = report_sub.add_parser(
        "review", help="a programme's preliminary or final review (báo cáo sơ kết / tổng kết) as DOCX or PDF"
    )
    p.add_argument("--programme", required=True, help="code or number and symbol, e.g. 922/CTPH-BTTTT-UBDT")
    p.add_argument("--period", required=True, help="the year reviewed, e.g. 2025")
    p.add_argument("--kind", choices=["annual", "midterm", "final"], default="annual")
    p.add_argument("--format", choices=["docx", "pdf"], default="docx")
    p.add_argument("--output", required=True, help="file to write")
    p.add_argument("--issuer", help="code of the issuing party as it is today, e.g. BDTTG (default: the first party)")
    p.add_argument("--issue", action="store_true", help="give the review its number and today's date first")
    p.set_defaults(func=cmd_report_review)

    p = sub.add_parser("evidence", help="indicator values computed from the logs (play logs, receipts, feedback)")
    evidence_sub = p.add_subparsers(dest="evidence_command", required=True)
    p = evidence_sub.add_parser("compute", help="compute a period and the months, quarters inside it (idempotent)")
    p.add_argument("--period", required=True, help="e.g. 2026Q4, 2026M11 or 2026")
    p.set_defaults(func=cmd_evidence)

    p = sub.add_parser("dhis2", help="DHIS2 dataValueSets (JSON) and ADX (XML): export, import, mapping tables")
    dhis2_sub = p.add_subparsers(dest="dhis2_command", required=True)
    p = dhis2_sub.add_parser("export", help="write the values as dataValueSets JSON or ADX")
    p.add_argument("--element", action="append", help="data element code (Kết Nối or DHIS2); repeatable")
    p.add_argument("--period", action="append", help="e.g. 2025Q1, 202507 or 2025-01-01/P3M; repeatable")
    p.add_argument("--unit", action="append", help="unit code (Kết Nối or DHIS2); repeatable")
    p.add_argument("--format", choices=["json", "adx"], default="json")
    p.add_argument("--data-set", help="the dataSet an ADX group names (default: settings.DHIS2_DATA_SET)")
    p.add_argument("--output", required=True)
    p.add_argument("--as-user", help="export what this user may see (default: everything)")
    p.set_defaults(func=cmd_dhis2)
    p = dhis2_sub.add_parser("import", help="import a .json dataValueSet or an .adx file: all or nothing")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="check every value, write nothing")
    p.add_argument("--as-user", help="import with this user's rights and area")
    p.set_defaults(func=cmd_dhis2)
    p = dhis2_sub.add_parser("mappings", help="import a mapping table from CSV (columns ketnoi,dhis2)")
    p.add_argument("kind", choices=["orgunits", "elements", "combos"])
    p.add_argument("file")
    p.add_argument("--as-user", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_dhis2)

    p = sub.add_parser(
        "qa", help="check a translation (numbers, symbols, eras, names, terms, language, duplicates, typography)"
    )
    p.add_argument("file", help="the translated text (UTF-8)")
    p.add_argument("--lang", required=True, help="BCP 47 tag of the text's language, e.g. th")
    p.add_argument("--source", help="the source text, for bilingual checks")
    p.add_argument("--source-lang", help="BCP 47 tag of the source, e.g. vi")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument(
        "--termbase",
        help="a TBX file (TBX-Basic or TBX v3) or a CSV file like the shipped termbase.csv; overrides the database's",
    )
    p.add_argument("--no-termbase", action="store_true", help="run without any termbase (not even the database's)")
    p.add_argument("--config", help="a JSON file of QA configuration (disable, severity, blocking, options…)")
    p.set_defaults(func=cmd_qa)

    p = sub.add_parser("audit", help="the audit log's tamper-evident hash chain")
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("seal", help="extend the chain over entries not sealed yet (a job does it every minute)")
    p = audit_sub.add_parser("verify", help="recompute the chain and report the first broken link (exit 1)")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--no-seal", action="store_true", help="check only what is sealed, write nothing")
    for parser_ in (p, *audit_sub.choices.values()):
        parser_.set_defaults(func=cmd_audit)

    p = sub.add_parser("jobs", help="the job ledger (what the workers were asked to do)")
    jobs_sub = p.add_subparsers(dest="jobs_command", required=True)
    jobs_sub.add_parser("status", help="jobs by state, and the failed ones (exit 1 if any)")
    jobs_sub.add_parser(
        "resume", help="send again the jobs a queue lost or a killed worker left (a job does it every minute)"
    )
    for parser_ in jobs_sub.choices.values():
        parser_.set_defaults(func=cmd_jobs)

    p = sub.add_parser("analytics", help="the precomputed aggregates of the indicator data")
    analytics_sub = p.add_subparsers(dest="analytics_command", required=True)
    p = analytics_sub.add_parser("rebuild", help="recompute them all from the raw values (idempotent)")
    p.add_argument("--element", help="only this data element (its code)")
    p.set_defaults(func=cmd_analytics)

    p = sub.add_parser(
        "rotate-keys", help="re-encrypt personal data under the first key of KETNOI_FIELD_KEYS (idempotent)"
    )
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--generate", action="store_true", help="print a new key to put first in KETNOI_FIELD_KEYS")
    p.set_defaults(func=cmd_rotate_keys)

    p = sub.add_parser("subject", help="a data subject's request: export or erase a person's personal data")
    subject_sub = p.add_subparsers(dest="subject_command", required=True)
    for name, help_text in (
        ("export", "everything held about a person, as JSON"),
        ("erase", "erase (anonymise) a person's personal data, keeping the statistics"),
    ):
        p = subject_sub.add_parser(name, help=help_text)
        who = p.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", help="a user's username")
        who.add_argument("--contact", help="the phone number or e-mail a feedback sender gave")
        if name == "export":
            p.add_argument("--output", help="file to write (0600) instead of printing")
        else:
            p.add_argument("--yes", action="store_true", help="erase without asking (cannot be undone)")
        p.set_defaults(func=cmd_subject)

    p = sub.add_parser("backup", help="write the database and the uploaded files into one archive (0600)")
    p.add_argument("--output", help="file to write (default: var/backups/ketnoi-backup-<UTC time>.tar)")
    p.add_argument("--list", action="store_true", help="list the backups in var/backups/")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the database and the uploaded files with a backup (checked first)")
    p.add_argument("file", help="a backup written by `ketnoi backup`")
    p.add_argument("--yes", action="store_true", help="replace a non-empty database without asking")
    p.set_defaults(func=cmd_restore)

    sub.add_parser("compilemessages", help="compile the vi/en/th interface translations").set_defaults(
        func=cmd_compilemessages
    )
    from ketnoi.channels.device_cli import add_parsers as add_device_parsers

    add_device_parsers(sub)
    p = sub.add_parser("manage", help="run a Django management command, e.g. `ketnoi manage check --deploy`")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.func is not cmd_qa:  # the translation QA is pure Python: no settings, no database
        _setup_django()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
