"""Errors reported to Sentry leave nothing personal behind: the SDK set up as `run` sets it up, an error
raised while handling what a person wrote, and the events it would send, as they would be sent."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import sentry_sdk
from sentry_sdk.transport import Transport

from bot.telegram import reporting
from tests.conftest import ROOT

WROTE = "Зарина: паспортамро хоҷаин гирифт, телефон +992 93 555 12 34"
PERSON = 990012345


class Captured(Transport):
    """Sentry's transport replaced: what would go over the network, kept here."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.events: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Any) -> None:
        for item in envelope.items:
            if item.headers.get("type") == "event":
                self.events.append(item.payload.json)


def handle(text: str, user_id: int) -> None:
    words = text.split()  # a local variable holding what the person wrote
    raise ValueError(f"could not read {words[0]} from {user_id}: {text}")


def test_an_error_with_what_a_person_wrote_reaches_sentry_without_it() -> None:
    transport = Captured()
    assert reporting.start("https://public@sentry.example.invalid/1", "test", transport=transport)
    try:
        try:
            handle(WROTE, PERSON)
        except ValueError:
            sentry_sdk.capture_exception()
        logging.getLogger("bot.handlers").error("update of %s failed: %s", PERSON, WROTE)
        sentry_sdk.flush()
    finally:
        sentry_sdk.init()  # off again for the other tests
    assert len(transport.events) == 2
    sent = json.dumps(transport.events, ensure_ascii=False)
    for personal in ("Зарина", "паспорт", "555 12 34", str(PERSON)):
        assert personal not in sent, personal
    error = transport.events[0]["exception"]["values"][-1]
    assert error["type"] == "ValueError" and error["value"] == reporting.REMOVED
    assert any(frame["function"] == "handle" for frame in error["stacktrace"]["frames"])  # where, not who
    assert all("vars" not in frame for frame in error["stacktrace"]["frames"])
    assert transport.events[1]["logentry"]["message"] == "update of %s failed: %s"  # the format string only


def test_scrub_removes_what_an_event_may_carry() -> None:
    event = {
        "request": {"data": WROTE}, "user": {"id": PERSON}, "extra": {"text": WROTE}, "server_name": "ngo-laptop",
        "breadcrumbs": {"values": [{"message": WROTE}]}, "contexts": {"runtime": {"name": "CPython"}, "state": {"text": WROTE}},
        "exception": {"values": [{"type": "KeyError", "value": WROTE, "stacktrace": {"frames": [{"function": "f", "vars": {"t": WROTE}}]}}]},
        "threads": {"values": [{"stacktrace": {"frames": [{"function": "g", "vars": {"t": WROTE}}]}}]},
        "logentry": {"message": "from %s: %s", "params": [PERSON, WROTE], "formatted": f"from {PERSON}: {WROTE}"},
        "message": f"from {PERSON}: {WROTE}",
    }
    cleaned = json.dumps(reporting.scrub(event), ensure_ascii=False)
    assert "Зарина" not in cleaned and str(PERSON) not in cleaned and "ngo-laptop" not in cleaned
    assert '"function": "f"' in cleaned and "CPython" in cleaned and "from %s: %s" in cleaned


def test_json_logs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "BOT_"))}
    done = subprocess.run([sys.executable, "-m", "bot", "agencies", "list"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**env, "LOG_FORMAT": "json", "LOG_LEVEL": "INFO", "DATABASE_PATH": str(tmp_path / "bot.sqlite3")})
    lines = [line for line in done.stderr.splitlines() if line.startswith("{")]
    assert lines, done.stderr[-2000:]
    record = json.loads(lines[0])
    assert {"asctime", "levelname", "name", "message"} <= set(record)
