-- Every update as Telegram sent it, written before Telegram is told it arrived (long polling:
-- before the next getUpdates confirms it; webhook: before the 200). An update is marked handled
-- once the bot has dealt with it; at start-up the unhandled ones are handled first, in order.
-- Handled rows are kept a day, so an update Telegram delivers again is known and dropped.
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    body        TEXT    NOT NULL,                 -- the update's JSON
    received_at TEXT    NOT NULL,
    handled_at  TEXT
);
CREATE INDEX inbox_unhandled ON inbox (update_id) WHERE handled_at IS NULL;

-- What one update or button press created, under its key ('u<update_id>', 'q<callback id>'),
-- so that handling it again after a crash finds the same thing instead of making another.
CREATE TABLE acts (
    key       TEXT    PRIMARY KEY,
    result    INTEGER NOT NULL,                   -- the id of what was created, or the toggle's outcome
    at        TEXT    NOT NULL
);

-- The messages sent within the last minute, by chat, when the bot stopped: started again at
-- once, it counts them in its flood-control windows instead of sending what Telegram refuses.
CREATE TABLE recent_sends (
    chat_id TEXT NOT NULL,
    at      REAL NOT NULL                             -- Unix time the send landed
);
