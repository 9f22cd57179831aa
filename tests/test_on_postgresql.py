"""The desk's flows on PostgreSQL: when TEST_DATABASE_URL names a server, every test of the consult, forum,
triage and addressing modules runs on a fresh PostgreSQL database as well as on SQLite, and, with
TEST_REDIS_URL too, once more as one of several instances (tests/conftest.py: `engines`, `engine`).
They run in the suite's own processes, spread over its workers like any test.
The storage tests run on both engines by themselves (tests/test_storage_engines.py)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import FLOWS, POSTGRESQL, SHARED, SQLITE


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
def test_each_desk_flow_runs_on_every_engine(request: pytest.FixtureRequest) -> None:
    """Each test of the flows is collected once per engine: none runs on SQLite only."""
    wanted = {SQLITE, POSTGRESQL} | ({SHARED} if os.environ.get("TEST_REDIS_URL") else set())
    runs: dict[str, set[str]] = {}
    for item in request.session.items:
        if item.module.__name__ in FLOWS:  # type: ignore[attr-defined]
            params = dict(item.callspec.params)  # type: ignore[attr-defined]
            engine = params.pop("engine")
            runs.setdefault(f"{item.module.__name__}::{item.originalname}{sorted(params.items())}", set()).add(engine)  # type: ignore[attr-defined]
    if not runs:
        pytest.skip("none of the flows' tests is in this run")
    assert all(engines == wanted for engines in runs.values()), {n: e for n, e in runs.items() if e != wanted}
