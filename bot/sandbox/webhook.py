"""The sandbox's webhook delivery, as Telegram does it: while a webhook is set, each queued update is posted
(JSON, with the secret token in `X-Telegram-Bot-Api-Secret-Token`) to the webhook's URL, at most
`max_connections` at once, oldest first; an update leaves the queue only when the answer is 2xx,
otherwise it is posted again after a pause (the error is kept for getWebhookInfo).

The URL is the bot's public https address; `Sandbox.route_webhook` says which local address answers for
it (the reverse proxy, or the bot's own server), as DNS and a proxy take Telegram's posts there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from bot.sandbox.core import Sandbox

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_PAUSE = 0.5  # seconds before an update that failed is posted again (Telegram waits longer)
POST_TIMEOUT = 60.0


def start_pushing(sandbox: Sandbox) -> None:
    if sandbox._pusher is None or sandbox._pusher.done():
        sandbox._pusher = asyncio.get_running_loop().create_task(_push(sandbox), name="sandbox-webhook")


async def stop_pushing(sandbox: Sandbox) -> None:
    task, sandbox._pusher = sandbox._pusher, None
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def target(sandbox: Sandbox, url: str) -> str | None:
    for origin, local in sandbox.webhook_routes.items():
        if url == origin or url.startswith(origin + "/"):
            return local + url[len(origin):]
    return None


async def _push(sandbox: Sandbox) -> None:
    in_flight: dict[int, asyncio.Task[None]] = {}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT)) as http:
        while sandbox.webhook is not None:
            sandbox._updates_changed.clear()  # before looking: an update queued from here on wakes the wait below
            hook = sandbox.webhook
            allowed = hook["allowed_updates"]
            for update in list(sandbox.updates):
                if len(in_flight) >= hook["max_connections"]:
                    break
                if allowed and not any(kind in update for kind in allowed):
                    sandbox.updates.remove(update)  # Telegram does not keep what the bot did not ask for
                    continue
                if update["update_id"] not in in_flight:
                    task = asyncio.create_task(_deliver(sandbox, http, hook, update))
                    in_flight[update["update_id"]] = task
                    task.add_done_callback(_forget(in_flight, update["update_id"]))
            waiters = [asyncio.ensure_future(sandbox._updates_changed.wait()), *in_flight.values()]
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED, timeout=1.0)
            waiters[0].cancel()
        for task in in_flight.values():
            task.cancel()


def _forget(in_flight: dict[int, asyncio.Task[None]], key: int) -> Callable[[asyncio.Task[None]], None]:
    def done(_task: asyncio.Task[None]) -> None:
        in_flight.pop(key, None)

    return done


async def _deliver(sandbox: Sandbox, http: aiohttp.ClientSession, hook: dict[str, Any], update: dict[str, Any]) -> None:
    """Post one update until it is taken (2xx) or the webhook is changed."""
    headers = {"Content-Type": "application/json"}
    if hook["secret_token"]:
        headers[SECRET_HEADER] = str(hook["secret_token"])
    body = json.dumps(update, ensure_ascii=False).encode("utf-8")
    while sandbox.webhook is hook:
        address = target(sandbox, hook["url"])
        try:
            if address is None:
                raise LookupError("Failed to resolve host: Name or service not known")
            async with http.post(address, data=body, headers=headers) as response:
                if 200 <= response.status < 300:
                    with contextlib.suppress(ValueError):
                        sandbox.updates.remove(update)
                    sandbox.webhook_delivered += 1
                    return
                error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except LookupError as exc:
            error = str(exc)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            error = f"Connection failed: {exc or type(exc).__name__}"
        sandbox.webhook_error = (int(time.time()), error)
        await asyncio.sleep(RETRY_PAUSE)
