-- Forum topics: the topic of a group where a feature's messages go ("poll:12", "event:3",
-- "ideas"), so reminders, results and digests follow the conversation they belong to.
-- No row: the group's General topic (or a group without topics).

CREATE TABLE topics (
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    subject     TEXT    NOT NULL,
    thread_id   INTEGER NOT NULL,
    PRIMARY KEY (chat_id, subject)
) WITHOUT ROWID;
