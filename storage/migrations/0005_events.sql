-- Evening talks and reception days: recurring events, occurrences changed, RSVPs, agendas, the reception queue.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    number      INTEGER NOT NULL,                 -- #1, #2 ... within the chat
    kind        TEXT    NOT NULL,                 -- talk | reception
    title       TEXT    NOT NULL,
    place       TEXT,
    hosts       TEXT,
    start_at    TEXT    NOT NULL,                 -- the first occurrence (UTC)
    duration_s  INTEGER,
    rrule       TEXT,                             -- RFC 5545 rule in tz wall time; NULL = one-off
    tz          TEXT    NOT NULL,
    reminders   TEXT,                             -- JSON seconds before; NULL = the chat's default
    status      TEXT    NOT NULL DEFAULT 'active',  -- active | cancelled (the whole series)
    reason      TEXT,
    message_id  INTEGER,
    created_by  INTEGER,
    created_at  TEXT    NOT NULL,
    UNIQUE (chat_id, number)
);

-- One occurrence cancelled (new_at NULL) or moved, keyed by its original time.
CREATE TABLE event_changes (
    event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    occurrence  TEXT    NOT NULL,
    new_at      TEXT,
    reason      TEXT    NOT NULL,
    changed_by  INTEGER,
    changed_at  TEXT    NOT NULL,
    PRIMARY KEY (event_id, occurrence)
);

-- Keyed by the original occurrence, so a moved occurrence keeps its answers.
CREATE TABLE event_rsvps (
    event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    occurrence  TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    answer      TEXT    NOT NULL CHECK (answer IN ('going', 'maybe', 'no')),
    at          TEXT    NOT NULL,
    PRIMARY KEY (event_id, occurrence, user_id)
);

CREATE TABLE event_agenda (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    occurrence  TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    added_by    INTEGER,
    added_at    TEXT    NOT NULL
);
CREATE INDEX event_agenda_event ON event_agenda (event_id, occurrence);

-- What a convener wrote, shown as a preview; an event exists only after Save.
CREATE TABLE event_drafts (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    data        TEXT    NOT NULL,                 -- JSON
    created_at  TEXT    NOT NULL
);

CREATE TABLE reception_questions (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    occurrence  TEXT    NOT NULL,                 -- the reception day it is queued for
    number      INTEGER NOT NULL,                 -- queue number on that day
    user_id     INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'queued',  -- queued | answered | carried
    answer      TEXT,
    asked_at    TEXT    NOT NULL,
    settled_at  TEXT,
    UNIQUE (event_id, occurrence, number)
);
