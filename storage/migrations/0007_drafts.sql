-- What a person is in the middle of writing, one per kind: a request report ('request'), the
-- group a registry file will go to ('registry_import'). Kept as JSON until finished; dropped
-- when untouched for 30 days. Ideas and events keep their own drafts (0003, 0005): their
-- buttons name a draft by its id, and a person may have several at once.
CREATE TABLE drafts (
    user_id     INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    data        TEXT    NOT NULL CHECK (json_valid(data)),
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (user_id, kind)
) WITHOUT ROWID;
CREATE INDEX drafts_updated_at ON drafts (updated_at);
