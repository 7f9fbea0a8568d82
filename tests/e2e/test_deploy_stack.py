"""The deployment profile on loopback (issue 10.1): PostgreSQL + Redis + two app processes + two job
workers + nginx, started from the files in deploy/ as an operator would install them — the app and
worker commands are read from the systemd units, nginx runs the site file deploy/nginx/ketnoi.conf
— and a commune officer's journey driven through nginx over TLS in Chromium.

Only the paths differ from a server: a temporary directory instead of /srv, /etc and /var/lib, free
ports, a self-signed certificate, and a database and Redis number of its own.
"""

from __future__ import annotations

import gzip
import os
import re
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import _STRIPPED_ENV, CHROMIUM, _free_port, _ketnoi, _unavailable

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DATABASE = "ketnoi_stack"
REDIS_DB = 14
PASSWORD = "Loopback-stack-2026-kiem-thu"
OFFICER = "xa.tumorong"
INSECURE = ssl._create_unverified_context()  # the test's own self-signed certificate


def _exec_starts(unit: str, **values: str) -> list[list[str]]:
    """The ExecStart commands of a unit in deploy/systemd, with the server's paths replaced."""
    commands = []
    for line in (DEPLOY / "systemd" / unit).read_text(encoding="utf-8").splitlines():
        if line.startswith("ExecStart="):
            command = line.removeprefix("ExecStart=")
            command = command.replace("/srv/ketnoi/.venv/bin/", str(Path(sys.executable).parent) + "/")
            for name, value in values.items():
                command = command.replace(name, value)
            commands.append(shlex.split(command))
    assert commands, f"{unit} has no ExecStart"
    return commands


def _render_site(**values: str) -> str:
    site = (DEPLOY / "nginx" / "ketnoi.conf").read_text(encoding="utf-8")
    for name, value in values.items():
        site = site.replace("{{" + name + "}}", value)
    left = [
        m for line in site.splitlines() if not line.lstrip().startswith("#") for m in re.findall(r"\{\{\w+\}\}", line)
    ]
    assert not left, f"deploy/nginx/ketnoi.conf has values the test does not fill: {left}"
    return site


def _get(url: str, headers: dict | None = None, redirect: bool = True):
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=INSECURE))
    if not redirect:

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=INSECURE), NoRedirect)
    try:
        return opener.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        return error


