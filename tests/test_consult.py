"""Escalation to consultants, through the real Dispatcher, SQLite and the sandbox Telegram:
a migrant, two consultants of the group and an outsider."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.callbacks import TakeCb
from bot.i18n import LANGUAGE_NAMES
from tests.conftest import ADMIN, GROUP, LANGS, Desk, Harness, crash_during, make_settings, open_desk, running, setup_group


def take_data(case_id: int) -> str:
    return TakeCb(case=case_id).pack()


async def audit(desk: Desk, case_id: int | None = None) -> list[dict[str, Any]]:
    assert desk.h.app is not None
    return await desk.h.app.cases.audit_trail(case_id)


# ---------------------------------------------------------------------- the whole story, in each language
@pytest.mark.parametrize("lang", LANGS)
async def test_screening_to_case_to_conversation_to_close(desk: Desk, lang: str) -> None:
    h, app = desk.h, desk.h.app
    assert app is not None
    t = lambda s: h.t(s, lang)
    migrant = await desk.migrant(lang)

    # the self-check: passport taken, not paid; everything else no
    await migrant.send("/menu")
    await migrant.click(t("⚠️ Am I at risk? Self-check"))
    await migrant.click(t("▶️ Start"))
    await migrant.click("✅")  # documents
    await migrant.click("✅")  # wages
    for _ in range(10):
        await migrant.click("❌")
    result = migrant.last.text or ""
    assert result.startswith("🟠"), result
    assert str(app.i18n.gettext("documents taken away", locale=lang)) in result
    assert "112" in result  # Russia's emergency number comes with the result

    # consent: share the answers, describe, language
    await migrant.click(t("💬 Talk to a consultant"))
    consent = migrant.last.text or ""
    assert h.t("They will <b>not</b> see your phone number or your Telegram account.", lang).replace("<b>", "").replace("</b>", "") in consent
    await migrant.click(t("✅ I agree, connect me"))
    await migrant.click(t("Yes, share them"))
    await migrant.send("Хозяин забрал паспорт <b>и</b> не платит")
    await migrant.click(LANGUAGE_NAMES[lang])
    case = await app.cases.open_case_of(migrant.id)
    assert case is not None and case.kind == "screening" and case.level == "high"
    assert case.indicators == ("documents", "wages") and case.answers is not None and case.language == lang
    assert f"{case.id}" in (migrant.last.text or "")

    # the alert: short, no description, no account, a Take button
    alert = desk.alert()
    assert str(case.id) in (alert.text or "")
    assert "Хозяин" not in (alert.text or "") and str(migrant.id) not in (alert.text or "")
    assert alert.buttons[0][0]["callback_data"] == take_data(case.id)

    # two consultants press at once: one wins, the other is told who has it
    # (both saw the button: each taps it on the alert as it was, whichever update the bot handles first)
    take = next(b for row in alert.buttons for b in row if "✋" in b["text"])["callback_data"]
    await asyncio.gather(desk.aida.click_data(take, alert), desk.bek.click_data(take, alert))
    case = await app.cases.get(case.id)
    assert case is not None and case.status == "taken"
    winner, loser = (desk.aida, desk.bek) if case.consultant_id == desk.aida.id else (desk.bek, desk.aida)
    assert winner.alerts and loser.alerts
    assert case.consultant_name in loser.alerts[0]
    assert not alert.buttons and (case.consultant_name or "") in (alert.text or "")  # the alert now says who took it
    summary = winner.last
    assert "Хозяин забрал паспорт <b>и</b> не платит" in (summary.text or "")  # shown as typed, not as HTML
    assert "&lt;b&gt;" in (summary.source or "")
    assert h.t("Has your employer or someone else taken your passport or other documents and does not give them back?", "ru") in (summary.text or "")
    assert h.t("👋 A consultant has taken your request No. {number} and will write to you here soon.", lang).format(number=case.id) == migrant.last.text

    # the person writes and sends a photo: both reach the consultant with the case number
    await migrant.send("Я в Москве, <i>на складе</i>")
    relayed = winner.last
    assert relayed.text == f"👤 №{case.id}\nЯ в Москве, <i>на складе</i>"
    await migrant.send_media("photo", caption="мой паспорт")
    photo = winner.last
    assert photo.kind == "photo" and photo.text == f"👤 №{case.id}: мой паспорт"
    await migrant.send_media("location")
    assert winner.last.kind == "location"

    # the consultant answers by Reply, then a photo: signed for the person, never with the account
    await winner.reply(relayed, "Держитесь. Где вы сейчас?")
    answer = migrant.last
    signature = f"{h.t('Consultant', lang)}, Safe Road"
    assert answer.text == f"💬 {signature}\nДержитесь. Где вы сейчас?"
    assert (case.consultant_name or "") not in (answer.text or "")
    await winner.send_media("photo", caption="адрес центра")
    assert migrant.last.kind == "photo" and migrant.last.text == f"💬 {signature}\nадрес центра"

    # a note, then close with an outcome
    await winner.send("/note обещал позвонить вечером")
    assert await app.cases.notes(case.id)
    assert "обещал" not in (migrant.last.text or "")
    await winner.send("/close")
    await winner.click(h.t("Referred to IOM", "ru"))
    case = await app.cases.get(case.id)
    assert case is not None and case.status == "closed" and case.outcome == "iom"
    assert str(case.id) in (migrant.last.text or "")
    assert h.t("☑️ Closed: {outcome}", "ru").format(outcome=h.t("Referred to IOM", "ru")) in (desk.group()[0].text or "")
    actions = [row["action"] for row in await audit(desk, case.id)]
    assert actions[:2] == ["created", "taken"] and "take_refused" in actions and "note" in actions and actions[-1] == "closed"
    # after closing, the person's messages are theirs again: search answers, nothing is relayed
    count = len(winner.messages)
    await migrant.send("патент")
    assert len(winner.messages) == count


# ---------------------------------------------------------------------- authorization
async def test_outsider_and_other_consultant_are_refused_and_logged(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    migrant = await desk.migrant()
    case_id = await desk.ask(migrant, "ru", describe="помогите")
    alert = desk.alert()

    await desk.outsider.click("✋", alert)  # not a member of the group
    assert desk.outsider.alerts == [desk.h.t("Only consultants of this group can take cases.", "ru")]
    case = await app.cases.get(case_id)
    assert case is not None and case.status == "new"

    await desk.aida.click("✋", alert)
    count = len(migrant.messages)
    for command in (f"/case {case_id}", "/cases", f"/close {case_id}", f"/transfer {case_id}", "/note hi"):
        await desk.outsider.send(command)
        assert desk.outsider.last.text == desk.h.t("This command is for consultants only.", "ru")
    await desk.outsider.click_data(f"close:{case_id}:false_alarm")  # a forged button
    assert desk.outsider.alerts == [desk.h.t("This command is for consultants only.", "ru")]
    await desk.outsider.reply(desk.aida.last, "hello from outside")  # replying to a message it does not have

    await desk.bek.send(f"/case {case_id}")  # a consultant, but not the one holding the case
    assert desk.bek.last.text == desk.h.t("Case No. {number} is handled by another consultant.", "ru").format(number=case_id)
    await desk.bek.send(f"/close {case_id}")
    assert desk.bek.last.text == desk.h.t("Case No. {number} is handled by another consultant.", "ru").format(number=case_id)
    await desk.bek.click_data(f"close:{case_id}:false_alarm", desk.bek.last)
    case = await app.cases.get(case_id)
    assert case is not None and case.status == "taken" and case.consultant_id == desk.aida.id
    assert len(migrant.messages) == count  # nothing reached the person

    refused = [row for row in await audit(desk) if row["action"] == "refused"]
    assert {row["actor_id"] for row in refused} == {desk.outsider.id, desk.bek.id}
    assert len(refused) >= 8
    assert all("hello" not in str(row["detail"]) for row in refused)


async def test_a_forged_outcome_is_refused_and_logged(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    migrant = await desk.migrant()
    case_id = await desk.ask(migrant, "ru")
    await desk.aida.click("✋", desk.alert())
    await desk.aida.send(f"/close {case_id}")
    await desk.aida.click_data(f"close:{case_id}:bribe", desk.aida.last)  # not one of the outcomes
    assert desk.aida.alerts[-1] == desk.h.t("This is not possible.", "ru")
    case = await app.cases.get(case_id)
    assert case is not None and case.status == "taken"
    assert any(row["action"] == "refused" and row["detail"] == "close" for row in await audit(desk, case_id))


async def test_admin_may_act_and_membership_is_cached(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    admin = desk.h.person("ru", "Admin", user_id=ADMIN)
    await admin.send("/start")
    migrant = await desk.migrant()
    case_id = await desk.ask(migrant, "ru")
    calls = sum(1 for name, _ in desk.h.sandbox.requests if name == "getChatMember")
    await admin.click("✋", desk.alert())
    case = await app.cases.get(case_id)
    assert case is not None and case.consultant_id == ADMIN
    assert sum(1 for name, _ in desk.h.sandbox.requests if name == "getChatMember") == calls  # admins need no lookup
    await desk.aida.send("/cases")
    await desk.aida.send("/cases")
    assert sum(1 for name, _ in desk.h.sandbox.requests if name == "getChatMember") == calls + 1  # cached


async def test_consultant_who_never_started_the_bot_is_told_and_case_stays_open(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    newcomer = desk.h.person("ru", "Nurlan")  # in the group, never pressed Start in a private chat
    desk.h.sandbox.groups[GROUP]["members"].add(newcomer.id)
    migrant = await desk.migrant()
    case_id = await desk.ask(migrant, "ru")
    await newcomer.click("✋", desk.alert())
    assert "safe_migration_sandbox_bot" in newcomer.alerts[0]
    case = await app.cases.get(case_id)
    assert case is not None and case.status == "new" and case.consultant_id is None
    await desk.aida.click("✋", desk.alert())
    case = await app.cases.get(case_id)
    assert case is not None and case.consultant_id == desk.aida.id


# ---------------------------------------------------------------------- waiting: messages kept, re-alerts, hotlines
async def test_messages_before_take_wait_for_the_consultant(desk: Desk) -> None:
    migrant = await desk.migrant()
    case_id = await desk.ask(migrant, "ru")
    await migrant.send("первое")
    assert desk.h.t("Received. The consultant will see it as soon as they take your request No. {number}.", "ru").format(number=case_id) == migrant.last.text
    await migrant.send_media("voice")
    await migrant.send("второе")
    await desk.aida.click("✋", desk.alert())
    texts = [m.text for m in desk.aida.messages]
    kinds = [m.kind for m in desk.aida.messages]
    assert f"👤 №{case_id}\nпервое" in texts and f"👤 №{case_id}\nвторое" in texts and "voice" in kinds
    assert texts.index(f"👤 №{case_id}\nпервое") < texts.index(f"👤 №{case_id}\nвторое")


async def test_not_taken_in_time_is_alerted_again_then_the_person_gets_hotlines(desk: Desk) -> None:
    h, app = desk.h, desk.h.app
    assert app is not None
    migrant = await desk.migrant("ky")
    case_id = await desk.ask(migrant, "ky")
    assert len(desk.group()) == 1
    h.advance(minutes=5)
    await app.desk.tick()
    assert len(desk.group()) == 1
    h.advance(minutes=5)
    await app.desk.tick()
    assert len(desk.group()) == 1  # the first alert is replaced, not repeated: one Take button per case
    assert len(h.sandbox.chat_messages(GROUP, include_deleted=True)) == 2
    again = desk.group()[-1]
    assert (again.text or "").startswith("⏰") and again.buttons
    assert h.t("Waiting: {minutes} min", "ru").format(minutes=10) in (again.text or "")
    count = len(migrant.messages)
    h.advance(minutes=20)
    await app.desk.tick()
    hotlines = migrant.messages[count:]
    assert len(hotlines) == 1
    assert h.t("Your request No. {number} is still waiting: all consultants are busy. A consultant will write to you as soon as possible. Meanwhile you can call:", "ky").format(number=case_id) in (hotlines[0].text or "")
    assert "112" in (hotlines[0].text or "")
    h.advance(minutes=10)
    await app.desk.tick()
    assert len(migrant.messages) == count + 1  # the hotlines are sent once
    await desk.bek.click("✋", again)  # the repeated alert works as well
    case = await app.cases.get(case_id)
    assert case is not None and case.consultant_id == desk.bek.id
    assert all(not m.buttons for m in desk.group())  # every alert of the case now says it is taken


async def test_outside_working_hours_the_person_is_told_when_and_given_hotlines(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, consultant_chat_id=GROUP, working_hours="mon-fri 09:00-18:00 Asia/Bishkek")
    async with running(settings, setup_group) as h:
        desk = await open_desk(h)
        assert h.app is not None
        h.advance(days=5)  # Saturday 09:00 in Bishkek
        migrant = await desk.migrant("uz")
        case_id = await desk.ask(migrant, "uz")
        confirmation = migrant.messages[-1].text or ""
        assert "112" in confirmation
        day = h.t("Consultants are not at work now. They will answer from {day}, {time} ({zone} time). If you need help now, call:", "uz")
        assert day.split("{")[0] in confirmation and "09:00" in confirmation
        assert len(desk.group()) == 1  # posted anyway: someone may be looking
        count = len(migrant.messages)
        h.advance(hours=12)
        await h.app.desk.tick()
        assert len(desk.group()) == 1  # no re-alerts while nobody works
        assert len(migrant.messages) == count  # the hotlines were given at once, not again
        h.advance(days=1, hours=12, minutes=5)  # Monday 09:05
        await h.app.desk.tick()
        assert len(desk.group()) == 1
        h.advance(minutes=5)  # 10 minutes into the working day
        await h.app.desk.tick()
        group = h.sandbox.chat_messages(GROUP, include_deleted=True)
        assert len(group) == 2 and group[0].deleted and (group[1].text or "").startswith("⏰")  # alerted anew
        assert (await h.app.cases.get(case_id)) is not None


# ---------------------------------------------------------------------- nothing lost
async def test_a_failing_group_post_is_retried_until_posted(desk: Desk) -> None:
    h, app = desk.h, desk.h.app
    assert app is not None
    h.expect_errors = True
    h.sandbox.remove_bot_from_group(GROUP)
    migrant = await desk.migrant()
    case_id = await desk.ask(migrant, "ru")
    assert await app.cases.get(case_id) is not None
    assert desk.group() == [] and await app.outbox.pending() == 1
    assert str(case_id) in (migrant.last.text or "")  # the person is told it is sent: it is kept
    h.advance(seconds=30)
    await app.outbox.run_due()
    assert desk.group() == []
    h.sandbox.remove_bot_from_group(GROUP, removed=False)
    h.sandbox.inject_error("sendMessage", 500, "Internal Server Error")
    h.advance(minutes=1)
    await app.outbox.run_due()
    assert desk.group() == []
    h.advance(minutes=5)
    await app.outbox.run_due()
    assert len(desk.group()) == 1 and await app.outbox.pending() == 0
    assert str(case_id) in (desk.group()[0].text or "")


async def test_group_posts_are_paced_to_twenty_a_minute(desk: Desk) -> None:
    h, app = desk.h, desk.h.app
    assert app is not None
    people = [await desk.migrant() for _ in range(24)]
    for person in people:
        person.think_time = 0  # two dozen people ask within the same second
        await desk.ask(person, "ru")
    assert len(desk.group()) == 20 and await app.outbox.pending() == 4
    assert GROUP not in h.sandbox.rate_limited_chats  # paced by the bot, not stopped by Telegram
    h.advance(minutes=1)
    await app.outbox.run_due()
    assert len(desk.group()) == 24 and await app.outbox.pending() == 0
    assert GROUP not in h.sandbox.rate_limited_chats


async def test_restart_in_the_middle_of_a_case(desk: Desk) -> None:
    h = desk.h
    migrant = await desk.migrant("tg")
    case_id = await desk.ask(migrant, "tg")
    await desk.aida.click("✋", desk.alert())
    await h.restart()
    await migrant.send("салом")
    assert desk.aida.last.text == f"👤 №{case_id}\nсалом"
    await desk.aida.send("Салом! Чӣ шуд?")
    assert (migrant.last.text or "").endswith("Салом! Чӣ шуд?")


async def test_an_update_interrupted_by_a_crash_is_handled_after_restart(desk: Desk) -> None:
    h = desk.h
    migrant = await desk.migrant()
    case_id = await desk.ask(migrant, "ru")
    await desk.aida.click("✋", desk.alert())
    await h.restart()  # the membership cache is empty again
    await crash_during(h, "getChatMember", desk.aida.send("Мы вам поможем"))  # while checking who writes
    assert "Мы вам поможем" not in (migrant.last.text or "")
    await h.restart()  # the update is replayed from the inbox
    assert (migrant.last.text or "").endswith("Мы вам поможем")
    assert h.app is not None and await h.app.inbox.pending() == []

    # a crash after the message was kept but before it was sent: sent at restart, once
    await crash_during(h, "sendMessage", migrant.send("вы здесь?"))
    await h.restart()
    relayed = [m for m in desk.aida.messages if m.text == f"👤 №{case_id}\nвы здесь?"]
    assert len(relayed) == 1


# ---------------------------------------------------------------------- ending, transfer, privacy
async def test_person_ends_then_consultant_records_the_outcome(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    migrant = await desk.migrant()
    case_id = await desk.ask(migrant, "ru")
    await desk.aida.click("✋", desk.alert())
    await migrant.send("/end")
    case = await app.cases.get(case_id)
    assert case is not None and case.status == "closed" and case.outcome == "ended_by_person"
    assert f"/close {case_id}" in (desk.aida.last.text or "")
    await desk.aida.send(f"/close {case_id}")
    await desk.aida.click(desk.h.t("Information given", "ru"))
    case = await app.cases.get(case_id)
    assert case is not None and case.outcome == "info"
    await migrant.send("/end")
    assert migrant.last.text == desk.h.t("You have no open conversation with a consultant.", "ru")


async def test_transfer_returns_the_case_to_the_group(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    migrant = await desk.migrant()
    case_id = await desk.ask(migrant, "ru")
    await desk.aida.click("✋", desk.alert())
    await desk.aida.send("/transfer")
    case = await app.cases.get(case_id)
    assert case is not None and case.status == "new" and case.consultant_id is None
    await desk.aida.send("вы тут?")  # no longer hers: goes nowhere
    assert "вы тут?" not in (migrant.last.text or "")
    await desk.bek.click("✋", desk.alert())
    await migrant.send("да")
    assert desk.bek.last.text == f"👤 №{case_id}\nда"


async def test_forget_deletes_what_the_person_wrote_and_tells_the_consultant(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    migrant = await desk.migrant()
    case_id = await desk.ask(migrant, "ru", describe="меня зовут Фарход")
    await desk.aida.click("✋", desk.alert())
    await migrant.send("мой адрес: улица 5")
    await migrant.send("/forget")
    await migrant.click(desk.h.t("Yes, delete everything", "ru"))
    case = await app.cases.get(case_id)
    assert case is not None and case.user_id is None and case.status == "closed" and case.description is None
    assert await app.cases.history(case_id) == []
    rows = await app.db.fetchall("SELECT COUNT(*) FROM cases")
    assert rows[0][0] == 1  # the anonymous figure stays
    assert str(case_id) in (desk.aida.last.text or "")
    await desk.aida.send("алло")
    assert desk.aida.last.text == desk.h.t("Case No. {number} is closed.", "ru").format(number=case_id) or "алло" not in (migrant.last.text or "")


async def test_closed_cases_lose_their_messages_after_retention(desk: Desk) -> None:
    h, app = desk.h, desk.h.app
    assert app is not None
    migrant = await desk.migrant()
    case_id = await desk.ask(migrant, "ru", describe="подробности")
    await desk.aida.click("✋", desk.alert())
    await migrant.send("сообщение")
    await desk.aida.send("/note заметка")
    await desk.aida.send("/close")
    await desk.aida.click(h.t("False alarm", "ru"))
    h.advance(days=89)
    assert await app.desk.purge() == 0
    h.advance(days=2)
    assert await app.desk.purge() == 1
    assert await app.cases.history(case_id) == [] and await app.cases.notes(case_id) == []
    case = await app.cases.get(case_id)
    assert case is not None and case.description is None and case.outcome == "false_alarm" and case.level == "unknown"


# ---------------------------------------------------------------------- other ways in
async def test_danger_words_lead_to_a_consultant(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    migrant = await desk.migrant("ru")
    await migrant.send("у меня забрали паспорт")
    await migrant.click(desk.h.t("💬 Talk to a consultant", "ru"))
    await migrant.click(desk.h.t("✅ I agree, connect me", "ru"))
    await migrant.click(desk.h.t("⏭ Skip", "ru"))
    await migrant.click(LANGUAGE_NAMES["ru"])
    case = await app.cases.open_case_of(migrant.id)
    assert case is not None and case.kind == "danger"
    assert "112" in (migrant.last.text or "")  # danger: the numbers come with the confirmation


async def test_second_request_points_to_the_open_one_and_cancel_shares_nothing(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    migrant = await desk.migrant()
    await migrant.send("/consult")
    await migrant.click(desk.h.t("❌ No, thanks", "ru"))
    assert await app.cases.open_case_of(migrant.id) is None and desk.group() == []
    case_id = await desk.ask(migrant, "ru")
    await migrant.send("/consult")
    assert str(case_id) in (migrant.last.text or "") and len(desk.group()) == 1


async def test_without_consultants_the_person_gets_hotlines(harness: Harness) -> None:
    person = await harness.speaker("uz")
    await person.send("/consult")
    text = person.last.text or ""
    assert harness.t("Consultants are not connected to this bot yet. Please call a hotline:", "uz") in text
    assert harness.app is not None and await harness.app.outbox.pending() == 0


async def test_a_message_in_the_middle_of_another_flow_still_reaches_the_consultant(desk: Desk) -> None:
    migrant = await desk.migrant()
    case_id = await desk.ask(migrant, "ru")
    await desk.aida.click("✋", desk.alert())
    await migrant.send("/check")
    await migrant.click("▶️")  # a question of the self-check is on the screen
    await migrant.send("мне страшно")
    assert desk.aida.last.text == f"👤 №{case_id}\nмне страшно"


async def test_a_backlog_of_posts_does_not_hold_the_start(desk: Desk) -> None:
    """Posts left in the outbox (a flood-limited group, say) are sent beside new updates: the start waits
    only for the dead process's claims and its unfinished updates."""
    h = desk.h
    migrant = await desk.migrant()
    await desk.ask(migrant, "ru")
    app = await h.restart()
    release = asyncio.Event()
    sending = asyncio.Event()

    async def slow_backlog(limit: int = 200) -> int:
        sending.set()
        await release.wait()  # the group's flood limit, as long as it lasts
        return 0

    app.outbox.run_due = slow_backlog  # type: ignore[method-assign]
    await asyncio.wait_for(app.startup(), 2)  # a second start: the backlog is still being sent
    await asyncio.wait_for(sending.wait(), 2)
    await migrant.send("/menu")  # new updates are handled meanwhile
    assert h.t("<b>Main menu</b>\nChoose a section:", "ru").replace("<b>", "").replace("</b>", "") in (migrant.last.text or "")
    release.set()
    await asyncio.wait_for(app.recovered(), 2)


