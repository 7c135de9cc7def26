-- 0001: sources, entries and the duplicate record.
--
-- Conventions (later migrations keep them):
--   * Times are TEXT in UTC, fixed width: 2006-01-02T15:04:05.000000000Z.
--     Fixed width makes text order equal time order, so comparisons and
--     ORDER BY work on the column directly; NULL is Go's zero time.
--   * Lists (authors, tags) are JSON arrays of strings, never NULL.
--   * STRICT tables: a value of the wrong type is an error, not a conversion.
-- The store runs each file once, in a transaction, and sets user_version to
-- the file's number; a new feature (the digest log) is a new file 0002_*.sql.

-- 'ndig': marks the file as netdigest's, so that Open can refuse another
-- program's SQLite database instead of adding tables to it.
PRAGMA application_id = 1852074343;

-- What is remembered of a source between fetches (store.SourceState).
CREATE TABLE sources (
	name          TEXT PRIMARY KEY,
	url           TEXT    NOT NULL DEFAULT '',
	etag          TEXT    NOT NULL DEFAULT '',
	last_modified TEXT    NOT NULL DEFAULT '', -- the HTTP validator, verbatim
	last_fetch    TEXT,
	last_success  TEXT,
	last_error    TEXT    NOT NULL DEFAULT '',
	failures      INTEGER NOT NULL DEFAULT 0,  -- consecutive
	next_try      TEXT,
	permanent_url TEXT    NOT NULL DEFAULT '',
	gone          INTEGER NOT NULL DEFAULT 0 CHECK (gone IN (0, 1))
) STRICT;

-- One row per entry.Entry. published is never NULL: the store sets it to
-- first_seen when the item had no date, so an undated item keeps its place.
CREATE TABLE entries (
	id           TEXT PRIMARY KEY,
	guid         TEXT NOT NULL DEFAULT '',
	source       TEXT NOT NULL REFERENCES sources (name),
	link         TEXT NOT NULL DEFAULT '',  -- canonical; '' when the item had none
	title        TEXT NOT NULL DEFAULT '',
	authors      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(authors)),
	published    TEXT NOT NULL,
	updated      TEXT NOT NULL,
	first_seen   TEXT NOT NULL,
	content      TEXT NOT NULL DEFAULT '',
	summary      TEXT NOT NULL DEFAULT '',
	tags         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
	conference   TEXT NOT NULL DEFAULT '',
	content_hash TEXT NOT NULL DEFAULT ''
) STRICT;

-- Cross-source dedupe looks entries up by canonical link.
CREATE INDEX entries_link ON entries (link);
-- The digest reads what arrived since its last run.
CREATE INDEX entries_first_seen ON entries (first_seen);
-- Latest: newest first by the sort date (published), ties by first_seen, id.
CREATE INDEX entries_sort ON entries (published DESC, first_seen DESC, id DESC);

-- Another source (or the same source under another GUID) also carried the
-- canonical link of entry_id. The first source's entry is the one kept; this
-- records who else had it and since when.
CREATE TABLE entry_duplicates (
	entry_id   TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
	source     TEXT NOT NULL REFERENCES sources (name),
	link       TEXT NOT NULL,
	first_seen TEXT NOT NULL,
	PRIMARY KEY (entry_id, source)
) STRICT;
