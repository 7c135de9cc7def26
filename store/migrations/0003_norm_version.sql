-- 0003: the version of normalize's output rules that made each entry's
-- content, summary and content_hash (entry.Entry.NormVersion). When a newer
-- netdigest renders the same item differently, the hash differs although the
-- source did not change; knowing the stored version, SaveFetch rewrites such
-- an entry without marking it updated instead of sending a wave of "updated"
-- entries to every reader. Entries stored before this step were made by the
-- rules numbered 1.
ALTER TABLE entries ADD COLUMN norm_version INTEGER NOT NULL DEFAULT 1;