@pytest.mark.parametrize("lang", LANGS)
async def test_words_typed_where_a_button_is_asked_join_the_request(desk: Desk, lang: str) -> None:
    """At the consultant's-language question a person types instead of tapping: the words are not dropped,
    the question comes again saying the request is not sent yet, and the words reach the consultant."""
    app = desk.h.app
    assert app is not None
    migrant = await desk.migrant(lang)
    await migrant.send("/consult")
    await migrant.click(desk.h.t("✅ I agree, connect me", lang))
    await migrant.send("не платят третий месяц")
    await migrant.send("помогите, нас заперли")  # typed at the language question
    screen = migrant.last.text or ""
    assert screen.startswith(desk.h.t("Your request is not sent yet. What you wrote is added to it. Please tap a button below.", lang))
    assert desk.h.t("In which language should the consultant write to you?", lang) in screen
    assert await app.cases.open_case_of(migrant.id) is None  # not sent until the tap
    await migrant.click(LANGUAGE_NAMES[lang])
    case = await app.cases.open_case_of(migrant.id)
    assert case is not None and case.description == "не платят третий месяц\nпомогите, нас заперли"
    assert case.level == "emergency"  # the added words were heard too
    await desk.aida.click("✋", desk.alert())
    assert "помогите, нас заперли" in (desk.aida.last.text or "")
