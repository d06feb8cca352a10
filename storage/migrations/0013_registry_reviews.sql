-- Registry reviews (业主信息公示): before a vote, a convener publishes the registry of its
-- scope (areas, owners' names masked) for the owners to check; an owner disputes their
-- unit's entry privately and a convener resolves the dispute with a note. Once a community
-- has published a review, every change an import makes to its registry is logged, so a
-- vote's result can show what changed after the owners checked it.

CREATE TABLE registry_reviews (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    chat_id      INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    number       INTEGER NOT NULL,                -- #1, #2 ... within the community
    scope        TEXT    NOT NULL DEFAULT '[]',   -- JSON items ("6", "6-2"); [] the whole registry
    published_by INTEGER NOT NULL,
    published_at TEXT    NOT NULL,
    UNIQUE (community_id, number)
);
CREATE INDEX registry_reviews_community ON registry_reviews (community_id, published_at);

CREATE TABLE registry_disputes (
    id           INTEGER PRIMARY KEY,
    review_id    INTEGER NOT NULL REFERENCES registry_reviews(id) ON DELETE CASCADE,
    household_id INTEGER NOT NULL REFERENCES households(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    reason       TEXT    NOT NULL CHECK (reason IN ('area', 'not_mine', 'co_owner', 'other')),
    note         TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
    resolution   TEXT,
    resolved_by  INTEGER,
    resolved_at  TEXT,
    created_at   TEXT    NOT NULL
);
CREATE INDEX registry_disputes_review ON registry_disputes (review_id, state);
CREATE INDEX registry_disputes_user ON registry_disputes (user_id);

-- What an import changed in a unit after the community's first review: field is area,
-- owner, developer (values as stored: centi-m², the name, 0/1), added or retired (the unit
-- listed again or no longer listed; the value is its area). Append-only.
CREATE TABLE registry_changes (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    household_id INTEGER NOT NULL REFERENCES households(id) ON DELETE CASCADE,
    field        TEXT    NOT NULL CHECK (field IN ('area', 'owner', 'developer', 'added', 'retired')),
    old          TEXT,
    new          TEXT,
    by           INTEGER,                         -- who imported; NULL: not known
    at           TEXT    NOT NULL
);
CREATE INDEX registry_changes_community ON registry_changes (community_id, at);
