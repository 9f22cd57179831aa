"""/forget leaves nothing of the person: the list of personal data (bot.storage.privacy.PERSONAL) covers
every table of the schema that can name a person, and after /forget none of its rows is the person's.

The rule for "can name a person", applied to every column of every table after all migrations:
- the primary key of `users` (the person's Telegram id);
- a column named user, chat, actor, author, consultant or admin, alone or with `_id` / `_name` after it
  (user_id, chat_id, actor, actor_id, author_id, consultant_id, consultant_name, admin_id, progress_chat);
- `username`, `contact` (what a person gave to be reached), `payload` (a message as sent or received) and
  `result` (what the bot sent, as Telegram returned it).
Such a column must be one PERSONAL finds the person by or empties, be in a table whose person's rows
PERSONAL deletes, or be in KEPT with the reason it stays.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.storage.db import Database
from bot.storage.privacy import ANONYMOUS, KEPT, PERSONAL, By, Personal
from tests.conftest import Harness

NAMES_A_PERSON = re.compile(r"^(.*_)?(user|chat|actor|author|consultant|admin)(_id|_name)?$|^(username|contact|payload|result)$")


async def _schema(db: Database) -> dict[str, list[str]]:
    tables = [r[0] for r in await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )]
    return {table: [r["name"] for r in await db.fetchall(f"PRAGMA table_info({table})")] for table in tables}


async def _migrated_schema(tmp_path: Path) -> dict[str, list[str]]:
    db = Database(tmp_path / "schema.sqlite3")
    await db.connect()  # every migration applied
    try:
        return await _schema(db)
    finally:
        await db.close()


async def test_every_column_that_names_a_person_is_forgotten_or_kept_for_a_reason(tmp_path: Path) -> None:
    schema = await _migrated_schema(tmp_path)
    covered = {(e.table, e.column) for e in PERSONAL} | {(e.table, c) for e in PERSONAL for c in e.clear}
    deleted = {e.table for e in PERSONAL if not e.clear}
    naming = {
        (table, column) for table, columns in schema.items() for column in columns
        if NAMES_A_PERSON.match(column) or (table, column) == ("users", "id")
    }
    unaccounted = {tc for tc in naming if tc not in covered and tc[0] not in deleted and tc not in KEPT}
    assert not unaccounted, f"columns that can name a person: add them to PERSONAL or KEPT: {sorted(unaccounted)}"
    listed = covered | set(KEPT)
    stale = {tc for tc in listed if tc[1] not in schema.get(tc[0], [])}
    assert not stale, f"PERSONAL / KEPT name columns the schema does not have: {sorted(stale)}"
    assert all(e.why for e in PERSONAL) and all(KEPT.values())


async def test_every_column_of_a_table_that_keeps_the_persons_rows_is_emptied_or_said_to_be_anonymous(tmp_path: Path) -> None:
    """Where the person's rows stay (emptied), a new column (free text, say) must be emptied or named anonymous."""
    schema = await _migrated_schema(tmp_path)
    kept_rows = {e.table for e in PERSONAL if e.clear}
    assert kept_rows == set(ANONYMOUS)
    for table in kept_rows:
        emptied = {c for e in PERSONAL if e.table == table for c in (*e.clear, e.column)}
        staff = {column for (t, column) in KEPT if t == table}
        unplaced = set(schema[table]) - emptied - staff - set(ANONYMOUS[table])
        assert not unplaced, f"{table}: empty these columns at /forget or name them anonymous: {sorted(unplaced)}"


