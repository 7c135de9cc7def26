-- 0006: what the source's own feed says of itself (Atom id, title,
-- alternate link), for the <source> element of the entries it gave: the
-- outputs name the origin feed, never the URL it was fetched from (which may
-- carry a password or a token). '' when the feed had none or was not
-- fetched since.
ALTER TABLE sources ADD COLUMN feed_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN feed_title TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN feed_link TEXT NOT NULL DEFAULT '';
