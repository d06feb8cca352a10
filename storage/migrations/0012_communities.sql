-- yishi: foreign keys off
-- Communities (小区): a name and a time zone, owning the registry, roles, votes, ideas,
-- requests, events, meetings and action items. Chats are linked to one community each, as
-- its main group, a building group (of some buildings) or its committee group.
--
-- Every group the bot served (and any chat that owns rows) becomes a community of that one
-- chat, its main group, keeping its name and time zone; every row it owned moves to that
-- community with its number, state and history. The owned tables keep ``chat_id``: the chat an item was started in,
-- where its first card is. Numbers (#1, #2 ...) now run per community. Requests, numbered
-- by their row id until now, keep that number; new ones continue after the highest.
--
-- SQLite cannot change a table's constraints in place: each owned table is made again and
-- its rows copied (foreign keys are off meanwhile and checked before this commits).

CREATE TABLE communities (
    id          INTEGER PRIMARY KEY,
    name        TEXT,                            -- NULL: not named, the main group's title is shown
    tz          TEXT,                            -- NULL: the installation's time zone
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE community_chats (
    chat_id      INTEGER PRIMARY KEY REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    role         TEXT    NOT NULL CHECK (role IN ('main', 'building', 'committee')),
    buildings    TEXT    NOT NULL DEFAULT '[]',  -- JSON labels ("6", "6-2") of a building group
    linked_by    INTEGER,
    linked_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX community_chats_main ON community_chats (community_id) WHERE role = 'main';
CREATE INDEX community_chats_community ON community_chats (community_id);

-- One-time codes a main group's convener hands to another chat to link it.
CREATE TABLE link_codes (
    code         TEXT    PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    role         TEXT    NOT NULL CHECK (role IN ('building', 'committee')),
    buildings    TEXT    NOT NULL DEFAULT '[]',
    created_by   INTEGER NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    used_by_chat INTEGER,
    used_at      TEXT
);

-- Where a vote, idea, request or event is shown besides its first card (kind, item_id:
-- "poll", 12), so every change is shown in each of them.
CREATE TABLE posts (
    kind        TEXT    NOT NULL CHECK (kind IN ('poll', 'idea', 'request', 'event')),
    item_id     INTEGER NOT NULL,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    message_id  INTEGER NOT NULL,
    posted_at   TEXT    NOT NULL,
    PRIMARY KEY (kind, item_id, chat_id)
);
CREATE INDEX posts_message ON posts (chat_id, message_id);

INSERT INTO community_chats (chat_id, community_id, role, linked_at)
    SELECT id, row_number() OVER (ORDER BY created_at, id), 'main', created_at
    FROM chats
    WHERE (kind != 'private' OR id IN (SELECT chat_id FROM polls
                                       UNION SELECT chat_id FROM ideas
                                       UNION SELECT chat_id FROM requests
                                       UNION SELECT chat_id FROM events
                                       UNION SELECT chat_id FROM meetings
                                       UNION SELECT chat_id FROM households
                                       UNION SELECT chat_id FROM roles));
INSERT INTO communities (id, name, tz, created_at, updated_at)
    SELECT cc.community_id, nullif(c.community, ''), c.tz, c.created_at, c.updated_at
    FROM community_chats cc JOIN chats c ON c.id = cc.chat_id;

-- The community a person chose to act for in private, when they belong to several.
ALTER TABLE users ADD COLUMN community_id INTEGER REFERENCES communities(id) ON DELETE SET NULL;

ALTER TABLE chats DROP COLUMN community;
ALTER TABLE chats DROP COLUMN tz;

CREATE TABLE new_roles (
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    role        TEXT    NOT NULL,
    building    TEXT    NOT NULL DEFAULT '',
    granted_by  INTEGER,
    granted_at  TEXT    NOT NULL,
    PRIMARY KEY (community_id, user_id, role)
);
INSERT INTO new_roles SELECT cc.community_id, r.user_id, r.role, r.building, r.granted_by, r.granted_at
    FROM roles r JOIN community_chats cc ON cc.chat_id = r.chat_id;
DROP TABLE roles;
ALTER TABLE new_roles RENAME TO roles;

CREATE TABLE new_households (
    id          INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    building    TEXT    NOT NULL,
    entrance    TEXT    NOT NULL DEFAULT '',
    unit        TEXT    NOT NULL,
    area        INTEGER NOT NULL,          -- hundredths of a square metre
    owner       TEXT    NOT NULL DEFAULT '',
    developer   INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT    NOT NULL,
    UNIQUE (community_id, building, entrance, unit)
);
INSERT INTO new_households SELECT h.id, cc.community_id, h.building, h.entrance, h.unit, h.area,
        h.owner, h.developer, h.active, h.updated_at
    FROM households h JOIN community_chats cc ON cc.chat_id = h.chat_id;
DROP TABLE households;
ALTER TABLE new_households RENAME TO households;

CREATE TABLE new_polls (
    id              INTEGER PRIMARY KEY,
    community_id    INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
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
    UNIQUE (community_id, number)
);
INSERT INTO new_polls SELECT p.id, cc.community_id, p.chat_id, p.number, p.kind, p.question, p.details,
        p.max_choices, p.capacity, p.deadline, p.anonymous, p.secret, p.visibility, p.scope, p.major,
        p.follow_majority, p.status, p.outcome, p.message_id, p.created_by, p.created_at, p.closed_at
    FROM polls p JOIN community_chats cc ON cc.chat_id = p.chat_id;
DROP TABLE polls;
ALTER TABLE new_polls RENAME TO polls;
CREATE INDEX polls_message ON polls (chat_id, message_id);

CREATE TABLE new_ideas (
    id          INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
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
    UNIQUE (community_id, number),
    CHECK (anonymous = 0 OR author_id IS NULL)
);
INSERT INTO new_ideas SELECT i.id, cc.community_id, i.chat_id, i.number, i.kind, i.text, i.anonymous,
        i.author_id, i.author_key, i.state, i.reason, i.merged_into, i.poll_id, i.message_id,
        i.created_at, i.updated_at
    FROM ideas i JOIN community_chats cc ON cc.chat_id = i.chat_id;
DROP TABLE ideas;
ALTER TABLE new_ideas RENAME TO ideas;
CREATE INDEX ideas_author_key ON ideas(author_key, created_at);

CREATE TABLE new_idea_agenda (
    idea_id     INTEGER PRIMARY KEY REFERENCES ideas(id) ON DELETE CASCADE,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    added_by    INTEGER NOT NULL,
    added_at    TEXT    NOT NULL,
    meeting_id  INTEGER
);
INSERT INTO new_idea_agenda SELECT a.idea_id, cc.community_id, a.added_by, a.added_at, a.meeting_id
    FROM idea_agenda a JOIN community_chats cc ON cc.chat_id = a.chat_id;
DROP TABLE idea_agenda;
ALTER TABLE new_idea_agenda RENAME TO idea_agenda;

CREATE TABLE new_requests (
    id              INTEGER PRIMARY KEY,
    community_id    INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    chat_id         INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    reporter_id     INTEGER NOT NULL REFERENCES users(id),
    category        TEXT    NOT NULL,
    text            TEXT    NOT NULL,
    photo           TEXT,                         -- Telegram file_id
    public          INTEGER NOT NULL DEFAULT 0,   -- the group may see it (without the name)
    state           TEXT    NOT NULL DEFAULT 'reported',
    assignee_id     INTEGER REFERENCES users(id),
    assignee_role   TEXT,
    escalated       INTEGER NOT NULL DEFAULT 0,
    escalation_note TEXT,
    resolution      TEXT,
    rating          INTEGER CHECK (rating BETWEEN 1 AND 5),
    created_at      TEXT    NOT NULL,
    respond_by      TEXT    NOT NULL,
    resolve_by      TEXT    NOT NULL,
    accepted_at     TEXT,
    resolved_at     TEXT,
    closed_at       TEXT,
    UNIQUE (community_id, number)
);
INSERT INTO new_requests SELECT q.id, cc.community_id, q.chat_id, q.id, q.reporter_id, q.category, q.text,
        q.photo, q.public, q.state, q.assignee_id, q.assignee_role, q.escalated, q.escalation_note,
        q.resolution, q.rating, q.created_at, q.respond_by, q.resolve_by, q.accepted_at, q.resolved_at,
        q.closed_at
    FROM requests q JOIN community_chats cc ON cc.chat_id = q.chat_id;
DROP TABLE requests;
ALTER TABLE new_requests RENAME TO requests;
CREATE INDEX requests_community ON requests (community_id, state);
CREATE INDEX requests_reporter ON requests (reporter_id, created_at);
CREATE INDEX requests_assignee ON requests (assignee_id, state);

CREATE TABLE new_events (
    id          INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    number      INTEGER NOT NULL,                 -- #1, #2 ... within the community
    kind        TEXT    NOT NULL,                 -- talk | reception
    title       TEXT    NOT NULL,
    place       TEXT,
    hosts       TEXT,
    start_at    TEXT    NOT NULL,                 -- the first occurrence (UTC)
    duration_s  INTEGER,
    rrule       TEXT,                             -- RFC 5545 rule in tz wall time; NULL = one-off
    tz          TEXT    NOT NULL,
    reminders   TEXT,                             -- JSON seconds before; NULL = the chat's default
    status      TEXT    NOT NULL DEFAULT 'active',  -- active | cancelled (the whole series)
    reason      TEXT,
    message_id  INTEGER,
    created_by  INTEGER,
    created_at  TEXT    NOT NULL,
    uid         TEXT,
    UNIQUE (community_id, number)
);
INSERT INTO new_events SELECT e.id, cc.community_id, e.chat_id, e.number, e.kind, e.title, e.place, e.hosts,
        e.start_at, e.duration_s, e.rrule, e.tz, e.reminders, e.status, e.reason, e.message_id,
        e.created_by, e.created_at, e.uid
    FROM events e JOIN community_chats cc ON cc.chat_id = e.chat_id;
DROP TABLE events;
ALTER TABLE new_events RENAME TO events;
CREATE UNIQUE INDEX events_uid ON events (uid);

CREATE TABLE new_meetings (
    id          INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    number      INTEGER NOT NULL,                 -- #1, #2 ... within the community
    kind        TEXT    NOT NULL,                 -- talk | council | reception | briefing
    title       TEXT,
    place       TEXT,
    event_id    INTEGER REFERENCES events(id) ON DELETE SET NULL,
    chair_id    INTEGER NOT NULL,
    chair_name  TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'open',  -- open | closed
    closed_by   TEXT,                             -- 'chair' | 'auto'
    started_at  TEXT    NOT NULL,
    ended_at    TEXT,
    UNIQUE (community_id, number)
);
INSERT INTO new_meetings SELECT m.id, cc.community_id, m.chat_id, m.number, m.kind, m.title, m.place,
        m.event_id, m.chair_id, m.chair_name, m.status, m.closed_by, m.started_at, m.ended_at
    FROM meetings m JOIN community_chats cc ON cc.chat_id = m.chat_id;
DROP TABLE meetings;
ALTER TABLE new_meetings RENAME TO meetings;
-- A meeting is recorded in one chat: one open meeting per chat (the committee may meet while
-- the main group holds a talk).
CREATE UNIQUE INDEX meetings_one_open ON meetings (chat_id) WHERE status = 'open';

CREATE TABLE new_action_items (
    id          INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    number      INTEGER NOT NULL,                 -- #1, #2 ... within the community
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    owner_id    INTEGER,                          -- a member; NULL for a role or a bare name
    owner_role  TEXT,                             -- e.g. property_manager
    owner_name  TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    due_at      TEXT,
    status      TEXT    NOT NULL DEFAULT 'open',  -- open | done | blocked | dropped (undone)
    note        TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    UNIQUE (community_id, number)
);
INSERT INTO new_action_items SELECT a.id, cc.community_id, a.chat_id, a.number, a.meeting_id, a.owner_id,
        a.owner_role, a.owner_name, a.text, a.due_at, a.status, a.note, a.created_at, a.updated_at
    FROM action_items a JOIN community_chats cc ON cc.chat_id = a.chat_id;
DROP TABLE action_items;
ALTER TABLE new_action_items RENAME TO action_items;
CREATE INDEX action_items_community ON action_items (community_id, status);
