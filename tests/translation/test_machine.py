"""Machine translation providers: none by default; LibreTranslate against a local fake server."""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ketnoi.translation import machine


class FakeLibreTranslate(BaseHTTPRequestHandler):
    mode = "ok"
    requests: list = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append((self.path, body))
        if self.mode == "slow":
            time.sleep(1.5)
        if self.mode == "500":
            self._send(500, b'{"error": "model crashed"}')
        elif self.mode == "badjson":
            self._send(200, b"<html>not json</html>")
        elif self.mode == "nokey":
            self._send(200, b'{"other": 1}')
        else:
            self._send(200, json.dumps({"translatedText": f"[{body['target']}] {body['q']}"}).encode())

    def _send(self, status, data):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            pass


@pytest.fixture
def fake_server():
    FakeLibreTranslate.requests = []
    FakeLibreTranslate.mode = "ok"
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLibreTranslate)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def configured(settings, fake_server):
    server, url = fake_server
    settings.MT_PROVIDER = "libretranslate"
    settings.MT_URL = url + "/"
    settings.MT_API_KEY = "secret"
    settings.MT_TIMEOUT = 0.5
    return server


def test_no_provider_by_default(settings):
    if hasattr(settings, "MT_PROVIDER"):
        del settings.MT_PROVIDER
    provider = machine.get_provider()
    assert provider.name == "none"
    with pytest.raises(machine.ProviderUnavailable, match="No machine-translation provider"):
        machine.translate("xin chào", source_lang="vi", target_lang="en")


def test_libretranslate_translates_and_marks_post_editing(configured):
    result = machine.translate("Xin chào bà con", source_lang="vi", target_lang="th")
    assert result == machine.MachineResult(
        text="[th] Xin chào bà con", provider="libretranslate", needs_post_editing=True
    )
    [(path, body)] = FakeLibreTranslate.requests
    assert path == "/translate"
    assert body == {"q": "Xin chào bà con", "source": "vi", "target": "th", "format": "text", "api_key": "secret"}


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("slow", "did not answer within 0.5 s"),
        ("500", "answered HTTP 500: model crashed"),
        ("badjson", "not JSON with translatedText"),
        ("nokey", "not JSON with translatedText"),
    ],
)
def test_libretranslate_failures_are_clear(configured, mode, message):
    FakeLibreTranslate.mode = mode
    with pytest.raises(machine.MachineTranslationError) as exc:
        machine.translate("x", source_lang="vi", target_lang="en")
    assert message in str(exc.value)


def test_unreachable_server(settings, fake_server):
    server, url = fake_server
    server.shutdown()
    server.server_close()
    settings.MT_PROVIDER = "libretranslate"
    settings.MT_URL = url
    with pytest.raises(machine.MachineTranslationError, match="cannot be reached"):
        machine.translate("x", source_lang="vi", target_lang="en")


def test_misconfiguration_is_named(settings):
    settings.MT_PROVIDER = "libretranslate"
    settings.MT_URL = ""
    with pytest.raises(machine.ProviderUnavailable, match="MT_URL is not set"):
        machine.get_provider()
    settings.MT_URL = "ftp://x"
    with pytest.raises(machine.ProviderUnavailable, match="must start with http"):
        machine.get_provider()
    settings.MT_PROVIDER = "deepthought"
    with pytest.raises(machine.ProviderUnavailable, match="unknown MT_PROVIDER 'deepthought'"):
        machine.get_provider()


def test_argos_without_the_package_is_unavailable(settings, monkeypatch):
    settings.MT_PROVIDER = "argos"
    monkeypatch.setitem(sys.modules, "argostranslate", None)
    monkeypatch.setitem(sys.modules, "argostranslate.translate", None)
    with pytest.raises(machine.ProviderUnavailable, match="argostranslate is not installed"):
        machine.get_provider()


def test_argos_uses_only_installed_languages(settings, monkeypatch):
    """A stand-in argostranslate module: the provider asks for installed languages and never downloads."""
    import types

    calls = []

    class Translation:
        def translate(self, text):
            return text.upper()

    class Lang:
        def __init__(self, code):
            self.code = code

        def get_translation(self, other):
            return Translation() if (self.code, other.code) == ("vi", "en") else None

    fake = types.ModuleType("argostranslate.translate")
    fake.get_installed_languages = lambda: calls.append("installed") or [Lang("vi"), Lang("en"), Lang("fr")]
    package = types.ModuleType("argostranslate")
    package.translate = fake
    package.package = types.SimpleNamespace(update_package_index=lambda: pytest.fail("must never download"))
    monkeypatch.setitem(sys.modules, "argostranslate", package)
    monkeypatch.setitem(sys.modules, "argostranslate.translate", fake)
    settings.MT_PROVIDER = "argos"
    result = machine.translate("xin chào", source_lang="vi", target_lang="en")
    assert result.text == "XIN CHÀO" and result.provider == "argos" and result.needs_post_editing
    with pytest.raises(machine.ProviderUnavailable, match="no Argos language package for th"):
        machine.translate("x", source_lang="vi", target_lang="th")
    with pytest.raises(machine.ProviderUnavailable, match="no installed Argos model translates en → fr"):
        machine.translate("x", source_lang="en", target_lang="fr")
    assert calls == ["installed"] * 3


def test_register_a_provider(settings):
    class Echo(machine.Provider):
        name = "echo"

        def translate(self, text, source_lang, target_lang):
            return self._result(text)

    machine.register("echo", Echo)
    try:
        settings.MT_PROVIDER = "echo"
        assert machine.translate("a", source_lang="vi", target_lang="en").needs_post_editing is True
    finally:
        machine.PROVIDERS.pop("echo")
