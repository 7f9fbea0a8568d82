"""Simulated loudspeaker clusters (issue 8.11): ``ketnoi simulate-devices --count N --duration S
--url URL [--json]`` gives N clusters of a demo commune a token each, then runs them as threads
against a running Kết Nối: each heartbeats, polls its schedule with If-None-Match, downloads new
audio in two byte ranges, checks the SHA-256 and acknowledges it, "plays" it and uploads play logs
in batches (every third batch sent twice, as a device retrying would), and listens for emergencies
on the server-sent-events stream. ``--emergency-after T`` approves an emergency bulletin for the
commune T seconds in (demo users bientap.laocai / thamdinh / dieuphoi) and measures how long it
takes to reach each device. It prints one JSON object: counts and latencies per call.

The set-up writes to the database of this installation (the server must use the same one); the
devices talk to it only over HTTP, as real ones would."""

from __future__ import annotations

import hashlib
import json
import statistics
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from datetime import UTC

SIM_STATION = "Đài mô phỏng (minh họa)"


def setup_devices(*, commune_code: str, count: int, user) -> list[tuple[int, str]]:
    """N simulated clusters in the commune (created once, kept), each with a fresh token."""
    from ketnoi.core.audit import acting_as
    from ketnoi.geo.models import AdminUnit

    from . import devices
    from .models import LoudspeakerCluster, RadioStation

    commune = AdminUnit.objects.get(structure="current", level="commune", code=commune_code)
    tokens = []
    with acting_as(user if getattr(user, "pk", None) else None, name=user.get_username(), source="cli"):
        station, _ = RadioStation.objects.get_or_create(commune=commune, name=SIM_STATION)
        for n in range(1, count + 1):
            cluster, _ = LoudspeakerCluster.objects.get_or_create(
                station=station,
                name=f"Cụm mô phỏng {n:04d}",
                defaults={"device_id": f"SIM-{commune_code}-{n:04d}", "speakers": 2, "notes": "mô phỏng"},
            )
            tokens.append((cluster.pk, devices.credential_issue(user=user, cluster=cluster)[1]))
    return tokens


def device_topics(cluster_ids) -> dict[int, str]:
    """The MQTT topic of each simulated cluster (as the push job names it)."""
    from . import device_push
    from .models import DeviceCredential, LoudspeakerCluster

    live = {c.cluster_id: c for c in DeviceCredential.objects.filter(cluster_id__in=cluster_ids, revoked_at=None)}
    return {
        c.pk: device_push.device_topic(c.station.commune, c, live.get(c.pk))
        for c in LoudspeakerCluster.objects.filter(pk__in=cluster_ids).select_related("station__commune__province")
    }


def approve_emergency(*, commune_code: str) -> int:
    """An emergency for the commune with a short generated WAV, through the real workflow."""
    import io
    import wave

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from ketnoi.core.audit import acting_as
    from ketnoi.geo.models import AdminUnit
    from ketnoi.orgs.models import User

    from . import services
    from .models import Rendition

    commune = AdminUnit.objects.get(structure="current", level="commune", code=commune_code)
    writer, reviewer, approver = (User.objects.get(username=u) for u in ("bientap.laocai", "thamdinh", "dieuphoi"))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 8000)
    audio = buffer.getvalue()
    with acting_as(writer, source="cli"):
        bulletin = services.bulletin_create(
            user=writer,
            owner_unit=commune.province,
            title="Diễn tập khẩn cấp (mô phỏng)",
            body="Đây là bản tin mô phỏng.",
            priority="emergency",
            target_units=[commune],
        )
        rendition = bulletin.renditions.get(channel="loudspeaker")
        name = default_storage.save(f"bulletins/sim/{bulletin.pk}.wav", ContentFile(audio))
        Rendition.objects.filter(pk=rendition.pk).update(
            audio=name,
            audio_status="ready",
            audio_origin="recording",
            audio_sha256=hashlib.sha256(audio).hexdigest(),
            audio_seconds=1.0,
        )
        services.bulletin_transition(user=writer, bulletin=bulletin, action="submit")
    with acting_as(reviewer, source="cli"):
        services.bulletin_transition(user=reviewer, bulletin=bulletin, action="appraise")
    with acting_as(approver, source="cli"):
        services.bulletin_transition(user=approver, bulletin=bulletin, action="approve")
    return bulletin.pk


