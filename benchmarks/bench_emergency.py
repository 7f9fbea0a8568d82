"""Emergency fan-out (issue 8.11): time from an emergency bulletin's approval to the last of N
online devices (default 10,000) receiving it over MQTT, against publishing the same messages with
paho alone in the same run.

A scratch SQLite database (migrated first) holds 10 communes with N/10 loudspeaker clusters each,
every cluster with a device credential. The timed path is what approval triggers: the outbox queues
one delivery per cluster (``outbox.queue_bulletin``), and the push job builds and publishes one QoS 1
message per device topic plus the retained commune state (``device_push.push_emergency_now``).
The devices are 50 MQTT subscriber connections to the local Mosquitto, each subscribed to the
topics of N/50 devices and to their communes' emergency topic (a device subscribes to both); a
device has it at the first message on either, and the time is when the last device has it. The push
sends the communes' retained state first, so the broker fans one message out to a commune's devices.
The **baseline** publishes the same messages in the same order at QoS 1 with paho and waits for the
same subscribers, with no database. Medians of ``--repeat`` runs (default 3), each on a fresh
topic root (no retained message from an earlier run can count).

`python -m benchmarks.bench_emergency [--devices 10000] [--repeat 3] [--mqtt mqtt://127.0.0.1:1883] [--no-write]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench_emergency:start -->", "<!-- bench_emergency:end -->"
COMMUNES, SUBSCRIBERS = 10, 50


def _setup(path: str, mqtt_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.pop("REDIS_URL", None)
    os.environ["MQTT_URL"] = mqtt_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "ketnoi.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _data(devices: int):
    import hashlib

    from django.contrib.auth import get_user_model

    from ketnoi.channels.models import (
        Bulletin,
        DeviceCredential,
        LoudspeakerCluster,
        RadioStation,
        Rendition,
    )
    from ketnoi.geo.models import AdminUnit
    from ketnoi.people.models import Language

    keys = {"search_key": "x", "sort_key": "x"}
    vi = Language.objects.create(iso639_3="vie", bcp47="vi", name_vi="Tiếng Việt", name_en="Vietnamese", **keys)
    province = AdminUnit.objects.create(
        structure="current", level="province", code="15", unit_type="tỉnh", name="Tỉnh", short_name="T", **keys
    )
    AdminUnit.objects.filter(pk=province.pk).update(province=province)
    province.refresh_from_db()
    author = get_user_model().objects.create_user("bench.editor", password="x" * 12)
    communes = []
    for n in range(COMMUNES):
        commune = AdminUnit.objects.create(
            structure="current",
            level="commune",
            code=f"9{n:04d}",
            unit_type="xã",
            name=f"Xã {n}",
            short_name=f"X{n}",
            parent=province,
            province=province,
            **keys,
        )
        communes.append(commune)
        station = RadioStation.objects.create(commune=commune, name="Đài")
        clusters = LoudspeakerCluster.objects.bulk_create(
            [LoudspeakerCluster(station=station, name=f"Cụm {i}", speakers=2) for i in range(devices // COMMUNES)]
        )
        DeviceCredential.objects.bulk_create(
            [
                DeviceCredential(
                    commune=commune,
                    cluster=c,
                    prefix=f"kd_{c.pk:07d}",
                    token_hash=hashlib.sha256(f"bench-{c.pk}".encode()).hexdigest(),
                )
                for c in clusters
            ]
        )
    bulletin = Bulletin.objects.create(
        title="Khẩn cấp: lũ quét", body="Sơ tán ngay.", owner_unit=province, author=author, priority="emergency"
    )
    bulletin.target_units.set(communes)
    Rendition.objects.create(bulletin=bulletin, channel="loudspeaker", language=vi, text="Sơ tán ngay.")
    return bulletin


class Devices:
    """SUBSCRIBERS connections, each for N/SUBSCRIBERS devices: subscribed to those devices' topics
    and to their communes' emergency topic, as a device subscribes to both. A device has received
    the emergency at the first message on either."""

    def __init__(self, url: str, topics: list[str]):
        from urllib.parse import urlsplit

        import paho.mqtt.client as mqtt

        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 1883
        self.wanted, self.seen, self.last = set(topics), set(), 0.0
        self.lock, self.done = threading.Lock(), threading.Event()
        self.clients = []
        share = -(-len(topics) // SUBSCRIBERS)
        for index in range(SUBSCRIBERS):
            mine = topics[index * share : (index + 1) * share]
            if not mine:
                continue
            by_commune: dict[str, list[str]] = {}
            for topic in mine:
                by_commune.setdefault(topic.rsplit("/", 1)[0] + "/emergency", []).append(topic)
            client = mqtt.Client(
                mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-{uuid.uuid4().hex[:10]}", userdata=by_commune
            )
            client.on_message = self._received
            client.connect(self.host, self.port, keepalive=60)
            wanted = [*by_commune, *mine]
            for offset in range(0, len(wanted), 100):
                client.subscribe([(topic, 1) for topic in wanted[offset : offset + 100]])
            client.loop_start()
            self.clients.append(client)
        time.sleep(1.0)  # the subscriptions are in place

    def _received(self, client, by_commune, message):
        reached = by_commune.get(message.topic, [message.topic])
        with self.lock:
            new = [t for t in reached if t in self.wanted and t not in self.seen]
            if new:
                self.seen.update(new)
                self.last = time.perf_counter()
                if len(self.seen) == len(self.wanted):
                    self.done.set()

    def wait(self, timeout: float) -> float:
        if not self.done.wait(timeout):
            raise SystemExit(f"only {len(self.seen)} of {len(self.wanted)} devices received the emergency")
        return self.last

    def close(self):
        for client in self.clients:
            client.loop_stop()
            client.disconnect()


def _device_topics(bulletin) -> list[str]:
    from ketnoi.channels.device_push import messages_for

    return [topic for topic, _payload, retain in messages_for(bulletin) if not retain]


def _run_product(bulletin, url: str) -> float:
    from django.conf import settings
    from django.db import transaction

    from ketnoi.channels import device_push, outbox
    from ketnoi.channels.models import Delivery

    settings.MQTT_TOPIC_ROOT = f"bench{uuid.uuid4().hex[:8]}"
    Delivery.objects.filter(bulletin=bulletin).delete()
    bulletin.state = "approved"
    bulletin.save()
    with transaction.atomic():
        outbox.queue_bulletin(bulletin)
    topics = _device_topics(bulletin)
    Delivery.objects.filter(bulletin=bulletin).delete()
    devices = Devices(url, topics)
    try:
        start = time.perf_counter()
        with transaction.atomic():  # what the approval does in its transaction …
            outbox.queue_bulletin(bulletin)
        published = device_push.push_emergency_now(bulletin.pk)["published"]  # … and the job after commit
        assert published == len(topics) + COMMUNES, published
        return devices.wait(120) - start
    finally:
        devices.close()


def _run_baseline(count: int, url: str) -> float:
    from ketnoi.channels.device_push import publish

    root = f"base{uuid.uuid4().hex[:8]}"
    topics = [f"{root}/15/9{n * COMMUNES // count:04d}/kd_{n:07d}" for n in range(count)]
    communes = [(f"{root}/15/9{n:04d}/emergency", '{"emergencies": [1]}', True) for n in range(COMMUNES)]
    devices = Devices(url, topics)
    try:
        start = time.perf_counter()  # the same messages, in the same order, with no database
        publish(communes + [(t, '{"event": "emergency"}', False) for t in topics], url=url, timeout=120)
        return devices.wait(120) - start
    finally:
        devices.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mqtt", default=os.environ.get("MQTT_URL") or "mqtt://127.0.0.1:1883")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        _setup(str(Path(tmp) / "bench.sqlite3"), args.mqtt)
        bulletin = _data(args.devices)
        product, baseline = [], []
        for _ in range(args.repeat):
            product.append(_run_product(bulletin, args.mqtt))
            baseline.append(_run_baseline(args.devices, args.mqtt))
    load = os.getloadavg()
    p, b = statistics.median(product), statistics.median(baseline)
    text = "\n".join(
        [
            START,
            "## Emergency fan-out over MQTT (`benchmarks/bench_emergency.py`, issue 8.11)",
            "",
            f"From an emergency's approval (the outbox queues {args.devices:,} cluster deliveries; the push job "
            f"publishes the retained state of {COMMUNES} communes, then one QoS 1 message per device topic) to the "
            f"last of {args.devices:,} devices receiving it, the devices being {SUBSCRIBERS} subscriber connections "
            "to the local Mosquitto, each subscribed to its devices' topics and their communes' emergency topic. "
            "Baseline: the same messages published with paho alone, same subscribers. "
            f"SQLite; medians of {args.repeat} runs. Machine: {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
            f"{load[0]:.1f}; `python -m benchmarks.bench_emergency`.",
            "",
            "| | last device reached (median) | runs |",
            "|---|---|---|",
            f"| approval → last device | {p:.2f} s | {', '.join(f'{v:.2f}' for v in product)} s |",
            f"| baseline: paho publish only | {b:.2f} s | {', '.join(f'{v:.2f}' for v in baseline)} s |",
            f"| goal | < 5 s (p100) | {'met' if max(product) < 5 else 'not met'} |",
            END,
        ]
    )
    print(text)
    if not args.no_write:
        doc = DOC.read_text(encoding="utf-8")
        if START in doc:
            doc = doc[: doc.index(START)] + text + doc[doc.index(END) + len(END) :]
        else:
            doc = doc.rstrip() + "\n\n" + text + "\n"
        DOC.write_text(doc, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
