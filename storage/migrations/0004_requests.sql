-- Resident requests: reported, assigned, handled, confirmed and rated.
CREATE TABLE requests (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    reporter_id     INTEGER NOT NULL REFERENCES users(id),
    category        TEXT    NOT NULL,
    text            TEXT    NOT NULL,
    photo           TEXT,                         -- Telegram file_id
    public          INTEGER NOT NULL DEFAULT 0,   -- the group may see it (without the name)
    state           TEXT    NOT NULL DEFAULT 'reported',
    assignee_id     INTEGER REFERENCES users(id),
    assignee_role   TEXT,
    escalated       INTEGER NOT NULL DEFAULT 0,
    escalation_note TEXT,
    resolution      TEXT,
    rating          INTEGER CHECK (rating BETWEEN 1 AND 5),
    created_at      TEXT    NOT NULL,
    respond_by      TEXT    NOT NULL,
    resolve_by      TEXT    NOT NULL,
    accepted_at     TEXT,
    resolved_at     TEXT,
    closed_at       TEXT
);
CREATE INDEX requests_chat ON requests (chat_id, state);
CREATE INDEX requests_reporter ON requests (reporter_id, created_at);
CREATE INDEX requests_assignee ON requests (assignee_id, state);

CREATE TABLE request_events (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    at          TEXT    NOT NULL,
    actor_id    INTEGER,
    action      TEXT    NOT NULL,
    state       TEXT    NOT NULL,                 -- the state after the action
    note        TEXT
);
CREATE INDEX request_events_request ON request_events (request_id, id);
