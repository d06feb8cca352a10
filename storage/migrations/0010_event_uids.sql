-- Each event's iCalendar UID: random, so two installations never give calendars the same one.
ALTER TABLE events ADD COLUMN uid TEXT;
UPDATE events SET uid = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX events_uid ON events (uid);
