-- Chats the bot is in, the people it has seen, the roles granted in each chat,
-- and the scheduler's schedules and deliveries.
-- Every table keyed by a chat references chats(id) ON UPDATE CASCADE, so a
-- group upgraded to a supergroup moves all of its rows in one UPDATE.

CREATE TABLE chats (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    title       TEXT,
    locale      TEXT,
    tz          TEXT,
    community   TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    settings    TEXT    NOT NULL DEFAULT '{}',
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

-- Groups that became supergroups: late updates from an old id must not bring it back.
CREATE TABLE chat_moves (
    old_id      INTEGER PRIMARY KEY,
    new_id      INTEGER NOT NULL,
    moved_at    TEXT    NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    first_name    TEXT    NOT NULL,
    last_name     TEXT,
    username      TEXT,
    language_code TEXT,
    started       INTEGER NOT NULL DEFAULT 0,
    seen_at       TEXT    NOT NULL
);

CREATE TABLE roles (
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    role        TEXT    NOT NULL,
    building    TEXT    NOT NULL DEFAULT '',
    granted_by  INTEGER,
    granted_at  TEXT    NOT NULL,
    PRIMARY KEY (chat_id, user_id, role)
);

CREATE TABLE schedules (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    ref         TEXT,
    first_at    TEXT    NOT NULL,
    rrule       TEXT,
    tz          TEXT    NOT NULL,
    offsets     TEXT    NOT NULL DEFAULT '[0]',
    payload     TEXT    NOT NULL DEFAULT '{}',
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL
);
CREATE INDEX schedules_chat ON schedules(chat_id);
CREATE INDEX schedules_kind_ref ON schedules(kind, ref);

CREATE TABLE deliveries (
    schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    occurrence  TEXT    NOT NULL,
    offset_s    INTEGER NOT NULL,
    fire_at     TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('sending', 'sent', 'skipped')),
    recorded_at TEXT    NOT NULL,
    PRIMARY KEY (schedule_id, occurrence, offset_s)
);
