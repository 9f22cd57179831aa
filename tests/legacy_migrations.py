"""The schema migrations before Alembic, frozen: migration N set PRAGMA user_version = N. A database they
made is stamped with revision N by bot.storage.migrate; the tests build one with them to check that.

Never edit: this is what databases in use were made with. Statements are separated by semicolons.
"""

MIGRATIONS: tuple[str, ...] = (
    # 1: users and aiogram FSM state
    """
    CREATE TABLE users (
        id                INTEGER PRIMARY KEY,          -- Telegram user id
        language          TEXT,                         -- chosen language, NULL until chosen
        telegram_language TEXT,                         -- language_code Telegram reported
        citizenship       TEXT,                         -- ISO 3166 alpha-2, when given
        destination       TEXT,                         -- ISO 3166 alpha-2, when given
        first_seen        TEXT NOT NULL,                -- ISO 8601 UTC
        last_seen         TEXT NOT NULL,
        blocked           INTEGER NOT NULL DEFAULT 0    -- 1 when the user blocked the bot
    );
    CREATE INDEX users_language ON users(language);
    CREATE TABLE fsm_state (
        key        TEXT PRIMARY KEY,                    -- aiogram StorageKey, built by DefaultKeyBuilder
        user_id    INTEGER NOT NULL,
        chat_id    INTEGER NOT NULL,
        state      TEXT,
        data       TEXT NOT NULL DEFAULT '{}',
        updated_at TEXT NOT NULL
    );
    CREATE INDEX fsm_state_user ON fsm_state(user_id);
    """,
    # 2: escalation to consultants: cases, their messages and notes, alerts, the outbox of posts,
    # the audit log, and the inbox of updates received but not yet handled
    """
    CREATE TABLE cases (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,  -- the case number people see
        user_id          INTEGER,                      -- NULL once the person deleted their data
        kind             TEXT NOT NULL,                -- screening | request | danger | agency
        level            TEXT NOT NULL,                -- info | concern | high | emergency | unknown
        indicators       TEXT NOT NULL DEFAULT '[]',   -- JSON list of ILO indicator ids
        answers          TEXT,                         -- JSON, only when the person agreed to share them
        description      TEXT,                         -- what the person wrote, when they did
        destination      TEXT,
        citizenship      TEXT,
        language         TEXT NOT NULL,                -- the language the consultant should write in
        username         TEXT,                         -- only when the person agreed to show it
        team             TEXT NOT NULL,
        status           TEXT NOT NULL DEFAULT 'new',  -- new -> taken -> closed (transfer: taken -> new)
        consultant_id    INTEGER,
        consultant_name  TEXT,
        outcome          TEXT,
        created_at       TEXT NOT NULL,
        taken_at         TEXT,
        closed_at        TEXT,
        waiting_since    TEXT NOT NULL,                -- created, or returned to the group
        last_alert_at    TEXT,
        alerts           INTEGER NOT NULL DEFAULT 0,
        hotlines_sent_at TEXT,
        purged_at        TEXT
    );
    CREATE INDEX cases_status ON cases(status, waiting_since);
    CREATE INDEX cases_user ON cases(user_id, status);
    CREATE TABLE case_messages (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        direction   TEXT NOT NULL,                     -- in: from the person | out: to the person
        kind        TEXT NOT NULL,                     -- text, photo, voice, document, location, ...
        text        TEXT,                              -- text or caption, purged with the case
        chat_id     INTEGER NOT NULL,                  -- where the original is (for copying)
        message_id  INTEGER NOT NULL,
        author_id   INTEGER,                           -- the consultant, for out
        created_at  TEXT NOT NULL,
        delivered   INTEGER NOT NULL DEFAULT 0,
        UNIQUE (chat_id, message_id)
    );
    CREATE INDEX case_messages_case ON case_messages(case_id, id);
    CREATE TABLE case_notes (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        author_id  INTEGER NOT NULL,
        text       TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE case_posts (
        chat_id    INTEGER NOT NULL,                   -- a message of the bot about a case:
        message_id INTEGER NOT NULL,                   -- an alert in a group, or a relayed message
        case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        kind       TEXT NOT NULL,                      -- alert | relay
        PRIMARY KEY (chat_id, message_id)
    );
    CREATE INDEX case_posts_case ON case_posts(case_id, kind);
    CREATE TABLE consultant_active (
        consultant_id INTEGER PRIMARY KEY,
        case_id       INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE
    );
    CREATE TABLE audit_log (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        at       TEXT NOT NULL,
        actor_id INTEGER,
        case_id  INTEGER,
        action   TEXT NOT NULL,
        detail   TEXT                                  -- never message text
    );
    CREATE INDEX audit_log_case ON audit_log(case_id);
    CREATE TABLE outbox (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        chat_id       INTEGER NOT NULL,
        method        TEXT NOT NULL,                   -- send | copy | edit
        payload       TEXT NOT NULL,                   -- JSON, deleted once sent
        case_id       INTEGER,
        track         TEXT,                            -- alert | relay: remember the posted message
        source_id     INTEGER,                         -- the case_messages row it delivers
        created_at    TEXT NOT NULL,
        not_before    TEXT NOT NULL,
        attempts      INTEGER NOT NULL DEFAULT 0,
        claimed_until TEXT,
        last_error    TEXT
    );
    CREATE INDEX outbox_due ON outbox(not_before);
    CREATE TABLE inbox (
        update_id   INTEGER PRIMARY KEY,
        payload     TEXT NOT NULL,                     -- the update as received, deleted once handled
        received_at TEXT NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0
    )
    """,
    # 3: checklists and reminders: the person's trip dates, their ticks and item dates, and the
    # reminders planned from them (sent once: pending -> claimed -> sending -> sent)
    """
    CREATE TABLE trips (
        user_id    INTEGER PRIMARY KEY,
        country    TEXT NOT NULL,                      -- the destination these dates are for
        departure  TEXT,                               -- YYYY-MM-DD
        arrival    TEXT,
        reminders  INTEGER NOT NULL DEFAULT 1,         -- 0: the person switched reminders off
        updated_at TEXT NOT NULL
    );
    CREATE TABLE checklist_marks (
        user_id INTEGER NOT NULL,
        item    TEXT NOT NULL,
        done_at TEXT,                                  -- ticked off
        day     TEXT,                                  -- the item's own date (contract signed, paid until)
        muted   INTEGER NOT NULL DEFAULT 0,            -- no reminders for this item
        paid    INTEGER NOT NULL DEFAULT 0,            -- a monthly payment: months paid in all
        PRIMARY KEY (user_id, item)
    ) WITHOUT ROWID;
    CREATE TABLE reminders (
        id          INTEGER PRIMARY KEY,
        user_id     INTEGER NOT NULL,
        item        TEXT NOT NULL,
        deadline    TEXT NOT NULL,                     -- the day it reminds of, YYYY-MM-DD
        days_before INTEGER NOT NULL,
        due_at      INTEGER NOT NULL,                  -- unix seconds, UTC
        status      TEXT NOT NULL DEFAULT 'pending',   -- pending | claimed | sending | sent | failed
        attempts    INTEGER NOT NULL DEFAULT 0,
        claimed_at  INTEGER,
        sent_at     INTEGER,
        UNIQUE (user_id, item, deadline, days_before)
    );
    CREATE INDEX reminders_due ON reminders(due_at) WHERE status = 'pending';
    CREATE INDEX reminders_busy ON reminders(status) WHERE status IN ('claimed', 'sending')
    """,
    # 4: the licensed-agency registries (one snapshot per origin country, replaced whole by an import),
    # reports about agencies, and what a case is about (cases.subject, JSON: an agency report names its agency,
    # no comment on that line: SQLite keeps an added column's text inside the table's CREATE statement)
    """
    CREATE TABLE agency_snapshots (
        country     TEXT PRIMARY KEY,                  -- KG | TJ | UZ | KZ: whose registry
        source      TEXT NOT NULL,                     -- where the list was taken from (URL or reference)
        source_date TEXT NOT NULL,                     -- YYYY-MM-DD: the date of the list
        imported_at TEXT NOT NULL,
        file_name   TEXT,
        sample      INTEGER NOT NULL DEFAULT 0,        -- 1: invented data for trying the bot out
        rows        INTEGER NOT NULL
    );
    CREATE TABLE agencies (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: an old button must not show another agency
        country      TEXT NOT NULL REFERENCES agency_snapshots(country) ON DELETE CASCADE,
        name         TEXT NOT NULL,
        aliases      TEXT NOT NULL DEFAULT '[]',       -- JSON: other spellings, other scripts
        permit       TEXT,
        authority    TEXT,
        valid_from   TEXT,
        valid_to     TEXT,
        status       TEXT NOT NULL,                    -- active | suspended | revoked | expired
        destinations TEXT NOT NULL DEFAULT '[]',       -- JSON: ISO codes of the countries it may send to
        phone        TEXT,
        address      TEXT,
        website      TEXT,
        note         TEXT
    );
    CREATE INDEX agencies_country ON agencies(country);
    CREATE TABLE agency_reports (
        id          INTEGER PRIMARY KEY,
        created_at  TEXT NOT NULL,
        user_id     INTEGER,
        language    TEXT NOT NULL,
        registry    TEXT,                              -- the registry the agency was found in
        agency      TEXT NOT NULL,                     -- the name, as found or as typed
        permit      TEXT,
        status      TEXT NOT NULL,                     -- its status then, or not_found
        flags       TEXT NOT NULL DEFAULT '[]',        -- JSON: red flags the person answered yes
        what        TEXT,                              -- what happened, in the person's words
        contact     TEXT,                              -- only if the person gave one
        case_id     INTEGER
    );
    CREATE INDEX agency_reports_user ON agency_reports(user_id);
    ALTER TABLE cases ADD COLUMN subject TEXT
    """,
    # 5: usage events for the figures NGO staff report: what happened, never what anyone wrote. `actor`
    # is a keyed hash of the person (the key in `meta`), so people can be counted but not named
    """
    CREATE TABLE meta (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,                     -- ISO 8601 UTC
        kind        TEXT NOT NULL,                     -- guide | screening | agency_check | checklist | ...
        detail      TEXT,                              -- a topic id, a level, a result: never free text
        language    TEXT,
        citizenship TEXT,
        destination TEXT,
        actor       TEXT NOT NULL
    );
    CREATE INDEX events_at ON events(at);
    CREATE INDEX events_actor ON events(actor)
    """,
    # 6: broadcasts by admins, and their recipients (each gets it at most once: pending -> claimed ->
    # sending -> sent | failed | blocked. A restart puts claimed back to pending and turns sending into unknown)
    """
    CREATE TABLE broadcasts (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at    TEXT NOT NULL,
        author_id     INTEGER NOT NULL,
        text          TEXT NOT NULL,                   -- HTML, exactly as previewed
        language      TEXT,                            -- the audience: NULL is anyone
        citizenship   TEXT,
        destination   TEXT,
        status        TEXT NOT NULL,                   -- sending | done | cancelled
        total         INTEGER NOT NULL,
        not_before    TEXT,                            -- after a long 429
        progress_chat INTEGER,
        progress_msg  INTEGER,
        finished_at   TEXT
    );
    CREATE TABLE broadcast_recipients (
        broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
        user_id      INTEGER NOT NULL,
        status       TEXT NOT NULL DEFAULT 'pending',   -- pending | claimed | sending | sent | failed | blocked | unknown
        PRIMARY KEY (broadcast_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX broadcast_pending ON broadcast_recipients(broadcast_id, status)
    """,
    # 7: who was active on which day (UTC), by the same keyed hash as events: "active people in a period"
    # counts everyone who used the bot, not only those who opened a guide; and the weekly digests sent,
    # so a restart never sends an admin the same week twice
    """
    CREATE TABLE activity (
        day   TEXT NOT NULL,                           -- YYYY-MM-DD, UTC
        actor TEXT NOT NULL,
        PRIMARY KEY (day, actor)
    ) WITHOUT ROWID;
    CREATE INDEX activity_actor ON activity(actor);
    DROP INDEX events_at;
    CREATE INDEX events_at_kind ON events(at, kind, detail);    -- covers the figures' count by kind and detail
    CREATE TABLE digests (
        admin_id INTEGER NOT NULL,
        week     TEXT NOT NULL,                        -- the Monday the week began
        sent_at  TEXT NOT NULL,
        PRIMARY KEY (admin_id, week)
    ) WITHOUT ROWID
    """,
    # 8: durable intake: a handled update keeps its id (not its payload) for a day, so a replay or a
    # re-delivery of it is never handled twice and polling resumes after the newest one
    """
    ALTER TABLE inbox ADD COLUMN handled_at TEXT;      -- NULL until handled, and then the payload is emptied
    CREATE INDEX inbox_unhandled ON inbox(update_id) WHERE handled_at IS NULL
    """,
    # 9: triage: the signs that raised a case's level (their names, never the person's words)
    """
    ALTER TABLE cases ADD COLUMN signs TEXT NOT NULL DEFAULT '[]'
    """,
    # 10: a person back with a new case: the numbers of their earlier ones (emptied at /forget)
    """
    ALTER TABLE cases ADD COLUMN earlier TEXT
    """,
    # 11: the desk on forum topics: a case's topic in the consultants' forum group (the same person's next
    # case reopens it), the queue board pinned in General, and the consultants with the languages they speak
    """
    ALTER TABLE cases ADD COLUMN topic_chat INTEGER;   -- the forum group holding the case's topic
    ALTER TABLE cases ADD COLUMN topic_id INTEGER;     -- its message_thread_id (NULL: no topic, talked in private chats)
    CREATE INDEX cases_topic ON cases(topic_chat, topic_id);
    CREATE TABLE boards (
        chat_id    INTEGER PRIMARY KEY,                -- a team's forum group
        message_id INTEGER,                            -- the board, pinned in General
        text       TEXT NOT NULL,                      -- what it shows now (case numbers and levels, no one's words)
        updated_at TEXT NOT NULL
    );
    CREATE TABLE consultants (
        id        INTEGER PRIMARY KEY,                 -- their Telegram id: staff, not the people they help
        name      TEXT NOT NULL,
        username  TEXT,
        languages TEXT NOT NULL DEFAULT '[]',          -- what they said they speak (/speak)
        seen_at   TEXT NOT NULL
    )
    """,
    # 12: where the person is now (a country of the bot's, OTHER "XX" elsewhere, NULL not asked): the numbers
    # shown are for there, and a family at home gets their own country's lines
    """
    ALTER TABLE users ADD COLUMN location TEXT
    """,
)
