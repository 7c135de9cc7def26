-- 0011: the full-text index of entries (store.Search). External content:
-- the index reads its text from the entries table by rowid instead of
-- keeping a copy, so it adds only the index itself to the file (about a
-- tenth of the store). Indexed: the title, the plain-text
-- summary, authors and tags (JSON arrays: the tokenizer drops the
-- punctuation), the conference and the source's name; not the HTML content,
-- whose tags and URLs would be noise and would double the index (the summary
-- is its first sentences as text).
--
-- The rowid ties the index to entries: keep the entries table's rows (never
-- rebuild it by copying into a new table), or end the migration that does
-- with INSERT INTO entries_fts (entries_fts) VALUES ('rebuild'). VACUUM and
-- VACUUM INTO (backups) keep rowids.
--
-- porter: "offloads" finds "offload". remove_diacritics 2: "Jesper Brouer"
-- is found whether or not a name was typed with its accents.
CREATE VIRTUAL TABLE entries_fts USING fts5 (
	title, summary, authors, tags, conference, source,
	content = 'entries',
	tokenize = 'porter unicode61 remove_diacritics 2'
);

-- New entries are indexed by SaveFetch in one statement at the end of its
-- transaction (store.indexNewSQL), not by a trigger: FTS5 writes its pending
-- terms out at every statement savepoint, so a trigger made one index
-- segment per entry, and merging them doubled the cost of storing new
-- entries. Updates and deletes, rare, are kept in step by triggers,
-- whoever writes them.
CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, title, summary, authors, tags, conference, source)
	VALUES ('delete', old.rowid, old.title, old.summary, old.authors, old.tags, old.conference, old.source);
END;

-- Only writes of indexed columns touch the index: SaveFetch's bookkeeping
-- updates (norm_version, raw_hash) do not.
CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, summary, authors, tags, conference, source ON entries BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, title, summary, authors, tags, conference, source)
	VALUES ('delete', old.rowid, old.title, old.summary, old.authors, old.tags, old.conference, old.source);
	INSERT INTO entries_fts (rowid, title, summary, authors, tags, conference, source)
	VALUES (new.rowid, new.title, new.summary, new.authors, new.tags, new.conference, new.source);
END;

-- A store from before this step: index the entries it holds.
INSERT INTO entries_fts (entries_fts) VALUES ('rebuild');
