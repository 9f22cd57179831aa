"""The desk's flows on PostgreSQL: when TEST_DATABASE_URL names a server, the consult and forum test modules
run again with every bot of theirs on a fresh PostgreSQL database (TEST_ENGINE=postgresql, tests/conftest.py),
and once more as one of several instances, with Redis too (TEST_SHARED=1).
The storage tests run on both engines by themselves (tests/test_storage_engines.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

FLOWS = ["tests/test_consult.py", "tests/test_forum.py", "tests/test_triage.py", "tests/test_addressing.py"]


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
def test_the_desk_flows_pass_on_postgresql() -> None:
    env = {**os.environ, "TEST_ENGINE": "postgresql"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *FLOWS], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout.splitlines()[-1], result.stdout[-500:]


@pytest.mark.skipif(not (os.environ.get("TEST_DATABASE_URL") and os.environ.get("TEST_REDIS_URL")),
                    reason="TEST_DATABASE_URL and TEST_REDIS_URL are not both set")
def test_the_desk_flows_pass_as_one_of_several_instances() -> None:
    """PostgreSQL and Redis as several instances use them: conversation state and per-chat order in Redis,
    no in-process cache, the pace shared, every claim signed (bot/telegram/instance.py)."""
    env = {**os.environ, "TEST_ENGINE": "postgresql", "TEST_SHARED": "1"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *FLOWS], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout.splitlines()[-1], result.stdout[-500:]
