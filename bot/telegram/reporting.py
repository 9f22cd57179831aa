"""Errors reported to Sentry (the Sentry SDK; SENTRY_DSN, off when unset), with nothing personal leaving
the machine.

What a person wrote can end up in an exception's message, a local variable, a log line's arguments or
a breadcrumb. So the SDK is set up to send none of them: no user data, no local variables, no
breadcrumbs, no request, user or extra data; `scrub` then removes from every event what may still
hold any: each exception's message (its type and stack stay: file, function, line), each frame's
variables, a log line's arguments (its format string stays, as the code wrote it), the machine's name.
What is left says where the code failed, not who was using it or what they said.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

REMOVED = "(removed: it may hold what someone wrote)"
KEPT_CONTEXTS = ("runtime", "os", "trace")


def scrub(event: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event with everything that may be personal removed (Sentry's before_send)."""
    for key in ("request", "user", "extra", "breadcrumbs", "server_name", "modules"):
        event.pop(key, None)
    event["contexts"] = {name: value for name, value in (event.get("contexts") or {}).items() if name in KEPT_CONTEXTS}
    for exception in (event.get("exception") or {}).get("values") or []:
        if exception.get("value"):
            exception["value"] = REMOVED
        _frames_without_vars(exception.get("stacktrace"))
    for thread in (event.get("threads") or {}).get("values") or []:
        _frames_without_vars(thread.get("stacktrace"))
    entry = event.get("logentry")
    if isinstance(entry, dict):
        event["logentry"] = {"message": entry.get("message"), "params": []}  # the format string, never its arguments
    if isinstance(event.get("message"), str) and isinstance(entry, dict):
        event["message"] = entry.get("message")
    return event


def _frames_without_vars(stacktrace: dict[str, Any] | None) -> None:
    for frame in (stacktrace or {}).get("frames") or []:
        frame.pop("vars", None)


def start(dsn: str | None, environment: str | None = None, transport: Any = None) -> bool:
    """Report errors (and log lines at ERROR) to Sentry when a DSN is set; True if it does."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        data_collection={"user_info": False, "http_bodies": [], "database_query_data": False, "queues": False,
                         "stack_frame_variables": False},
        include_local_variables=False,
        max_breadcrumbs=0,
        before_send=scrub,  # type: ignore[arg-type]
        traces_sample_rate=0.0,
        integrations=[LoggingIntegration(level=None, event_level=logging.ERROR)],
        transport=transport,
    )
    log.info("errors are reported to Sentry (scrubbed of anything personal)")
    return True
