"""`ketnoi simulate-devices` (issue 8.11): simulated clusters against a real threaded HTTP server
on 127.0.0.1 — they poll, download in ranges and check, acknowledge, log (a replayed batch changes
nothing), heartbeat, and receive an emergency over server-sent events."""

from __future__ import annotations

import threading
import time

from ketnoi.channels import device_sim
from ketnoi.channels.models import Bulletin, DeviceCredential, LoudspeakerCluster, PlayLog, RadioStation
from ketnoi.geo.models import AdminUnit


def _server():
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=True)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_simulated_devices_poll_download_log_and_get_an_emergency(committed_data, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MQTT_URL = ""
    settings.DEVICE_SSE_SECONDS = 2
    settings.DEVICE_SSE_POLL_SECONDS = 0.1
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver", "localhost"]
    commune = (
        AdminUnit.objects.filter(structure="current", level="commune", province__code="15")
        .exclude(code="03037")
        .order_by("code")[2]
    )
    from ketnoi.cli import SystemOperator

    server = _server()
    url = f"http://127.0.0.1:{server.server_port}"
    bulletin_ids = []
    try:
        tokens = device_sim.setup_devices(commune_code=commune.code, count=3, user=SystemOperator())
        assert len(tokens) == 3

        def emergency():
            bulletin_ids.append(device_sim.approve_emergency(commune_code=commune.code))
            return bulletin_ids[-1]

        report = device_sim.simulate(url=url, tokens=tokens, duration=3.5, poll=0.4, emergency=(0.5, emergency))
        counts = report["counts"]
        assert report["devices"] == 3 and not counts.get("network_errors")
        assert counts["acknowledged"] == 3 and not counts.get("checksum_mismatch")
        assert counts["log_lines_accepted"] == 3 and not counts.get("log_lines_rejected")
        assert counts.get("log_lines_duplicate", 0) >= 3  # each device replayed its batch: nothing changed
        assert counts["schedule_not_modified"] >= 3
        assert counts["emergencies_received"] == 3 and report["emergency_latency"]["n"] == 3
        assert report["calls"]["heartbeat"]["status"] == {"200": report["calls"]["heartbeat"]["n"]}
        assert PlayLog.objects.filter(bulletin_id=bulletin_ids[0]).count() == 3
    finally:
        time.sleep(2.5)  # the server's open event streams end (DEVICE_SSE_SECONDS) while the database is open
        server.shutdown()
        server.server_close()
        station = RadioStation.objects.filter(commune=commune, name=device_sim.SIM_STATION).first()
        credentials = DeviceCredential.objects.filter(cluster__station=station)
        PlayLog.objects.filter(credential__in=credentials).delete()
        Bulletin.objects.filter(pk__in=bulletin_ids).delete()
        credentials.delete()
        LoudspeakerCluster.objects.filter(station=station).delete()
        if station:
            station.delete()
