-- 0008: what an entry says of the conference talk it is about (entry.Entry's
-- talk fields). event_start and event_end follow 0001's time convention
-- (UTC text, NULL for none); event_tz is the zone they were given in, so
-- they read back in the talk's own local time: an IANA name, a fixed
-- offset "+09:00", or '' for UTC. speakers is a JSON array of
-- {"name", "affiliation"} objects. Entries stored before have no talk
-- fields and the role every entry had: news.
ALTER TABLE entries ADD COLUMN event_start TEXT;
ALTER TABLE entries ADD COLUMN event_end TEXT;
ALTER TABLE entries ADD COLUMN event_tz TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN speakers TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(speakers));
ALTER TABLE entries ADD COLUMN session TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN track TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN role TEXT NOT NULL DEFAULT 'news';