async def _seed(h: Harness, user_id: int, consultant_id: int) -> int:
    """Rows of `user_id` in the tables the flows of this test do not reach; returns their case number."""
    assert h.app is not None
    db, now = h.app.db, h.now().isoformat()
    case_id = await db.insert(
        "INSERT INTO cases (user_id, kind, level, language, team, status, consultant_id, username, description, "
        "answers, created_at, waiting_since) VALUES (?, 'request', 'unknown', 'ru', 'main', 'taken', ?, 'nick', "
        "'my address', '{}', ?, ?)", (user_id, consultant_id, now, now),
    )
    assert case_id is not None
    statements = [
        (("INSERT INTO case_messages (case_id, direction, kind, text, chat_id, message_id, created_at) "
         "VALUES (?, 'in', 'text', 'hello', ?, ?, ?)"), (case_id, user_id, case_id, now)),
        ("INSERT INTO case_notes (case_id, author_id, text, created_at) VALUES (?, ?, 'note', ?)", (case_id, consultant_id, now)),
        ("INSERT INTO consultant_active (consultant_id, case_id) VALUES (?, ?)", (consultant_id + case_id, case_id)),
        ("INSERT INTO case_posts (chat_id, message_id, case_id, kind) VALUES (?, ?, ?, 'relay')", (consultant_id, case_id, case_id)),
        ("INSERT INTO audit_log (at, actor_id, case_id, action) VALUES (?, ?, ?, 'created')", (now, user_id, case_id)),
        ("INSERT INTO audit_log (at, actor_id, case_id, action, detail) VALUES (?, ?, NULL, 'refused', 'cases')", (now, user_id)),
        ("INSERT INTO outbox (chat_id, method, payload, created_at, not_before) VALUES (?, 'send', '{}', ?, ?)",
         (user_id, now, "9999")),
        ("INSERT INTO outbox (chat_id, method, payload, case_id, created_at, not_before) VALUES (?, 'send', '{}', ?, ?, ?)",
         (-case_id, case_id, now, "9999")),  # not in the consultant's chat: their notice must not wait behind it
        (("INSERT INTO agency_reports (created_at, user_id, language, agency, status, contact) "
         "VALUES (?, ?, 'ru', 'Agency', 'not_found', '+996')"), (now, user_id)),
        ("INSERT INTO trips (user_id, country, updated_at) VALUES (?, 'RU', ?)", (user_id, now)),
        ("INSERT INTO checklist_marks (user_id, item) VALUES (?, 'passport')", (user_id,)),
        (("INSERT INTO referrals (case_id, from_team, to_team, by_id, by_name, status, from_chat, shared, asked_at) "
          "VALUES (?, 'main', 'msk', ?, 'Aida', 'asked', ?, '{\"reason\": \"shelter\"}', ?)"), (case_id, consultant_id, consultant_id, now)),
        (("INSERT INTO checkins (user_id, every_days, at, zone, active, escalate, share, workplace, next_at, stage, created_at) "
          "VALUES (?, 1, '08:00', 'Europe/Moscow', 1, 1, '[\"workplace\"]', 'site 3', ?, 'idle', ?)"), (user_id, now, now)),
        ("INSERT INTO reminders (user_id, item, deadline, days_before, due_at) VALUES (?, 'passport', '2027-01-01', 3, 0)",
         (user_id,)),
        (("INSERT INTO broadcasts (id, created_at, author_id, text, status, total) VALUES (?, ?, 1, 'news', 'done', 2) "
         "ON CONFLICT DO NOTHING"), (1, now)),
        ("INSERT INTO broadcast_recipients (broadcast_id, user_id, status) VALUES (1, ?, 'sent')", (user_id,)),
    ]
    for sql, params in statements:
        await db.execute(sql, params)
    return case_id


async def _rows_of(h: Harness, entry: Personal, user_id: int, case_ids: list[int]) -> int:
    assert h.app is not None
    if entry.by is By.CASE:
        marks = ", ".join("?" for _ in case_ids)
        row = await h.app.db.fetchone(f"SELECT count(*) FROM {entry.table} WHERE {entry.column} IN ({marks})", tuple(case_ids))
    else:
        key = await h.app.dp["events"].actor(user_id) if entry.by is By.ACTOR else user_id
        row = await h.app.db.fetchone(f"SELECT count(*) FROM {entry.table} WHERE {entry.column} = ?", (key,))
    assert row is not None
    return int(row[0])


