-- Receipts and a hash chain for the ballot log, and the bulletins published at close.
--
-- ``receipt``: the code a household was given, privately, for the ballot (one press, one code,
-- the same for every unit it was cast for). ``hash``: SHA-256 over the row and the hash of the
-- vote's row before it (docs/bulletin.md), so a row edited or deleted later breaks the chain.
-- Rows written before this release get their hash when their vote's chain is next sealed.
ALTER TABLE ballot_log ADD COLUMN receipt TEXT;
ALTER TABLE ballot_log ADD COLUMN hash TEXT;
CREATE INDEX ballot_log_receipt ON ballot_log(receipt) WHERE receipt IS NOT NULL;

CREATE TABLE bulletins (
    poll_id     INTEGER PRIMARY KEY REFERENCES polls(id) ON DELETE CASCADE,
    body        TEXT    NOT NULL,  -- the bulletin's JSON, exactly as published
    sha256      TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
