-- Minutes of meetings: the entries recorded live, and the action items they create.
CREATE TABLE meetings (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    number      INTEGER NOT NULL,                 -- #1, #2 ... within the chat
    kind        TEXT    NOT NULL,                 -- talk | council | reception | briefing
    title       TEXT,
    place       TEXT,
    event_id    INTEGER REFERENCES events(id) ON DELETE SET NULL,
    chair_id    INTEGER NOT NULL,
    chair_name  TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'open',  -- open | closed
    closed_by   TEXT,                             -- 'chair' | 'auto'
    started_at  TEXT    NOT NULL,
    ended_at    TEXT,
    UNIQUE (chat_id, number)
);
CREATE UNIQUE INDEX meetings_one_open ON meetings (chat_id) WHERE status = 'open';

-- Every entry exactly as recorded, so the minutes can be rendered again from the log.
CREATE TABLE minute_entries (
    id           INTEGER PRIMARY KEY,
    meeting_id   INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,                -- topic | note | decision | action | idea | chair
    text         TEXT    NOT NULL,
    author_id    INTEGER NOT NULL,
    author_name  TEXT    NOT NULL,
    speaker_id   INTEGER,                         -- a note quoting a resident's message
    speaker_name TEXT,
    data         TEXT    NOT NULL DEFAULT '{}',   -- JSON: action number, idea number, new chair
    undone       INTEGER NOT NULL DEFAULT 0,
    at           TEXT    NOT NULL
);
CREATE INDEX minute_entries_meeting ON minute_entries (meeting_id, id);

CREATE TABLE action_items (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    number      INTEGER NOT NULL,                 -- #1, #2 ... within the chat
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    owner_id    INTEGER,                          -- a member; NULL for a role or a bare name
    owner_role  TEXT,                             -- e.g. property_manager
    owner_name  TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    due_at      TEXT,
    status      TEXT    NOT NULL DEFAULT 'open',  -- open | done | blocked | dropped (undone)
    note        TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    UNIQUE (chat_id, number)
);
CREATE INDEX action_items_chat ON action_items (chat_id, status);
