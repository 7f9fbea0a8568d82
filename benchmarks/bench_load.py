"""Load and soak (issue 10.10): simulated staff, portal readers and devices against a real server on
loopback, driven by locust (gevent) for a bounded time.

    python -m benchmarks.bench_load [--users 200] [--devices 40] [--readers 20] [--minutes 10]
                                    [--postgres] [--p99-bound-ms 3000] [--json]

The benchmark sets up its own server the way `make run` does — a temporary var folder, `ketnoi
migrate`, `load-reference`, `demo` — and starts `ketnoi serve --workers 2 --with-worker` with DEBUG
off (on the embedded SQLite database, or with --postgres on a database of its own on the local
PostgreSQL with Redis). Then:

- **baseline**: one client, nothing else running, reads each page type 15 times (median, p99);
- **load**: `--users` staff (each signed in as one of the demo officials, by role: commune and
  province officers, the coordinator, editors) open their pages with 3–8 s of thinking between
  clicks and now and then write a comment on a task; `--readers` anonymous citizens read the
  public portal; `--devices` API clients (a bearer token each) poll the API every 10–20 s.

It fails (exit 1) if any request failed (error rate must be 0), if a comment that was answered as
saved is missing from the database afterwards (no lost write), or if a page type's p99 exceeds the
bound. Figures: per page type, requests, failures, median, p95 and p99 under load, and the
baseline's median and p99 measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import gevent
from locust import HttpUser, between, task  # noqa: I001  (first: locust patches the standard library with gevent)
from locust.env import Environment

REPO = Path(__file__).resolve().parent.parent
PROGRAMME = "/programmes/ctph-922-2024/"
MARKER = "Tải thử nghiệm"  # every comment written by the benchmark starts with it

# Demo officials and the pages of their daily work (each checked to answer 200 before the load).
ROLES = {
    "commune": (
        ["xa.tavan", "xa.tumorong", "xa.dongvan"],
        ["/", "/my-work/", PROGRAMME, PROGRAMME + "tasks/", "/villages/", "/notifications/", "/indicators/"],
    ),
    "province": (
        ["tinh.laocai", "tinh.tuyenquang"],
        ["/", "/my-work/", "/approvals/", PROGRAMME + "reports/", "/indicators/", "/units/", "/exchange/"],
    ),
    "coordinator": (
        ["dieuphoi"],
        ["/", "/my-work/", PROGRAMME, PROGRAMME + "tasks/", PROGRAMME + "reports/", "/reviews/", "/inspections/plans/"],
    ),
    "editor": (
        ["bientap", "bientap.laocai"],
        ["/", "/content/", "/translation/termbase/", "/translation/memory/", "/notifications/"],
    ),
}
PORTAL_PAGES = ["/p/vi/", "/p/th/", "/p/en/"]
DEVICE_CALLS = ["/api/v1/units?level=province", "/api/v1/villages?commune=03037", "/api/v1/languages"]
PAGE_NAME = re.compile(r"\d+")


def page_type(path: str) -> str:
    """Requests are grouped by page type: numbers in the path and the query are not part of it."""
    return PAGE_NAME.sub("N", path.split("?")[0])


class Server:
    def __init__(self, postgres: bool):
        self.dir = Path(tempfile.mkdtemp(prefix="ketnoi-load-"))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "KETNOI_PROFILE", "DJANGO_SETTINGS_MODULE")
        }
        self.env.update(
            KETNOI_VAR_DIR=str(self.dir),
            KETNOI_TESTING="0",
            HUEY_IMMEDIATE="0",
            DEBUG="0",
            PYTHONPATH=str(REPO),
            PYTHONUNBUFFERED="1",
        )
        if postgres:
            name = "ketnoi_load"
            psql = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c"]
            subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)
            subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True)
            self.env["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{name}"
            self.env["REDIS_URL"] = "redis://127.0.0.1:6379/12"
            self.env["KETNOI_QUEUE_NAME"] = "ketnoi-load"
        self.database = "PostgreSQL + Redis" if postgres else "SQLite (embedded)"
        self.process = None

    def ketnoi(self, *args: str) -> str:
        command = [sys.executable, "-m", "ketnoi.cli", *args]
        done = subprocess.run(command, env=self.env, cwd=self.dir, capture_output=True, text=True, timeout=1800)
        if done.returncode:
            raise SystemExit(f"ketnoi {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        return done.stdout

    def prepare(self) -> list[str]:
        self.ketnoi("migrate")
        self.ketnoi("load-reference")
        self.ketnoi("demo")
        code = (
            "from ketnoi.orgs.models import User; from ketnoi.orgs.services import token_create; "
            "u = User.objects.get(username='xa.tavan'); "
            "print(' '.join(token_create(user=u, name=f'device-{i}')[1] for i in range(100)))"
        )
        return self.ketnoi("manage", "shell", "-c", code).split()[-100:]

    def start(self) -> None:
        self.log = open(self.dir / "serve.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ketnoi.cli", "serve", "--port", str(self.port), "--workers", "2", "--with-worker"],
            env=self.env,
            cwd=self.dir,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        raise SystemExit("the server did not start:\n" + (self.dir / "serve.log").read_text()[-2000:])

    def stop(self) -> None:
        if self.process:
            os.killpg(os.getpgid(self.process.pid), 15)
            self.process.wait(timeout=60)
            self.log.close()


def _csrf(html: str) -> str | None:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else None


def make_users(server: Server, tokens: list[str], pages_by_account: dict[str, list[str]], saved: list[int]):
    accounts = list(pages_by_account)

    class Staff(HttpUser):
        host = server.url
        wait_time = between(3, 8)
        weight = 10

        def on_start(self):
            self.account = random.choice(accounts)
            self.pages = pages_by_account[self.account]
            login = self.client.get("/login/", name="/login/")
            self.client.post(
                "/login/",
                {"username": self.account, "password": "ketnoi-demo-2025", "csrfmiddlewaretoken": _csrf(login.text)},
                name="/login/ (sign in)",
            )
            self.tasks_seen: list[str] = []

        @task(20)
        def open_page(self):
            path = random.choice(self.pages)
            answer = self.client.get(path, name=page_type(path))
            if path.endswith("/tasks/") and answer.ok:
                self.tasks_seen = re.findall(r'href="(/tasks/\d+/)"', answer.text)[:20]

        @task(1)
        def comment_on_a_task(self):
            if not self.tasks_seen:
                return
            path = random.choice(self.tasks_seen)
            page = self.client.get(path, name=page_type(path))
            token = _csrf(page.text) if page.ok else None
            if token is None or 'id="c-body"' not in page.text:
                return
            body = f"{MARKER} {random.randrange(10**12)}"
            with self.client.post(
                path,
                {"action": "comment", "body": body, "csrfmiddlewaretoken": token},
                name=page_type(path) + " (comment)",
                catch_response=True,
            ) as answer:
                if answer.ok and body in answer.text:
                    saved.append(1)
                    answer.success()
                elif answer.ok:
                    answer.failure("the comment was not shown after saving")

    class Reader(HttpUser):
        host = server.url
        wait_time = between(5, 15)
        weight = 2

        @task
        def read(self):
            path = random.choice(PORTAL_PAGES)
            self.client.get(path, name=page_type(path))

    class Device(HttpUser):
        host = server.url
        wait_time = between(10, 20)
        weight = 4

        def on_start(self):
            self.client.headers["Authorization"] = f"Bearer {random.choice(tokens)}"

        @task
        def poll(self):
            path = random.choice(DEVICE_CALLS)
            self.client.get(path, name=page_type(path))

    return Staff, Reader, Device


def check_pages(server: Server) -> dict[str, list[str]]:
    """Each account's pages must answer 200 once, before any load (a 4xx or 5xx here stops the run)."""
    import requests

    pages = {}
    for _role, (accounts, paths) in ROLES.items():
        for account in accounts:
            session = requests.Session()
            login = session.get(server.url + "/login/")
            session.post(
                server.url + "/login/",
                {"username": account, "password": "ketnoi-demo-2025", "csrfmiddlewaretoken": _csrf(login.text)},
            )
            for path in paths:
                answer = session.get(server.url + path)
                if answer.status_code != 200:
                    raise SystemExit(f"{account} {path}: {answer.status_code} before any load")
            pages[account] = paths
    return pages


