-- 0002: the digest log. A digest is recorded as prepared (with the exact
-- message bytes) before any delivery, marked as being sent just before the
-- SMTP conversation, and as sent only after the server accepted it. So a
-- failed send is retried with the same Message-ID and bytes, and a crash
-- during a send is visible (send_started set, sent NULL, no error).
CREATE TABLE digests (
	id           TEXT PRIMARY KEY,
	period_start TEXT,                       -- NULL: from the beginning
	period_end   TEXT    NOT NULL,
	created      TEXT    NOT NULL,
	message_id   TEXT    NOT NULL UNIQUE,
	subject      TEXT    NOT NULL,
	message      BLOB    NOT NULL,           -- the RFC 5322 bytes, resent verbatim
	html         TEXT    NOT NULL DEFAULT '',
	text         TEXT    NOT NULL DEFAULT '',
	send_started TEXT,                       -- set while a delivery is in progress
	sent         TEXT,                       -- the server accepted it (or it was written out)
	delivered_to TEXT    NOT NULL DEFAULT '', -- "smtp host:port" or a file path
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX digests_sent ON digests (sent);

-- Which entries each digest carried: an entry in no digest is still to be
-- sent, whatever its first_seen, so nothing falls between two digests.
CREATE TABLE digest_entries (
	digest_id TEXT NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
	entry_id  TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
	PRIMARY KEY (digest_id, entry_id)
) STRICT;

CREATE INDEX digest_entries_entry ON digest_entries (entry_id);
