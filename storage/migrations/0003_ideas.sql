-- Golden ideas: submitted, endorsed, followed through their states; the weekly digest.
--
-- Anonymity: an anonymous idea stores no author id (author_id is NULL). Every idea stores
-- author_key = sha256(installation salt + ":" + user id), only to count a resident's ideas of the
-- last hour (the rate limit); no query for display reads it. Endorsers are kept by user id to
-- make the button a toggle; screens show only their count.

CREATE TABLE idea_salt (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    salt  TEXT    NOT NULL
);
INSERT INTO idea_salt (id, salt) VALUES (1, lower(hex(randomblob(16))));

CREATE TABLE ideas (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('idea', 'wish')),
    text        TEXT    NOT NULL,
    anonymous   INTEGER NOT NULL,
    author_id   INTEGER REFERENCES users(id),
    author_key  TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'new' CHECK (state IN
                    ('new', 'discussion', 'accepted', 'in_progress', 'done', 'declined', 'merged')),
    reason      TEXT,
    merged_into INTEGER REFERENCES ideas(id),
    poll_id     INTEGER REFERENCES polls(id),
    message_id  INTEGER,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    UNIQUE (chat_id, number),
    CHECK (anonymous = 0 OR author_id IS NULL)
);
CREATE INDEX ideas_author_key ON ideas(author_key, created_at);

CREATE TABLE idea_endorsements (
    idea_id     INTEGER NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (idea_id, user_id)
);

CREATE TABLE idea_volunteers (
    idea_id     INTEGER NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (idea_id, user_id)
);

-- Every state an idea went through (the first row: submitted, from_state NULL).
CREATE TABLE idea_history (
    id          INTEGER PRIMARY KEY,
    idea_id     INTEGER NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    from_state  TEXT,
    to_state    TEXT    NOT NULL,
    reason      TEXT,
    changed_by  INTEGER,  -- the convener; NULL for the submission itself
    at          TEXT    NOT NULL
);
CREATE INDEX idea_history_at ON idea_history(idea_id, at);

-- Ideas put on the agenda of the chat's next meeting (meeting_id set when a meeting takes it).
CREATE TABLE idea_agenda (
    idea_id     INTEGER PRIMARY KEY REFERENCES ideas(id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    added_by    INTEGER NOT NULL,
    added_at    TEXT    NOT NULL,
    meeting_id  INTEGER
);

-- An idea on its way to a group: waiting for the author to pick the group, anonymity, or
-- whether to post despite a similar idea. Deleted once posted or abandoned (after a day).
CREATE TABLE idea_drafts (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    chat_id     INTEGER,
    anonymous   INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL
);