async def test_after_forget_no_row_of_the_person_remains(harness: Harness) -> None:
    app = harness.app
    assert app is not None
    consultant = await harness.speaker("ru")  # has opened the bot: the notice reaches them
    people = [await harness.speaker("ru"), await harness.speaker("ky")]  # the second one stays
    cases: dict[int, list[int]] = {}
    for person in people:
        await person.send("/guide")
        await person.click(person.last.button_labels()[0])  # a group
        await person.click(person.last.button_labels()[0])  # a topic: a usage event
        await person.send("/profile")  # where they stopped: a conversation state
        cases[person.id] = [await _seed(harness, person.id, consultant.id)]
    gone, stays = people
    for entry in PERSONAL:
        for person in people:
            assert await _rows_of(harness, entry, person.id, cases[person.id]) > 0, (entry.table, entry.column)
    await gone.send("/forget")
    await gone.click("Да, удалить всё")
    assert "/start" in (gone.last.text or "")
    for entry in PERSONAL:
        assert await _rows_of(harness, entry, gone.id, cases[gone.id]) == 0, (entry.table, entry.column)
        assert await _rows_of(harness, entry, stays.id, cases[stays.id]) > 0, (entry.table, entry.column)
    case = await app.cases.get(cases[gone.id][0])
    assert case is not None and case.status == "closed" and case.outcome == "deleted_by_person"
    assert (case.user_id, case.username, case.description, case.answers) == (None, None, None, None)
    assert str(case.id) in (consultant.last.text or "")  # the consultant was told


async def _values_naming(app_db: Database, user_id: int) -> list[tuple[str, str]]:
    """Every (table, column) of the whole database holding the id, as a number or inside a text."""
    found = []
    for table, columns in (await _schema(app_db)).items():
        for row in await app_db.fetchall(f"SELECT * FROM {table}"):
            for column in columns:
                value = row[column]
                if value == user_id or (isinstance(value, str | bytes) and str(user_id) in str(value)):
                    found.append((table, column))
    return sorted(set(found))


async def test_after_forget_no_table_holds_the_id(harness: Harness) -> None:
    """A dump of every table after /forget: the id is nowhere, while the person who stays is still found."""
    app = harness.app
    assert app is not None
    consultant = await harness.speaker("ru")
    gone, stays = await harness.speaker("ru"), await harness.speaker("uz")
    for person in (gone, stays):
        await _seed(harness, person.id, consultant.id)
        await person.send("/checklist")
        await person.send("/cases")  # refused: only consultants may
        await person.send("/profile")
    assert await _values_naming(app.db, gone.id)
    await gone.send("/forget")
    await gone.click("Да, удалить всё")
    assert await _values_naming(app.db, gone.id) == []
    assert ("users", "id") in await _values_naming(app.db, stays.id)


async def test_what_staff_did_stays_in_the_audit_trail(harness: Harness) -> None:
    """/forget takes the person's id out of the trail of their own cases, never the staff's: not when the
    person forgets, and not when a consultant who used the bot as a person forgets."""
    app = harness.app
    assert app is not None
    consultant = await harness.speaker("ru")
    person = await harness.speaker("ru")
    case_id = await _seed(harness, person.id, consultant.id)
    await app.db.execute("INSERT INTO audit_log (at, actor_id, case_id, action) VALUES (?, ?, ?, 'taken')",
                         (harness.now().isoformat(), consultant.id, case_id))

    async def trail() -> list[tuple[str, int | None]]:
        rows = await app.db.fetchall("SELECT action, actor_id FROM audit_log WHERE case_id = ? ORDER BY id", (case_id,))
        return [(r["action"], r["actor_id"]) for r in rows if r["action"] != "forgotten"]

    assert await trail() == [("created", person.id), ("taken", consultant.id)]
    await person.send("/forget")
    await person.click("Да, удалить всё")
    assert await trail() == [("created", None), ("taken", consultant.id)]
    await consultant.send("/forget")
    await consultant.click("Да, удалить всё")
    assert await trail() == [("created", None), ("taken", consultant.id)]
