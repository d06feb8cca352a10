-- Rating the property service (物业服务评价): a survey per community and quarter, opened by a
-- convener or on a schedule, rated per household (bound owners; the latest answer of its owners
-- counts) or per resident; one current answer per voter and dimension, changed freely while the
-- survey is open. Comments are kept WITHOUT their author: who wrote what is never stored.

CREATE TABLE rating_surveys (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    chat_id      INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    number       INTEGER NOT NULL,                 -- #1, #2 ... within the community
    quarter      TEXT    NOT NULL,                 -- "2026-Q4"
    rater        TEXT    NOT NULL DEFAULT 'household' CHECK (rater IN ('household', 'resident')),
    dimensions   TEXT    NOT NULL,                 -- JSON keys ("cleaning") or names as written
    threshold    TEXT    NOT NULL DEFAULT '7/2',   -- the red list's threshold, an exact fraction
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    opened_by    INTEGER,                          -- NULL: opened by the schedule
    opened_at    TEXT    NOT NULL,
    closes_at    TEXT    NOT NULL,
    closed_at    TEXT,
    message_id   INTEGER,
    UNIQUE (community_id, number),
    UNIQUE (community_id, quarter)
);
CREATE INDEX rating_surveys_message ON rating_surveys (chat_id, message_id);

CREATE TABLE rating_answers (
    survey_id   INTEGER NOT NULL REFERENCES rating_surveys(id) ON DELETE CASCADE,
    voter       TEXT    NOT NULL,                  -- "h<household>" or "u<user>"
    user_id     INTEGER NOT NULL,                  -- who answered last (never shown)
    dimension   TEXT    NOT NULL,
    score       INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    at          TEXT    NOT NULL,
    PRIMARY KEY (survey_id, voter, dimension)
);

CREATE TABLE rating_comments (
    id          INTEGER PRIMARY KEY,
    survey_id   INTEGER NOT NULL REFERENCES rating_surveys(id) ON DELETE CASCADE,
    text        TEXT    NOT NULL,
    at          TEXT    NOT NULL
);
CREATE INDEX rating_comments_survey ON rating_comments (survey_id);

-- A community's choices for its next surveys.
CREATE TABLE rating_settings (
    community_id INTEGER PRIMARY KEY REFERENCES communities(id) ON DELETE CASCADE,
    rater        TEXT    NOT NULL DEFAULT 'household' CHECK (rater IN ('household', 'resident')),
    dimensions   TEXT,                             -- JSON; NULL: the defaults
    threshold    TEXT    NOT NULL DEFAULT '7/2',
    updated_at   TEXT    NOT NULL
);