def baseline(server: Server, pages_by_account: dict[str, list[str]], tokens: list[str]) -> dict[str, dict]:
    import requests

    timings: dict[str, list[float]] = {}
    for account, paths in pages_by_account.items():
        session = requests.Session()
        login = session.get(server.url + "/login/")
        session.post(
            server.url + "/login/",
            {"username": account, "password": "ketnoi-demo-2025", "csrfmiddlewaretoken": _csrf(login.text)},
        )
        for path in paths:
            for _ in range(15 if account in ("xa.tavan", "tinh.laocai", "dieuphoi", "bientap") else 0):
                started = time.perf_counter()
                session.get(server.url + path).raise_for_status()
                timings.setdefault(page_type(path), []).append((time.perf_counter() - started) * 1000)
    device = requests.Session()
    device.headers["Authorization"] = f"Bearer {tokens[0]}"
    for path in PORTAL_PAGES + DEVICE_CALLS:
        client = device if path.startswith("/api/") else requests.Session()
        for _ in range(15):
            started = time.perf_counter()
            client.get(server.url + path).raise_for_status()
            timings.setdefault(page_type(path), []).append((time.perf_counter() - started) * 1000)
    return {
        name: {"median_ms": round(statistics.median(v), 1), "p99_ms": round(sorted(v)[int(len(v) * 0.99)], 1)}
        for name, v in timings.items()
        if v
    }


