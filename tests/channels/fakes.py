"""Local fake servers for the messaging adapters (issue 8.8): threads on 127.0.0.1, ephemeral ports.

* ``FakeSmsc``: enough SMPP 3.4 for an ESME — bind_transceiver, submit_sm → submit_sm_resp with a
  message id (or ESME_RTHROTTLED / ESME_RINVDSTADR / silence), a deliver_sm delivery receipt for
  each accepted message, enquire_link, unbind. Written from the specification with struct, not
  with smpplib, so the tests check the bytes the adapter really sent.
* ``FakeHttp``: records each POST and answers what the test asks: a status and JSON body, or
  nothing at all until the client gives up (``hang``).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BIND_TRANSCEIVER, SUBMIT_SM, DELIVER_SM, UNBIND, ENQUIRE_LINK = 0x09, 0x04, 0x05, 0x06, 0x15
RESP = 0x80000000
ESME_ROK, ESME_RINVDSTADR, ESME_RTHROTTLED, ESME_RINVPASWD = 0x00, 0x0B, 0x58, 0x0E


def _cstring(data: bytes, pos: int) -> tuple[bytes, int]:
    end = data.index(b"\x00", pos)
    return data[pos:end], end + 1


def parse_submit_sm(body: bytes) -> dict:
    """The mandatory fields of a submit_sm body (SMPP 3.4 §4.4.1) and its TLVs."""
    fields, pos = {}, 0
    fields["service_type"], pos = _cstring(body, pos)
    fields["source_addr_ton"], fields["source_addr_npi"] = body[pos], body[pos + 1]
    fields["source_addr"], pos = _cstring(body, pos + 2)
    fields["dest_addr_ton"], fields["dest_addr_npi"] = body[pos], body[pos + 1]
    fields["destination_addr"], pos = _cstring(body, pos + 2)
    fields["esm_class"], fields["protocol_id"], fields["priority_flag"] = body[pos : pos + 3]
    fields["schedule_delivery_time"], pos = _cstring(body, pos + 3)
    fields["validity_period"], pos = _cstring(body, pos)
    names = ("registered_delivery", "replace_if_present_flag", "data_coding", "sm_default_msg_id", "sm_length")
    for offset, name in enumerate(names):
        fields[name] = body[pos + offset]
    pos += len(names)
    fields["short_message"] = body[pos : pos + fields["sm_length"]]
    pos += fields["sm_length"]
    tlvs = {}
    while pos + 4 <= len(body):
        tag, length = struct.unpack(">HH", body[pos : pos + 4])
        tlvs[tag] = body[pos + 4 : pos + 4 + length]
        pos += 4 + length
    fields["tlvs"] = tlvs
    return fields


def pdu(command_id: int, sequence: int, body: bytes = b"", status: int = ESME_ROK) -> bytes:
    return struct.pack(">IIII", 16 + len(body), command_id, status, sequence) + body


def receipt_body(*, message_id: str, stat: str, source: bytes, brand: bytes, tlvs: bool = True) -> bytes:
    """A deliver_sm carrying an SMSC delivery receipt (esm_class 0x04), text as in appendix B."""
    state = {"DELIVRD": 2, "EXPIRED": 3, "UNDELIV": 5, "REJECTD": 8, "ENROUTE": 1}[stat]
    text = (
        f"id:{message_id} sub:001 dlvrd:{'001' if stat == 'DELIVRD' else '000'} submit date:2612071130 "
        f"done date:2612071131 stat:{stat} err:{'000' if stat == 'DELIVRD' else '013'} text:Thong bao"
    ).encode("ascii")
    body = b"\x00" + bytes([1, 1]) + source + b"\x00" + bytes([5, 0]) + brand + b"\x00"
    body += bytes([0x04, 0, 0]) + b"\x00" + b"\x00" + bytes([0, 0, 0, 0, len(text)]) + text
    if tlvs:
        mid = message_id.encode("ascii") + b"\x00"
        body += struct.pack(">HH", 0x001E, len(mid)) + mid + struct.pack(">HHB", 0x0427, 1, state)
    return body


def mo_body(*, text: str, source: bytes, brand: bytes) -> bytes:
    """A deliver_sm carrying a message from a phone (esm_class 0), UCS-2."""
    data = text.encode("utf-16-be")
    body = b"\x00" + bytes([1, 1]) + source + b"\x00" + bytes([5, 0]) + brand + b"\x00"
    return body + bytes([0, 0, 0]) + b"\x00" + b"\x00" + bytes([0, 0, 8, 0, len(data)]) + data


@dataclass
class Received:
    command_id: int
    status: int
    sequence: int
    body: bytes
    fields: dict = field(default_factory=dict)


class FakeSmsc:
    """``submit_status``: answer to every submit_sm (or None: never answer). ``receipt``: the stat of
    the deliver_sm sent after each accepted submit_sm (None: none). ``bind_status``: answer to the bind."""

    def __init__(self, *, submit_status=ESME_ROK, receipt: str | None = "DELIVRD", bind_status=ESME_ROK):
        self.submit_status, self.receipt, self.bind_status = submit_status, receipt, bind_status
        self.received: list[Received] = []
        self.binds = 0
        self._sequence = 1000
        self._ids = 0
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        for conn in self._connections:
            conn.close()
        self._server.close()

    def commands(self, command_id: int) -> list[Received]:
        return [r for r in self.received if r.command_id == command_id]

    def wait_for(self, command_id: int, count: int = 1, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.commands(command_id)) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.commands(command_id)

    def push(self, body: bytes, command_id: int = DELIVER_SM) -> None:
        """Send a PDU from the SMSC to the bound client (an MO message, an enquire_link)."""
        self._send(self._connections[-1], command_id, self._next(), body)

    def drop_connections(self) -> None:
        for conn in self._connections:
            conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def _next(self) -> int:
        with self._lock:
            self._sequence += 1
            return self._sequence

    def _send(self, conn, command_id, sequence, body=b"", status=ESME_ROK):
        with self._lock:
            conn.sendall(pdu(command_id, sequence, body, status))

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._connections.append(conn)
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _read(self, conn, size):
        data = b""
        while len(data) < size:
            try:
                chunk = conn.recv(size - len(data))
            except TimeoutError:
                if self._stop.is_set():
                    return None
                continue
            except OSError:
                return None
            if not chunk:
                return None
            data += chunk
        return data

    def _session(self, conn):
        conn.settimeout(0.2)
        while not self._stop.is_set():
            head = self._read(conn, 16)
            if head is None:
                return
            length, command_id, status, sequence = struct.unpack(">IIII", head)
            body = self._read(conn, length - 16) if length > 16 else b""
            if body is None:
                return
            record = Received(command_id, status, sequence, body)
            if command_id == SUBMIT_SM:
                record.fields = parse_submit_sm(body)
            self.received.append(record)
            try:
                self._answer(conn, record)
            except OSError:
                return

    def _answer(self, conn, record):
        if record.command_id == BIND_TRANSCEIVER:
            self.binds += 1
            self._send(conn, BIND_TRANSCEIVER | RESP, record.sequence, b"FakeSMSC\x00", self.bind_status)
        elif record.command_id == ENQUIRE_LINK:
            self._send(conn, ENQUIRE_LINK | RESP, record.sequence)
        elif record.command_id == UNBIND:
            self._send(conn, UNBIND | RESP, record.sequence)
        elif record.command_id == SUBMIT_SM:
            if self.submit_status is None:
                return  # a hung SMSC: no answer
            if self.submit_status != ESME_ROK:
                self._send(conn, SUBMIT_SM | RESP, record.sequence, b"\x00", self.submit_status)
                return
            self._ids += 1
            message_id = f"MSG{self._ids:04d}"
            self._send(conn, SUBMIT_SM | RESP, record.sequence, message_id.encode() + b"\x00")
            if self.receipt:
                body = receipt_body(
                    message_id=message_id,
                    stat=self.receipt,
                    source=record.fields["destination_addr"],
                    brand=record.fields["source_addr"],
                )
                self._send(conn, DELIVER_SM, self._next(), body)


class FakeHttp:
    """Answers every POST with ``status`` and ``reply`` (JSON), or hangs for ``hang`` seconds.
    Each request is recorded with its header names in lower case."""

    def __init__(self, *, status: int = 200, reply=None, headers: dict | None = None, hang: float = 0.0):
        self.status, self.reply, self.headers, self.hang = status, reply, headers or {}, hang
        self.requests: list[dict] = []
        self._released = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    data = json.loads(body)
                except ValueError:
                    data = None
                fake.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                        "json": data,
                    }
                )
                if fake.hang:
                    fake._released.wait(fake.hang)
                    return
                answer = json.dumps(fake.reply if fake.reply is not None else {}).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                for key, value in fake.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
