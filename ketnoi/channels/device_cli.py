"""`ketnoi device-token issue|revoke` and `ketnoi simulate-devices` (issue 8.5, 8.11)."""

from __future__ import annotations

import json
import sys


def _operator(username):
    from ketnoi.cli import _actor

    return _actor(username)


def cmd_device_token(args) -> int:
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import timezone

    from ketnoi.core.audit import acting_as

    from . import devices
    from .models import BulletinBoard, DeviceCredential, LoudspeakerCluster

    user = _operator(args.as_user)
    with acting_as(user if args.as_user else None, name=args.as_user or "cli", source="cli"):
        try:
            if args.token_command == "issue":
                if bool(args.cluster) == bool(args.board):
                    print("error: give --cluster ID or --board ID", file=sys.stderr)
                    return 1
                target = (
                    {"cluster": LoudspeakerCluster.objects.get(pk=args.cluster)}
                    if args.cluster
                    else {"board": BulletinBoard.objects.get(pk=args.board)}
                )
                credential, token = devices.credential_issue(user=user, **target)
                print(token)
                print(f"issued {credential.prefix}… for {devices.device_label(credential)}", file=sys.stderr)
                return 0
            credential = DeviceCredential.objects.get(prefix=args.prefix, revoked_at__isnull=True)
            devices.credential_revoke(user=user, credential=credential)
            print(f"revoked {credential.prefix}… at {timezone.localtime():%d/%m/%Y %H:%M}")
            return 0
        except (LoudspeakerCluster.DoesNotExist, BulletinBoard.DoesNotExist, DeviceCredential.DoesNotExist) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except PermissionDenied:
            print(f"error: {args.as_user} does not manage this device's commune's channels", file=sys.stderr)
            return 1
        except ValidationError as exc:
            print("error: " + "; ".join(exc.messages), file=sys.stderr)
            return 1


def cmd_simulate_devices(args) -> int:
    from . import device_sim

    if not 1 <= args.count <= 5000 or args.duration <= 0:
        print("error: --count is 1 to 5000 and --duration positive", file=sys.stderr)
        return 1
    tokens = device_sim.setup_devices(commune_code=args.commune, count=args.count, user=_operator(args.as_user))
    emergency = None
    if args.emergency_after is not None:
        emergency = (args.emergency_after, lambda: device_sim.approve_emergency(commune_code=args.commune))
    report = device_sim.simulate(
        url=args.url,
        tokens=tokens,
        duration=args.duration,
        poll=args.poll,
        emergency=emergency,
        listen=not args.no_sse,
        mqtt_url=args.mqtt or "",
        topics=list(device_sim.device_topics([pk for pk, _ in tokens]).values()) if args.mqtt else None,
    )
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if not report["counts"].get("network_errors") else 1


def add_parsers(sub) -> None:
    p = sub.add_parser("device-token", help="issue or revoke a loudspeaker cluster's or a board's token")
    token_sub = p.add_subparsers(dest="token_command", required=True)
    issue = token_sub.add_parser("issue", help="print a new token (shown once); the device's older one stops")
    issue.add_argument("--cluster", type=int, help="loudspeaker cluster id")
    issue.add_argument("--board", type=int, help="bulletin board id")
    revoke = token_sub.add_parser("revoke", help="refuse a token from now on")
    revoke.add_argument("--prefix", required=True, help="the token's first characters, as the devices page shows")
    for parser_ in (issue, revoke):
        parser_.add_argument("--as", dest="as_user", help="act as this user (their area applies)")
        parser_.set_defaults(func=cmd_device_token)

    p = sub.add_parser(
        "simulate-devices",
        help="run N simulated loudspeaker clusters against a running server; print counts and latencies",
    )
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--duration", type=float, default=60, help="seconds")
    p.add_argument("--url", default="http://127.0.0.1:8000")
    p.add_argument("--commune", default="03037", help="NSO code of the commune whose clusters they are")
    p.add_argument("--poll", type=float, default=5, help="seconds between a device's rounds")
    p.add_argument("--emergency-after", type=float, help="approve a demo emergency this many seconds in")
    p.add_argument("--no-sse", action="store_true", help="do not hold the event streams")
    p.add_argument("--mqtt", help="receive emergencies from this broker (mqtt://host:1883) instead of SSE")
    p.add_argument("--as", dest="as_user", help="act as this user to issue the tokens (default: the operator)")
    p.add_argument("--json", action="store_true", help="one line of JSON")
    p.set_defaults(func=cmd_simulate_devices)
