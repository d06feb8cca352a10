-- Notices of owner votes (送达): when an owner vote opens, each bound owner of a household in
-- its electorate whom the bot may write to is sent the vote's notice privately, with a 收到
-- button. One row per vote and person, listing the electorate's households the person owned
-- when it was sent (JSON ids), so a notice counts for them even if the binding changes later.
--
-- The row is written before the notice is sent (claimed_at): an update handled again after a
-- crash finds it and never sends a second notice. sent_at and message_id once Telegram took
-- it; failed: why it did not go out ('blocked', or Telegram's reason). A row claimed but neither
-- sent nor failed was interrupted by a crash: its households count as not reached (to visit).
-- confirmed_at: when the person pressed 收到 (once).

CREATE TABLE vote_notices (
    poll_id       INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    household_ids TEXT    NOT NULL DEFAULT '[]',
    claimed_at    TEXT    NOT NULL,
    sent_at       TEXT,
    message_id    INTEGER,
    confirmed_at  TEXT,
    failed        TEXT,
    PRIMARY KEY (poll_id, user_id)
) WITHOUT ROWID;
