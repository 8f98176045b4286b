"""The SDK's payloads and the sandbox agree: every valid demo row is accepted as sent."""

from __future__ import annotations

import json

import requests
from _support.sandbox_helpers import NOW, make_sandbox

from linkedin_capi.cli.demo import demo_frame
from linkedin_capi.engine.payload import batch_bodies
from linkedin_capi.engine.validate import validate


def test_validated_demo_frame_is_accepted_batch_by_batch() -> None:
    with make_sandbox() as sb:
        report = validate(demo_frame(n=300, now=NOW), conversion=sb.rule_id, now=NOW)
        assert report.counts["valid"] > 200
        headers = {
            **sb.api_headers(),
            "Content-Type": "application/json",
            "X-RestLi-Method": "BATCH_CREATE",
        }
        sent = 0
        for batch in batch_bodies(report.valid, batch_size=100):
            r = requests.post(
                f"{sb.base_url}/conversionEvents", data=batch.body, headers=headers, timeout=10
            )
            assert r.status_code == 200, r.text
            assert r.json()["elements"] == [{"status": 201}] * len(batch.rows)
            sent += len(batch.rows)
        assert sb.event_count == sent == report.counts["valid"]
        assert sb.events == [
            json.loads(e) for e in (b for batch in batch_bodies(report.valid) for b in batch.events)
        ]


def test_rows_the_sdk_would_skip_are_rejected_by_the_sandbox_too() -> None:
    # The sandbox enforces the same 90-day window as the SDK: a stale row sent anyway fails.
    with make_sandbox() as sb:
        report = validate(demo_frame(n=40, now=NOW), conversion=sb.rule_id, now=NOW)
        assert report.counts["skipped"] > 0
        event = report.payloads()[0]
        event["conversionHappenedAt"] = int(NOW.timestamp() * 1000) - 91 * 86_400_000
        r = requests.post(
            f"{sb.base_url}/conversionEvents", json=event, headers=sb.api_headers(), timeout=10
        )
        assert r.status_code == 400
        assert r.json()["message"].startswith("Conversion time should be within 90 days")