def count_comments(server: Server) -> int:
    code = (
        "from ketnoi.programmes.models import TaskComment; "
        f"print(TaskComment.objects.filter(body__startswith='{MARKER}').count())"
    )
    return int(server.ketnoi("manage", "shell", "-c", code).split()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_load", description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200, help="simulated staff (default 200)")
    parser.add_argument("--readers", type=int, default=20, help="simulated portal readers (default 20)")
    parser.add_argument("--devices", type=int, default=40, help="simulated API devices (default 40)")
    parser.add_argument("--minutes", type=float, default=10, help="length of the load (default 10)")
    parser.add_argument("--spawn-rate", type=float, default=2, help="simulated clients started per second (default 2)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL + Redis instead of embedded SQLite")
    parser.add_argument("--p99-bound-ms", type=float, default=3000, help="fail when a page type's p99 is above")
    parser.add_argument(
        "--login-p99-bound-ms",
        type=float,
        default=10000,
        help="the bound for signing in, slow on purpose (PBKDF2 with Django's iteration count)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    server = Server(args.postgres)
    tokens = server.prepare()
    server.start()
    try:
        pages = check_pages(server)
        base = baseline(server, pages, tokens)
        saved: list[int] = []
        staff, reader, device = make_users(server, tokens, pages, saved)
        staff.fixed_count, reader.fixed_count, device.fixed_count = args.users, args.readers, args.devices
        # stop_timeout: at the end each simulated user finishes the click it is in, so every write the
        # server made was also answered (the lost-write check compares both counts exactly)
        environment = Environment(user_classes=[staff, reader, device], stop_timeout=30)
        runner = environment.create_local_runner()
        total = args.users + args.readers + args.devices
        runner.start(total, spawn_rate=args.spawn_rate)
        gevent.sleep(args.minutes * 60)
        runner.stop()
        runner.quit()
        stats = environment.stats
        comments = count_comments(server)
    finally:
        server.stop()

    pages_out = {}
    for (name, method), entry in sorted(stats.entries.items()):
        if entry.num_requests == 0:
            continue
        key = f"{method} {name}"
        pages_out[key] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "median_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99),
            "baseline_median_ms": base.get(name, {}).get("median_ms"),
            "baseline_p99_ms": base.get(name, {}).get("p99_ms"),
        }
    total_entry = stats.total
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": server.database,
        "staff": args.users,
        "readers": args.readers,
        "devices": args.devices,
        "minutes": args.minutes,
        "requests": total_entry.num_requests,
        "failures": total_entry.num_failures,
        "error_rate": total_entry.num_failures / max(1, total_entry.num_requests),
        "requests_per_s": round(total_entry.num_requests / (args.minutes * 60), 1),
        "p99_ms": total_entry.get_response_time_percentile(0.99),
        "comments_answered_saved": len(saved),
        "comments_in_database": comments,
        "errors": [f"{e.method} {e.name}: {e.error} ×{e.occurrences}" for e in stats.errors.values()][:20],
        "pages": pages_out,
    }
    too_slow = [
        k
        for k, v in pages_out.items()
        if v["p99_ms"] > (args.login_p99_bound_ms if "(sign in)" in k else args.p99_bound_ms)
    ]
    ok = result["failures"] == 0 and comments == len(saved) and not too_slow
    result["ok"] = ok
    result["too_slow"] = too_slow
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(
            f"{result['machine']}; {result['database']}; {args.users} staff, {args.readers} readers, "
            f"{args.devices} devices for {args.minutes} min"
        )
        print(
            f"{result['requests']} requests ({result['requests_per_s']}/s), {result['failures']} failed; "
            f"comments answered saved {len(saved)}, in the database {comments}"
        )
        print(
            f"{'page type':<48} {'n':>6} {'fail':>4} {'p50':>6} {'p95':>6} {'p99':>6} {'base p50':>8} {'base p99':>8}"
        )
        for key, v in pages_out.items():
            print(
                f"{key[:48]:<48} {v['requests']:>6} {v['failures']:>4} {v['median_ms']:>6.0f} {v['p95_ms']:>6.0f} "
                f"{v['p99_ms']:>6.0f} {v['baseline_median_ms'] or 0:>8.0f} {v['baseline_p99_ms'] or 0:>8.0f}"
            )
        for error in result["errors"]:
            print("error:", error)
        print("OK" if ok else f"NOT OK (too slow: {too_slow})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