def _sent_time(emergency_at: dict, bulletin_id: int):
    """When the emergency was approved: its own entry, or — when it arrived before the approval
    call returned — the pending one, for a bulletin newer than every bulletin before the run."""
    if bulletin_id in emergency_at:
        return emergency_at[bulletin_id]
    if None in emergency_at and bulletin_id > emergency_at.get("floor", float("inf")):
        return emergency_at[None]
    return None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.status = defaultdict(lambda: defaultdict(int))
        self.counts = defaultdict(int)
        self.emergency_latency = []

    def call(self, name: str, seconds: float, status: int):
        with self.lock:
            self.latency[name].append(seconds)
            self.status[name][str(status)] += 1

    def add(self, name: str, n: int = 1):
        with self.lock:
            self.counts[name] += n

    def report(self) -> dict:
        def summary(values):
            ordered = sorted(values)
            return {
                "n": len(ordered),
                "p50_ms": round(statistics.median(ordered) * 1000, 1),
                "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
                "max_ms": round(ordered[-1] * 1000, 1),
            }

        return {
            "calls": {name: {**summary(v), "status": dict(self.status[name])} for name, v in self.latency.items() if v},
            "counts": dict(self.counts),
            "emergency_latency": summary(self.emergency_latency) if self.emergency_latency else None,
        }


class Device:
    def __init__(self, base: str, token: str, stats: Stats, *, poll: float, stop: threading.Event):
        self.base, self.token, self.stats, self.poll, self.stop = base.rstrip("/"), token, stats, poll, stop
        self.etag, self.have, self.pending, self.last_batch, self.batches = None, {}, [], None, 0

    def request(self, name, method, path, body=None, headers=None, timeout=30):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                content, status, reply = response.read(), response.status, response.headers
        except urllib.error.HTTPError as exc:
            content, status, reply = exc.read(), exc.code, exc.headers
        except OSError:
            self.stats.call(name, time.perf_counter() - started, 0)
            self.stats.add("network_errors")
            return 0, b"", {}
        self.stats.call(name, time.perf_counter() - started, status)
        return status, content, reply

    def heartbeat(self):
        from datetime import datetime

        self.request(
            "heartbeat",
            "POST",
            "/api/v1/devices/heartbeat",
            {
                "state": "online",
                "volume": 70,
                "signal": -75,
                "firmware": "sim-1.0",
                "reported_at": datetime.now(UTC).isoformat(),
            },
        )

    def download(self, rendition: dict) -> bool:
        path = rendition["audio_url"].split("://", 1)[-1]
        path = path[path.index("/") :]
        size = rendition.get("bytes") or 0
        half = max(1, size // 2)
        parts = []
        for spec in (f"bytes=0-{half - 1}", f"bytes={half}-"):
            status, content, _ = self.request("audio", "GET", path, headers={"Range": spec})
            if status not in (200, 206):
                if status == 416 and spec.startswith(f"bytes={half}") and size <= 1:
                    break
                return False
            parts.append(content)
            self.stats.add("audio_bytes", len(content))
            if status == 200:
                break
        digest = hashlib.sha256(b"".join(parts)).hexdigest()
        if digest != rendition["sha256"]:
            self.stats.add("checksum_mismatch")
            return False
        status, _, _ = self.request(
            "ack", "POST", "/api/v1/devices/ack", {"rendition_id": rendition["id"], "sha256": digest}
        )
        self.stats.add("acknowledged" if status == 200 else "ack_refused")
        return status == 200

    def poll_schedule(self):
        from datetime import datetime

        headers = {"If-None-Match": self.etag} if self.etag else {}
        status, content, reply = self.request("schedule", "GET", "/api/v1/devices/schedule", headers=headers)
        if status == 304:
            self.stats.add("schedule_not_modified")
            return
        if status != 200:
            return
        self.etag = reply.get("ETag")
        for item in json.loads(content)["items"]:
            for rendition in item["renditions"]:
                if rendition["id"] in self.have or not rendition.get("sha256"):
                    continue
                if self.download(rendition):
                    self.have[rendition["id"]] = True
                    self.pending.append(
                        {
                            "client_id": uuid.uuid4().hex,
                            "rendition_id": rendition["id"],
                            "started_at": datetime.now(UTC).isoformat(),
                            "seconds": int(rendition.get("seconds") or 0),
                            "completed": True,
                        }
                    )
                    self.stats.add("played")

    def flush_logs(self):
        self.batches += 1
        if self.last_batch is not None and self.batches % 3 == 0:  # a retried batch: must change nothing
            status, content, _ = self.request(
                "logs_replayed", "POST", "/api/v1/devices/logs", {"lines": self.last_batch}
            )
            if status == 200:
                self.stats.add("log_lines_duplicate", json.loads(content)["duplicates"])
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        status, content, _ = self.request("logs", "POST", "/api/v1/devices/logs", {"lines": batch})
        if status == 200:
            answer = json.loads(content)
            self.stats.add("log_lines_accepted", answer["accepted"])
            self.stats.add("log_lines_rejected", answer["rejected"])
            self.last_batch = batch
        else:
            self.pending = batch + self.pending

    def run(self):
        while not self.stop.is_set():
            self.heartbeat()
            self.poll_schedule()
            self.flush_logs()
            self.stop.wait(self.poll)

    def listen(self, emergency_at: dict):
        """Hold the event stream; note when each emergency arrives."""
        last = None
        while not self.stop.is_set():
            request = urllib.request.Request(self.base + "/api/v1/devices/events")
            request.add_header("Authorization", f"Bearer {self.token}")
            if last is not None:
                request.add_header("Last-Event-ID", str(last))
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    event = None
                    for raw in response:
                        line = raw.decode().rstrip("\n")
                        if line.startswith("id: "):
                            last = int(line[4:])
                        elif line.startswith("event: "):
                            event = line[7:]
                        elif line.startswith("data: ") and event == "emergency":
                            payload = json.loads(line[6:])
                            self.stats.add("emergencies_received")
                            sent = _sent_time(emergency_at, payload["bulletin"])
                            if sent is not None:
                                with self.stats.lock:
                                    self.stats.emergency_latency.append(time.monotonic() - sent)
                        if self.stop.is_set():
                            return
            except (OSError, ValueError):
                self.stats.add("event_stream_errors")
                self.stop.wait(1)


def _mqtt_listener(url: str, topics: list[str], stats: Stats, emergency_at: dict, stop: threading.Event):
    """One MQTT connection per device (as each cluster holds its own), QoS 1, on its device topic."""
    from urllib.parse import urlsplit

    import paho.mqtt.client as mqtt

    parts = urlsplit(url)
    clients = []
    for topic in topics:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"sim-{uuid.uuid4().hex[:10]}")
        if parts.username:
            client.username_pw_set(parts.username, parts.password or "")

        def on_message(c, userdata, message):
            if not message.payload:
                return
            payload = json.loads(message.payload)
            if payload.get("type") != "emergency":
                return
            stats.add("emergencies_received")
            sent = _sent_time(emergency_at, payload["bulletin"])
            if sent is not None:
                with stats.lock:
                    stats.emergency_latency.append(time.monotonic() - sent)

        client.on_connect = lambda c, u, f, rc, p, t=topic: c.subscribe(t, qos=1)
        client.on_message = on_message
        try:
            client.connect(parts.hostname or "127.0.0.1", parts.port or 1883, keepalive=30)
        except OSError:
            stats.add("mqtt_errors")
            continue
        client.loop_start()
        clients.append(client)
    stop.wait()
    for client in clients:
        client.loop_stop()
        client.disconnect()


