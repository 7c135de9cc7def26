-- 0010: when the mail server refused a digest permanently (a 5xx reply,
-- kept in last_error). Such a digest is not pending: retrying would fail
-- the same way and block every later digest. Its entries stay claimed by
-- it (its archive page shows them); the next digest links to that page.
ALTER TABLE digests ADD COLUMN rejected TEXT;
