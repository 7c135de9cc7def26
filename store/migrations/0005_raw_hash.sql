-- 0005: the raw hash of the parsed item each entry was made from
-- (entry.Entry.RawHash; '' for entries stored before). A source's changed
-- document is parsed, but the items whose raw hash is stored for that
-- source are not normalized again: the index, covering, answers "which raw
-- hashes does this source have" without reading the entries' bodies.
ALTER TABLE entries ADD COLUMN raw_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX entries_source_raw ON entries (source, raw_hash, id);