def simulate(
    *,
    url: str,
    tokens,
    duration: float,
    poll: float = 5.0,
    emergency=None,
    listen: bool = True,
    mqtt_url: str = "",
    topics=None,
) -> dict:
    """Run the devices for ``duration`` seconds; ``emergency`` = (after seconds, callable returning a
    bulletin id) is called once in the run."""
    stats, stop, emergency_at = Stats(), threading.Event(), {}
    fleet = [Device(url, token, stats, poll=poll, stop=stop) for _, token in tokens]
    threads = [threading.Thread(target=d.run, daemon=True) for d in fleet]
    if mqtt_url:  # emergencies over MQTT, as devices do where a broker is configured
        listeners = [
            threading.Thread(
                target=_mqtt_listener, args=(mqtt_url, list(topics or []), stats, emergency_at, stop), daemon=True
            )
        ]
    elif listen:  # over server-sent events: each device holds a stream (a server thread) open
        listeners = [threading.Thread(target=d.listen, args=(emergency_at,), daemon=True) for d in fleet]
    else:
        listeners = []
    started = time.monotonic()
    for thread in threads + listeners:
        thread.start()
    if emergency is not None:
        after, make = emergency
        time.sleep(max(0.0, after - (time.monotonic() - started)))
        from .models import Bulletin

        emergency_at["floor"] = Bulletin.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        sent = emergency_at[None] = time.monotonic()
        emergency_at[make()] = sent
    time.sleep(max(0.0, duration - (time.monotonic() - started)))
    stop.set()
    for thread in threads:
        thread.join(timeout=70)
    for thread in listeners:  # daemon threads blocked on an idle stream end with the process
        thread.join(timeout=2 if mqtt_url else 0.2)
    report = stats.report()
    report.update(
        {
            "devices": len(fleet),
            "duration_s": round(time.monotonic() - started, 2),
            "url": url,
            "emergencies_over": "mqtt" if mqtt_url else ("sse" if listen else "none"),
        }
    )
    return report
