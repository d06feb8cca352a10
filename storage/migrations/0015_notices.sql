-- Notices (公示): announcements to everyone (fee changes, accounts, maintenance-fund spending),
-- with the photos or the PDF they carry and the residents' read receipts (已阅).
--
-- A notice is written as a draft in the chat it will be posted in; it gets its number
-- (#1, #2 ... within the community) when it is posted. Every text it had is kept in
-- notice_versions, append-only: version 1 as written, one more per edit, with who and when.

CREATE TABLE notices (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    chat_id      INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    number       INTEGER,                          -- NULL until posted
    status       TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'posted', 'cancelled')),
    attaching    INTEGER NOT NULL DEFAULT 0,       -- the author's next photos or PDF in the chat join it
    thread_id    INTEGER,                          -- the forum topic it was written in
    preview_id   INTEGER,                          -- the draft's preview message
    message_id   INTEGER,                          -- the card
    pinned       INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER NOT NULL REFERENCES users(id),
    created_at   TEXT    NOT NULL,
    posted_at    TEXT,
    UNIQUE (community_id, number)
);
CREATE INDEX notices_drafts ON notices (chat_id, created_by) WHERE status = 'draft';
CREATE INDEX notices_message ON notices (chat_id, message_id);

CREATE TABLE notice_versions (
    notice_id   INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,                  -- 1, 2 ... the latest is the current text
    title       TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    written_by  INTEGER NOT NULL REFERENCES users(id),
    written_at  TEXT    NOT NULL,
    PRIMARY KEY (notice_id, version)
);

-- Telegram file ids: up to ten photos (sent as an album) and one PDF.
CREATE TABLE notice_files (
    notice_id      INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('photo', 'pdf')),
    file_id        TEXT    NOT NULL,
    file_unique_id TEXT    NOT NULL,
    file_name      TEXT,
    added_at       TEXT    NOT NULL,
    PRIMARY KEY (notice_id, position),
    UNIQUE (notice_id, file_unique_id)
);

-- One read receipt per person and notice; an edit keeps them.
CREATE TABLE notice_reads (
    notice_id   INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    read_at     TEXT    NOT NULL,
    PRIMARY KEY (notice_id, user_id)
);
