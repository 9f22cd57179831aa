"""Broadcasts through the real Dispatcher, SQLite and the sandbox Telegram with its flood limits and a
controllable clock: targeting with a preview, pacing never over the limits, at most once across a
crash, 403 and 429, cancel, and admins only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox.client import Person
from bot.sandbox.core import Limits
from tests.conftest import Harness, crash_during, make_settings, running

ADMIN = 4_200_001
TEXT = "Новые правила с 1 декабря: проверьте свой патент & регистрацию."


def strict(h: Harness) -> None:
    h.sandbox.limits = Limits.strict()  # 1/s into a chat, no bursts; 30/s overall


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running(make_settings(tmp_path, admin_ids=frozenset({ADMIN})), strict) as harness:
        yield harness


async def crowd(h: Harness, count: int, lang: str = "uz", destination: str | None = "RU") -> list[Person]:
    assert h.app is not None
    people = []
    for _ in range(count):
        someone = h.person(lang)
        await someone.send("/start")
        await someone.click({"ru": "Русский", "ky": "Кыргызча", "tg": "Тоҷикӣ", "uz": "Oʻzbekcha"}[lang])
        if destination:
            await h.app.users.set_destination(someone.id, destination)
        people.append(someone)
    return people


def received(h: Harness, someone: Person) -> list[str]:
    return [m.text or "" for m in h.sandbox.bot_messages(someone.id) if (m.text or "").startswith("Новые правила")]


async def prepare(h: Harness, lang: str | None = None) -> Person:
    admin = h.person("ru", user_id=ADMIN)
    await admin.send("/start")
    await admin.click("Русский")
    await admin.send("/broadcast")
    await admin.send(TEXT)
    if lang is not None:  # the audience: the people who chose this language (changed on purpose: toggles, issue 23)
        await admin.click("🌐 " + {"ru": "Русский", "ky": "Кыргызча", "tg": "Тоҷикӣ", "uz": "Oʻzbekcha"}[lang])
    return admin


async def test_admin_targets_previews_sends_and_sees_it_finished(h: Harness) -> None:
    assert h.app is not None
    uz = await crowd(h, 6, "uz")
    ru = await crowd(h, 3, "ru")
    admin = await prepare(h)
    preview = h.sandbox.bot_messages(ADMIN)[-2]
    assert preview.text == TEXT  # exactly what people will get (the & escaped for HTML and shown as typed)
    assert h.t("Recipients now: {count}", "ru").format(count=10) in (admin.last.text or "")  # the admin too
    await admin.click("🌐 Oʻzbekcha")
    assert h.t("✅ Send to {count} people", "ru").format(count=6) in admin.last.button_labels()
    await admin.click(h.t("✅ Send to {count} people", "ru").format(count=6))
    await h.app.broadcasts.run()
    assert all(len(received(h, p)) == 1 for p in uz)
    assert all(received(h, p) == [] for p in ru)
    progress = h.sandbox.bot_messages(ADMIN)[-1]
    assert h.t("✅ <b>Broadcast No. {number} finished.</b>", "ru").format(number=1).replace("<b>", "").replace("</b>", "") in (progress.text or "")
    assert h.t("Sent: {sent} of {total} · not delivered: {failed} · blocked the bot: {blocked}", "ru").format(
        sent=6, total=6, failed=0, blocked=0) in (progress.text or "")


async def test_several_languages_and_countries_at_once_and_the_count_follows(h: Harness) -> None:
    """Languages, citizenships and destinations are lists: several of each at once (none is everyone), the
    count and the chosen ones shown at each tap, a second tap takes one off; each person gets it once."""
    assert h.app is not None
    uz_ru = await crowd(h, 3, "uz", "RU")
    ky_kz = await crowd(h, 2, "ky", "KZ")
    tg_tr = await crowd(h, 2, "tg", "TR")
    ru_kr = await crowd(h, 1, "ru", "KR")
    admin = await prepare(h)
    count = h.t("Recipients now: {count}", "ru")
    await admin.click("🌐 Oʻzbekcha")
    await admin.click("🌐 Кыргызча")
    assert count.format(count=5) in (admin.last.text or "")
    assert "✅ Oʻzbekcha" in admin.last.button_labels() and "✅ Кыргызча" in admin.last.button_labels()
    assert h.t("🌐 Language: {value}", "ru").format(value="Кыргызча, Oʻzbekcha") in (admin.last.text or "")
    await admin.click("✈️ " + h.t("Russia", "ru"))
    await admin.click("✈️ " + h.t("Kazakhstan", "ru"))
    await admin.click("✈️ " + h.t("Turkey", "ru"))
    assert count.format(count=5) in (admin.last.text or "")  # tg people go to Turkey, but Tajik is not chosen
    await admin.click("🌐 Тоҷикӣ")
    assert count.format(count=7) in (admin.last.text or "")
    await admin.click("✅ " + h.t("Kazakhstan", "ru"))  # taken off again
    assert count.format(count=5) in (admin.last.text or "")
    await admin.click(h.t("✅ Send to {count} people", "ru").format(count=5))
    await h.app.broadcasts.run()
    assert [len(received(h, p)) for p in uz_ru + tg_tr] == [1] * 5
    assert all(received(h, p) == [] for p in ky_kz + ru_kr)
    broadcast = await h.app.broadcasts.repo.get(1)
    assert broadcast is not None and (broadcast.language, broadcast.destination) == ("ky,tg,uz", "RU,TR")


async def test_a_broadcast_goes_at_the_time_chosen_in_the_admins_time_zone(h: Harness) -> None:
    """"Tomorrow 09:00" is 09:00 in ADMIN_TIMEZONE (Tashkent: 04:00 UTC); nothing goes before, everyone
    once after, even across a restart; a typed time is checked and refused with the reason."""
    assert h.app is not None
    uz = await crowd(h, 3, "uz")
    admin = await prepare(h)
    await admin.click("🌐 Oʻzbekcha")
    await admin.click(h.t("⌨️ Type a time", "ru"))
    assert h.t("Type when to send it, in {zone} time: <code>18:30</code>, <code>03.12 18:30</code> or "
               "<code>03.12.2026 18:30</code>. Up to 30 days ahead.", "ru").format(zone=h.t("Tashkent", "ru")).replace(
        "<code>", "").replace("</code>", "") in (admin.last.text or "")
    for typed, reason in (("25:99", "I did not understand the time."), ("01.11 10:00", "That time has passed."),
                          ("01.02.2027 10:00", "That is more than 30 days ahead.")):
        await admin.send(typed)
        assert (admin.last.text or "").startswith(h.t(reason, "ru")), typed
    await admin.send("24.11 18:30")  # Tashkent time: 13:30 UTC
    when = h.t("{day} at {time} ({zone} time)", "ru").format(day="24.11.2026", time="18:30", zone=h.t("Tashkent", "ru"))
    assert h.t("⏰ When: {when}", "ru").format(when=when) in (admin.last.text or "")
    await admin.click(h.t("Tomorrow 09:00", "ru"))
    when = h.t("{day} at {time} ({zone} time)", "ru").format(day="24.11.2026", time="09:00", zone=h.t("Tashkent", "ru"))
    assert h.t("⏰ When: {when}", "ru").format(when=when) in (admin.last.text or "")
    await admin.click(h.t("⏰ Schedule for {count} people", "ru").format(count=3))
    progress = h.sandbox.bot_messages(ADMIN)[-1]
    assert h.t("⏰ <b>Broadcast No. {number}</b> goes to {total} people on {when}.", "ru").format(
        number=1, total=3, when=when).replace("<b>", "").replace("</b>", "") in (progress.text or "")
    assert h.t("⏹ Cancel the broadcast", "ru") in progress.button_labels()
    await h.app.broadcasts.run()
    h.advance(hours=24, minutes=59)  # 24.11, 03:59 UTC: 08:59 in Tashkent
    await h.app.broadcasts.run()
    assert all(received(h, p) == [] for p in uz)
    # the audience is the one when its time comes: someone who left it meanwhile does not get it, a newcomer does
    await h.app.users.choose_language(uz[0].id, "ru")
    (late,) = await crowd(h, 1, "uz")
    await h.restart()
    h.advance(minutes=1)
    await h.app.broadcasts.run()
    await h.app.broadcasts.run()
    assert [len(received(h, p)) for p in [*uz, late]] == [0, 1, 1, 1]


async def test_a_time_that_passed_while_the_form_was_open_is_asked_again_not_sent(h: Harness) -> None:
    assert h.app is not None
    uz = await crowd(h, 2, "uz")
    admin = await prepare(h, "uz")
    await admin.click(h.t("In an hour", "ru"))
    h.advance(hours=2)  # the admin comes back later
    await admin.click(h.t("⏰ Schedule for {count} people", "ru").format(count=2))
    assert (admin.last.text or "").startswith(h.t("That time has passed.", "ru"))
    assert await h.app.broadcasts.repo.active() == [] and all(received(h, p) == [] for p in uz)
    assert h.t("✅ Send to {count} people", "ru").format(count=2) in admin.last.button_labels()  # now, or another time


async def test_a_scheduled_broadcast_cancelled_before_its_time_is_never_sent(h: Harness) -> None:
    assert h.app is not None
    uz = await crowd(h, 2, "uz")
    admin = await prepare(h)
    await admin.click(h.t("In an hour", "ru"))
    await admin.click(h.t("⏰ Schedule for {count} people", "ru").format(count=3))
    progress = h.sandbox.bot_messages(ADMIN)[-1]
    await admin.click(h.t("⏹ Cancel the broadcast", "ru"), message=progress)
    h.advance(hours=2)
    await h.app.broadcasts.run()
    assert all(received(h, p) == [] for p in uz)
    assert h.t("⏹ <b>Broadcast No. {number} cancelled.</b>", "ru").format(number=1).replace("<b>", "").replace(
        "</b>", "") in (h.sandbox.bot_messages(ADMIN)[-1].text or "")


async def test_pace_stays_under_telegrams_limits(h: Harness) -> None:
    assert h.app is not None
    people = await crowd(h, 120, "uz")
    admin = await prepare(h, "uz")  # Uzbek speakers (not the admin, who just got the screen)
    await admin.click(admin.last.button_labels()[-2])  # send
    limited = h.sandbox.rate_limited  # (the preview and its buttons, two messages at once, may meet the strict limit)
    started = h.clock()
    while (await h.app.broadcasts.repo.active()):
        await h.app.broadcasts.run()
    elapsed = h.clock() - started
    assert h.sandbox.rate_limited == limited  # not one 429 while broadcasting
    assert sum(len(received(h, p)) for p in people) == 120
    assert elapsed >= 119 / 25 - 1e-6  # 25 a second at most


async def test_a_crash_mid_send_never_sends_twice(h: Harness) -> None:
    assert h.app is not None
    people = await crowd(h, 40, "tg")
    admin = await prepare(h, "tg")
    await admin.click(admin.last.button_labels()[-2])
    await h.app.broadcasts.run(budget=0.5)  # part of it
    sent_before = sum(len(received(h, p)) for p in people)
    assert 0 < sent_before < 40
    await crash_during(h, "sendMessage", h.app.broadcasts.run())
    await h.restart()
    assert h.app is not None
    while await h.app.broadcasts.repo.active():
        await h.app.broadcasts.run()
    counts = [len(received(h, p)) for p in people]
    assert max(counts) == 1  # at most once
    assert counts.count(0) == 1  # the one cut off during its request is not sent again
    final = await h.app.broadcasts.repo.counts(1)
    assert final == {"sent": 39, "unknown": 1}


async def test_403_marks_inactive_and_429_waits(h: Harness) -> None:
    assert h.app is not None
    people = await crowd(h, 10, "ky")
    admin = await prepare(h, "ky")
    await admin.click(admin.last.button_labels()[-2])
    h.sandbox.users[people[3].id].blocked_bot = True  # blocked after the list was made: Telegram answers 403
    h.sandbox.inject_error("sendMessage", 429, "Too Many Requests: retry after 60", retry_after=60)
    await h.app.broadcasts.run()
    assert sum(len(received(h, p)) for p in people) == 0  # paused at once
    await h.app.broadcasts.run()
    assert sum(len(received(h, p)) for p in people) == 0  # still waiting
    h.advance(seconds=61)
    await h.app.broadcasts.run()
    assert [len(received(h, p)) for p in people] == [1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
    user = await h.app.users.users.get(people[3].id)
    assert user is not None and user.blocked
    assert (await h.app.broadcasts.repo.counts(1)) == {"sent": 9, "blocked": 1}


async def test_cancel_stops_it(h: Harness) -> None:
    assert h.app is not None
    people = await crowd(h, 60, "ru")
    admin = await prepare(h)
    await admin.click(admin.last.button_labels()[-2])
    await h.app.broadcasts.run(budget=0.5)
    progress = next(m for m in reversed(h.sandbox.bot_messages(ADMIN)) if m.buttons)
    await admin.click(h.t("⏹ Cancel the broadcast", "ru"), message=progress)
    sent = sum(len(received(h, p)) for p in people)
    await h.app.broadcasts.run()
    assert sum(len(received(h, p)) for p in people) == sent < 60
    assert h.t("⏹ <b>Broadcast No. {number} cancelled.</b>", "ru").format(number=1).replace("<b>", "").replace("</b>", "") in (
        h.sandbox.messages[(ADMIN, progress.message_id)].text or "")


async def test_only_admins_can_broadcast(h: Harness) -> None:
    assert h.app is not None
    people = await crowd(h, 3, "ru")
    await people[0].send("/broadcast")
    assert h.t("I don't know this command. Choose a section from the menu, or send /help.", "ru") in (people[0].last.text or "")
    await people[0].click_data("bc:go")
    assert await h.app.broadcasts.repo.active() == []


async def test_cli_queues_a_broadcast_the_bot_sends(h: Harness) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT
    from tests.test_config_cli import _env

    assert h.app is not None
    uz = await crowd(h, 3, "uz")
    ru = await crowd(h, 2, "ru")
    env = _env(DATABASE_PATH=str(h.settings.database_path))
    dry = subprocess.run([sys.executable, "-m", "bot", "broadcast", "--text", TEXT, "--lang", "uz"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0 and "would reach 3 people" in dry.stdout
    assert await h.app.broadcasts.repo.active() == []
    sent = subprocess.run([sys.executable, "-m", "bot", "broadcast", "--text", TEXT, "--lang", "uz", "--send"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert sent.returncode == 0 and "broadcast 1 queued for 3 people" in sent.stdout
    await h.app.broadcasts.run()
    assert [len(received(h, p)) for p in uz] == [1, 1, 1] and all(received(h, p) == [] for p in ru)
    both = subprocess.run([sys.executable, "-m", "bot", "broadcast", "--text", TEXT, "--lang", "uz,ru", "--at", "23:00"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert both.returncode == 0 and "would reach 5 people" in both.stdout, both.stdout + both.stderr
    wrong = subprocess.run([sys.executable, "-m", "bot", "broadcast", "--text", TEXT, "--lang", "uz,xx"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2 and "xx" in wrong.stderr
    status = subprocess.run([sys.executable, "-m", "bot", "broadcast", "--status", "1"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert "broadcast 1: done, 3 recipients: sent 3" in status.stdout


async def test_a_form_that_lost_its_text_sends_nothing(h: Harness) -> None:
    """Send on a form whose stored text is gone (an older or broken state) is an out-of-date button: no
    broadcast is created, nobody gets an empty message."""
    assert h.app is not None
    await crowd(h, 2, "uz")
    admin = await prepare(h)
    key = next(k for k in await h.app.db.fetchall("SELECT key FROM fsm_state WHERE user_id = ?", (ADMIN,)))[0]
    await h.app.db.execute("UPDATE fsm_state SET data = '{}' WHERE key = ?", (key,))
    await admin.click(admin.last.button_labels()[-2])  # ✅ Send
    assert await h.app.db.fetchall("SELECT id FROM broadcasts") == []
    assert h.t("This button is out of date. Here is the current menu.", "ru") in admin.alerts
