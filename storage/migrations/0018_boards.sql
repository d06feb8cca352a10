-- The public board (公示栏): a read-only web page per community, opened by an unguessable link.
-- A convener's /board rotate revokes the community's link and makes a new one; a revoked token
-- is kept (revoked_at set), so an old link is known to be old and answers 404 like any other.

CREATE TABLE board_links (
    token        TEXT    PRIMARY KEY,            -- secrets.token_urlsafe(18): 24 URL-safe characters
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL,
    revoked_at   TEXT
);

-- At most one link of a community works at a time.
CREATE UNIQUE INDEX board_links_live ON board_links (community_id) WHERE revoked_at IS NULL;
