-- Polls, sign-up chains and owner votes; the household registry they are counted on;
-- who has been seen in which chat (to tell conveners who has not voted yet).

CREATE TABLE members (
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    present     INTEGER NOT NULL DEFAULT 1,
    seen_at     TEXT    NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);

-- The household registry of a community chat. Re-importing updates rows in place
-- (same building/entrance/unit keeps its id, so bindings survive); units missing
-- from a new import are retired, never deleted (past votes still refer to them).
CREATE TABLE households (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    building    TEXT    NOT NULL,
    entrance    TEXT    NOT NULL DEFAULT '',
    unit        TEXT    NOT NULL,
    area        INTEGER NOT NULL,          -- hundredths of a square metre
    owner       TEXT    NOT NULL DEFAULT '',
    developer   INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT    NOT NULL,
    UNIQUE (chat_id, building, entrance, unit)
);

-- Telegram accounts bound to a household (co-owners share it; one person may hold several).
CREATE TABLE household_owners (
    household_id INTEGER NOT NULL REFERENCES households(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    bound_at     TEXT    NOT NULL,
    PRIMARY KEY (household_id, user_id)
);
CREATE INDEX household_owners_user ON household_owners(user_id);

-- One-time binding codes handed out offline; a new code voids the unit's unused ones.
CREATE TABLE bind_codes (
    code         TEXT    PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id) ON DELETE CASCADE,
    created_by   INTEGER NOT NULL,
    created_at   TEXT    NOT NULL,
    used_by      INTEGER,
    used_at      TEXT,
    void         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX bind_codes_household ON bind_codes(household_id);

CREATE TABLE polls (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('proposal', 'single', 'multiple', 'chain', 'owner')),
    question        TEXT    NOT NULL,
    details         TEXT    NOT NULL DEFAULT '',
    max_choices     INTEGER,
    capacity        INTEGER,
    deadline        TEXT,
    anonymous       INTEGER NOT NULL DEFAULT 0,
    secret          INTEGER NOT NULL DEFAULT 0,
    visibility      TEXT    NOT NULL DEFAULT 'live' CHECK (visibility IN ('live', 'voted', 'closed')),
    scope           TEXT    NOT NULL DEFAULT '[]',
    major           INTEGER NOT NULL DEFAULT 0,
    follow_majority INTEGER NOT NULL DEFAULT 0,
    status          TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'final')),
    outcome         TEXT,
    message_id      INTEGER,
    created_by      INTEGER NOT NULL,
    created_at      TEXT    NOT NULL,
    closed_at       TEXT,
    UNIQUE (chat_id, number)
);

CREATE TABLE poll_options (
    poll_id     INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    label       TEXT    NOT NULL,
    PRIMARY KEY (poll_id, position)
);

-- The electorate of an owner vote, fixed when the vote opens.
CREATE TABLE poll_households (
    poll_id      INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    household_id INTEGER NOT NULL REFERENCES households(id),
    PRIMARY KEY (poll_id, household_id)
);

-- Current ballots. ``voter`` is 'u<user id>' for polls and chains, 'h<household id>'
-- for owner votes. ``choices`` is a JSON list of option positions (empty: withdrawn).
CREATE TABLE ballots (
    poll_id      INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    voter        TEXT    NOT NULL,
    user_id      INTEGER NOT NULL,
    household_id INTEGER,
    choices      TEXT    NOT NULL,
    note         TEXT,
    seq          INTEGER NOT NULL,         -- ballot_log id of the latest change
    joined_seq   INTEGER NOT NULL,         -- ballot_log id of the first (sign-up order)
    PRIMARY KEY (poll_id, voter)
);

-- Every change of every ballot, appended and never rewritten. ``source`` is the
-- Telegram callback or update that caused it, so a redelivered update counts once.
CREATE TABLE ballot_log (
    id           INTEGER PRIMARY KEY,
    poll_id      INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    voter        TEXT    NOT NULL,
    user_id      INTEGER NOT NULL,
    household_id INTEGER,
    choices      TEXT    NOT NULL,
    note         TEXT,
    source       TEXT    UNIQUE,
    at           TEXT    NOT NULL
);
CREATE INDEX ballot_log_poll ON ballot_log(poll_id);

-- The current ballots follow the log: each change appended there applies itself here.
CREATE TRIGGER ballot_log_applies AFTER INSERT ON ballot_log BEGIN
    DELETE FROM ballots WHERE poll_id = NEW.poll_id AND voter = NEW.voter AND NEW.choices = '[]';
    INSERT INTO ballots (poll_id, voter, user_id, household_id, choices, note, seq, joined_seq)
        SELECT NEW.poll_id, NEW.voter, NEW.user_id, NEW.household_id, NEW.choices, NEW.note, NEW.id, NEW.id
        WHERE NEW.choices <> '[]'
        ON CONFLICT (poll_id, voter) DO UPDATE SET user_id = excluded.user_id,
            choices = excluded.choices, note = excluded.note, seq = excluded.seq;
END;
