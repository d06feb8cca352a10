-- yishi: foreign keys off
-- Consultations (征求意见): an open question a convener asks; residents write short statements
-- and vote on them one by one (agree 1, disagree -1, pass 0); the summary shows what the
-- community agrees on across buildings and what divides it.
--
-- Who wrote or voted what is kept only to let a person change their vote, to tell an author
-- why their statement was hidden, and to place a voter in a building: it is never shown.
-- A statement a convener hides keeps its row, its reason and its votes (hidden, not deleted).

CREATE TABLE consultations (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    chat_id      INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    number       INTEGER NOT NULL,                 -- #1, #2 ... within the community
    question     TEXT    NOT NULL,
    scope        TEXT    NOT NULL DEFAULT '[]',    -- JSON buildings ("6"); [] everyone
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    thread_id    INTEGER,                          -- the forum topic it was opened in
    message_id   INTEGER,                          -- its card in chat_id
    opened_by    INTEGER NOT NULL,
    opened_at    TEXT    NOT NULL,
    closes_at    TEXT    NOT NULL,
    closed_at    TEXT,
    UNIQUE (community_id, number)
);
CREATE INDEX consultations_message ON consultations (chat_id, message_id);

CREATE TABLE consultation_statements (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,              -- 1, 2 ... within the consultation
    text            TEXT    NOT NULL,
    author_id       INTEGER NOT NULL,              -- never shown unless signed
    signed          INTEGER NOT NULL DEFAULT 0,    -- the author chose to show their name
    seeded          INTEGER NOT NULL DEFAULT 0,    -- written by the convener with the question
    written_at      TEXT    NOT NULL,
    hidden_at       TEXT,
    hidden_by       INTEGER,
    hidden_reason   TEXT,
    UNIQUE (consultation_id, number)
);

-- A person taking part, and the building they are counted in (NULL: none known or given).
CREATE TABLE consultation_participants (
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    building        TEXT,
    joined_at       TEXT    NOT NULL,
    PRIMARY KEY (consultation_id, user_id)
);

CREATE TABLE consultation_votes (
    statement_id INTEGER NOT NULL REFERENCES consultation_statements(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    vote         INTEGER NOT NULL CHECK (vote IN (-1, 0, 1)),
    at           TEXT    NOT NULL,
    PRIMARY KEY (statement_id, user_id)
);

-- A statement taken further: put to a proposal vote, or on the agenda of a talk's occurrence.
CREATE TABLE consultation_outcomes (
    statement_id INTEGER NOT NULL REFERENCES consultation_statements(id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('poll', 'agenda')),
    poll_id      INTEGER REFERENCES polls(id) ON DELETE SET NULL,
    event_id     INTEGER REFERENCES events(id) ON DELETE SET NULL,
    occurrence   TEXT,
    taken_by     INTEGER NOT NULL,
    taken_at     TEXT    NOT NULL,
    PRIMARY KEY (statement_id, kind)
);

-- Consultations' cards in the main and building groups besides the first.
CREATE TABLE posts_new (
    kind        TEXT    NOT NULL CHECK (kind IN ('poll', 'idea', 'request', 'event', 'consultation')),
    item_id     INTEGER NOT NULL,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    message_id  INTEGER NOT NULL,
    posted_at   TEXT    NOT NULL,
    PRIMARY KEY (kind, item_id, chat_id)
);
INSERT INTO posts_new SELECT kind, item_id, chat_id, message_id, posted_at FROM posts;
DROP TABLE posts;
ALTER TABLE posts_new RENAME TO posts;
CREATE INDEX posts_message ON posts (chat_id, message_id);
