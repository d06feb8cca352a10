-- Messages the bot keeps up to date (a poll's tally, an idea's or an event's card).
-- live_messages: what each showed when last sent or edited, as a digest of its text and
-- keyboard, so an edit that would change nothing is never sent.
-- live_pending: changes not shown yet, by key ("poll:12"); the bot shows them at start-up
-- when it stopped before it could.

CREATE TABLE live_messages (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    digest      TEXT    NOT NULL,
    shown_at    TEXT    NOT NULL,
    PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;

CREATE TABLE live_pending (
    key         TEXT    PRIMARY KEY,
    since       TEXT    NOT NULL
) WITHOUT ROWID;
