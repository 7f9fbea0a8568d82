"""Browser tests against a real `ketnoi serve`, set up the way a user gets it.

A session fixture makes a temporary KETNOI_VAR_DIR, runs `ketnoi migrate`, `ketnoi load-reference`
and `ketnoi demo` in it on the embedded SQLite database (DATABASE_URL and REDIS_URL are removed
from the environment so CI's PostgreSQL and Redis are never touched), then starts
`ketnoi serve --with-worker` on a free port and drives it with Debian's Chromium through the
Playwright sync API. `playwright install` is never run: the browser is /usr/bin/chromium.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "ketnoi-demo-2025"
REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = REPO_ROOT / "test-results"

# Settings that would point the server at shared services or directories instead of its own
# temporary ones; the subprocesses never inherit them.
_STRIPPED_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "TEST_DATABASE_NAME",
    "KETNOI_QUEUE_FILE",
    "KETNOI_QUEUE_NAME",
    "KETNOI_PROFILE",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "DJANGO_SETTINGS_MODULE",
    "PORT",
    "HOST",
    "WEB_CONCURRENCY",
)


def _unavailable(reason: str):
    """In CI a missing browser is a failure; on a developer machine the tests are skipped."""
    if IN_CI:
        pytest.fail(f"{reason} (required in CI, CI=true)", pytrace=False)
    pytest.skip(reason)


def _ketnoi() -> list[str]:
    script = Path(sys.executable).parent / "ketnoi"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ketnoi.cli"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class KetnoiServer:
    def __init__(self, var_dir: Path):
        self.var_dir = var_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if k not in _STRIPPED_ENV}
        # The server runs this checkout's code, whichever checkout the package was installed from.
        self.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), self.env.get("PYTHONPATH")]))
        self.env.update(
            KETNOI_VAR_DIR=str(var_dir),
            KETNOI_TESTING="0",
            HUEY_IMMEDIATE="0",
            PYTHONUNBUFFERED="1",
        )
        self.log_path = var_dir / "serve.log"
        self.process: subprocess.Popen | None = None

    def run(self, *args: str, timeout: float = 600) -> str:
        """Run `ketnoi <args>` to completion in the server's environment; return its stdout."""
        result = subprocess.run(
            [*_ketnoi(), *args],
            env=self.env,
            cwd=self.var_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"`ketnoi {' '.join(args)}` exited {result.returncode}\n"
                f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
            )
        return result.stdout

    def shell(self, code: str) -> str:
        """Run Python in `ketnoi manage shell -c`; return the last line it printed."""
        lines = [line for line in self.run("manage", "shell", "-c", code).splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""

    def start(self, timeout: float = 60) -> None:
        log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.process = subprocess.Popen(
            [*_ketnoi(), "serve", "--port", str(self.port), "--workers", "1", "--with-worker"],
            env=self.env,
            cwd=self.var_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn and the worker end with it
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"`ketnoi serve` exited {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.url}/healthz did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            pgid = os.getpgid(self.process.pid)
        except ProcessLookupError:
            pgid = None
        if pgid is not None:
            try:
                os.killpg(pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        if pgid is not None:
            try:
                os.killpg(pgid, signal.SIGKILL)  # anything left of the group
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)
        self.process = None
        self._log.close()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def ketnoi_server(chromium_path, tmp_path_factory):
    """A real server on embedded SQLite with the reference and demo data loaded."""
    var_dir = tmp_path_factory.mktemp("ketnoi-e2e-var")
    server = KetnoiServer(var_dir)
    server.run("migrate")
    server.run("load-reference")
    server.run("demo")
    server.start()
    yield server
    server.stop()
    if not IN_CI:
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture
def context(browser, ketnoi_server):
    """A fresh browser context (own cookies) with the server as base URL. The browser asks for
    English (en-US): the interface must still start in Vietnamese."""
    context = browser.new_context(base_url=ketnoi_server.url, locale="en-US")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page_errors() -> list[str]:
    """Uncaught JavaScript errors of the `page` fixture's page."""
    return []


@pytest.fixture
def page(context, page_errors):
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    return page


def login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form (plain form post: works with and without JavaScript)."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/login/" not in page.url, f"login as {username} failed: {page.locator('main').inner_text()[:500]}"


@pytest.fixture
def results_dir() -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    return RESULTS_DIR