class Stack:
    def __init__(self, root: Path):
        self.root = root
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.web_ports = [_free_port(), _free_port()]
        self.https_port = _free_port()
        self.http_port = _free_port()
        self.url = f"https://127.0.0.1:{self.https_port}"
        env = {k: v for k, v in os.environ.items() if k not in _STRIPPED_ENV}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        env.update(
            KETNOI_PROFILE="production",
            KETNOI_TESTING="0",
            HUEY_IMMEDIATE="0",
            PYTHONUNBUFFERED="1",
            SECRET_KEY="loopback-stack-secret-" + "x" * 40,
            KETNOI_AUDIT_CHAIN_KEY="loopback-stack-chain-" + "y" * 40,
            DATABASE_URL=f"postgresql://postgres@127.0.0.1:5432/{DATABASE}",
            REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
            KETNOI_QUEUE_NAME="ketnoi-stack",
            KETNOI_VAR_DIR=str(root / "var"),
            STATIC_ROOT=str(root / "var" / "static"),
            MEDIA_ROOT=str(root / "var" / "media"),
            ALLOWED_HOSTS="127.0.0.1",
            CSRF_TRUSTED_ORIGINS=self.url,
            KETNOI_ACCEL_REDIRECT_PREFIX="/_protected/",
            WEB_WORKERS="1",
        )
        self.env = env
        (root / "var").mkdir()

    def run(self, *args: str, timeout: float = 900) -> str:
        return self.run_command([*_ketnoi(), *args], timeout=timeout)

    def run_command(self, command: list[str], timeout: float = 900) -> str:
        result = subprocess.run(command, env=self.env, cwd=self.root, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{' '.join(command)}: {result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result.stdout

    def start(self, name: str, command: list[str]) -> None:
        log = self.root / f"{name}.log"
        self.logs[name] = log
        self.processes[name] = subprocess.Popen(
            command,
            env=self.env,
            cwd=self.root,
            stdout=open(log, "w"),  # noqa: SIM115 - the process owns it until stop()
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace")

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                assert process.poll() is None, f"{name} exited {process.returncode}:\n{self.log(name)[-3000:]}"
            response = _get(f"{self.url}/healthz") if self._port_open() else None
            if response is not None and response.status == 200:
                return
            time.sleep(0.5)
        raise AssertionError("the stack did not answer /healthz through nginx:\n" + self.log("nginx-error")[-2000:])

    def _port_open(self) -> bool:
        import socket

        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", self.https_port)) == 0

    def stop(self) -> None:
        for process in self.processes.values():
            try:
                os.killpg(os.getpgid(process.pid), signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(os.getpgid(process.pid), signal.SIGKILL)
                process.wait(timeout=10)


def _require_stack_services() -> None:
    if not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"):
        _unavailable("nginx is missing (apt-get install -y nginx libnginx-mod-http-brotli-filter …)")
    if not list(Path("/usr/lib/nginx/modules").glob("*brotli*.so")):
        _unavailable("nginx's brotli modules are missing (apt-get install -y libnginx-mod-http-brotli-filter …-static)")
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is missing")
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode != 0:
        _unavailable("PostgreSQL is not running on 127.0.0.1:5432")
    if subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"], capture_output=True).returncode != 0:
        _unavailable("Redis is not running on 127.0.0.1:6379")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    _require_stack_services()
    root = tmp_path_factory.mktemp("ketnoi-stack")
    psql = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres"]
    subprocess.run([*psql, "-c", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"], check=True)
    subprocess.run([*psql, "-c", f"CREATE DATABASE {DATABASE}"], check=True)
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-n", str(REDIS_DB), "flushdb"], check=True, capture_output=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-keyout", str(root / "tls.key"), "-out", str(root / "tls.crt")],
        check=True,
        capture_output=True,
    )
    stack = Stack(root)
    # What ketnoi-migrate.service runs, then the data an operator loads once.
    for command in _exec_starts("ketnoi-migrate.service"):
        stack.run_command(command)
    stack.run("load-reference")
    stack.run("demo")
    stack.run(
        "manage",
        "shell",
        "-c",
        f"from ketnoi.orgs.models import User; u = User.objects.get(username='{OFFICER}'); "
        f"u.set_password('{PASSWORD}'); u.save()",
    )
    for index, port in enumerate(stack.web_ports, start=1):
        stack.start(f"web{index}", _exec_starts("ketnoi-web@.service", **{"%i": str(port), "${WEB_WORKERS}": "1"})[0])
    for index in (1, 2):
        stack.start(f"worker{index}", _exec_starts("ketnoi-worker@.service")[0])
    site = _render_site(
        UPSTREAM_SERVERS="\n".join(f"    server 127.0.0.1:{port};" for port in stack.web_ports),
        HTTP_LISTEN=f"127.0.0.1:{stack.http_port}",
        HTTPS_LISTEN=f"127.0.0.1:{stack.https_port}",
        SERVER_NAME="127.0.0.1",
        TLS_CERTIFICATE=str(root / "tls.crt"),
        TLS_KEY=str(root / "tls.key"),
        STATIC_ROOT=stack.env["STATIC_ROOT"],
        MEDIA_ROOT=stack.env["MEDIA_ROOT"],
    )
    (root / "ketnoi.conf").write_text(site, encoding="utf-8")
    temp = "".join(
        f"    {kind}_temp_path {root}/nginx-{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Debian's brotli modules, by absolute path (the -p prefix is the temporary folder)
    modules = "".join(f"load_module {path};\n" for path in sorted(Path("/usr/lib/nginx/modules").glob("*brotli*.so")))
    user = "user root;\n" if os.geteuid() == 0 else ""  # root's temporary folders are private
    (root / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 2;\npid {root}/nginx.pid;\nerror_log {root}/nginx-error.log warn;\n"
        f"{modules}events {{ worker_connections 256; }}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    access_log {root}/nginx-access.log;\n{temp}    include {root}/ketnoi.conf;\n}}\n"
    )
    (root / "nginx-error.log").touch()
    stack.logs["nginx-error"] = root / "nginx-error.log"
    nginx = ["nginx", "-p", str(root), "-c", str(root / "nginx.conf")]
    test = subprocess.run([*nginx, "-t"], capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    stack.start("nginx", nginx)
    try:
        stack.wait_healthy()
        yield stack
    finally:
        stack.stop()


def test_nginx_serves_static_compressed_and_cached_and_hides_uploads(stack):
    home = _get(f"{stack.url}/login/", {"Accept-Encoding": "gzip"})
    assert home.status == 200
    assert home.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(home.read()).decode()
    assert "max-age=31536000" in home.headers["Strict-Transport-Security"]
    assert "script-src 'self'" in home.headers["Content-Security-Policy"]
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html)
    assert stylesheet, "the production profile links fingerprinted static files"
    for encoding in ("br", "gzip"):
        css = _get(stack.url + stylesheet.group(1), {"Accept-Encoding": encoding})
        assert css.status == 200
        assert css.headers["Content-Encoding"] == encoding
        assert "immutable" in css.headers["Cache-Control"] and "max-age=31536000" in css.headers["Cache-Control"]
    plain = _get(f"{stack.url}/http-only", redirect=False)  # any path: TLS is the only way in
    http = _get(f"http://127.0.0.1:{stack.http_port}/login/", redirect=False)
    assert http.status == 301 and http.headers["Location"].startswith("https://")
    assert plain.status in (301, 302, 404)
    assert _get(f"{stack.url}/media/anything.pdf").status == 404
    assert _get(f"{stack.url}/_protected/anything.pdf").status == 404  # internal: only after the app said so


def test_officer_journey_through_nginx_on_two_app_processes_and_two_workers(stack, browser):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=stack.url, ignore_https_errors=True)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", OFFICER)
    page.fill("#id_password", "wrong password")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/login/" in page.url  # refused, and said so on the page
    page.fill("#id_username", OFFICER)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/login/" not in page.url, page.locator("main").inner_text()[:500]

    page.goto("/my-work/")
    with page.expect_navigation():
        page.get_by_role("button", name="Bắt đầu báo cáo").first.click()
    report_url = page.url
    page.fill("#narrative", "Quý II: họp 9 thôn qua hệ thống triển khai thật.")
    pdf = b"%PDF-1.7\n% loopback stack evidence\n%%EOF\n"
    page.set_input_files("#evidence", files=[{"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    page.fill("#evidence-note", "Biên bản")
    with page.expect_navigation():
        page.locator("button[name=action][value=save]").last.click()
    expect(page.locator("ul.evidence")).to_contain_text("bien-ban.pdf")
    # The download: the app checks the scope and answers X-Accel-Redirect; nginx sends the bytes.
    with page.expect_download() as download:
        page.locator("ul.evidence a").first.click()
    assert download.value.suggested_filename == "bien-ban.pdf"
    assert Path(download.value.path()).read_bytes() == pdf
    evidence_href = page.locator("ul.evidence a").first.get_attribute("href")
    answer = context.request.get(evidence_href)
    assert answer.status == 200 and "x-accel-redirect" not in answer.headers
    assert answer.headers["cache-control"] == "private, no-store"

    page.goto(report_url)
    with page.expect_navigation():
        page.locator("button[name=action][value=submit]").click()
    expect(page.locator("#narrative")).to_have_count(0)
    context.close()

    # The submission's notification job ran on one of the two workers, from the Redis queue.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any("notifications.report_submitted" in stack.log(f"worker{i}") for i in (1, 2)):
            break
        time.sleep(1)
    else:
        raise AssertionError("no worker ran the job:\n" + stack.log("worker1")[-2000:] + stack.log("worker2")[-2000:])
    # PostgreSQL restarts (every connection of the app and the workers is cut): the next pages load.
    cut = subprocess.run(
        [
            "psql",
            "-qtA",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{DATABASE}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(cut.stdout.strip()) >= 1, "the app kept no connection open to cut"
    for _ in range(4):  # both app processes, each on a connection that was cut
        assert _get(f"{stack.url}/p/vi/").status == 200  # reads the database
    # nginx spread the requests over both app processes.
    for name in ("web1", "web2"):
        assert re.search(r'"(GET|POST) /', stack.log(name)), f"{name} served nothing:\n{stack.log(name)[-1500:]}"
