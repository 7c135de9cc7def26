-- 0009: exactly once across processes. digest_entries keeps saying which
-- entries each digest carried (a -since re-send carries entries again);
-- digest_claims says which one digest an entry is *owed to*: its primary
-- key is the guard that two processes preparing digests at once cannot
-- both take an entry. A store from before holds entries carried twice (by
-- -since re-sends): each is claimed by the first digest that carried it.
CREATE TABLE digest_claims (
	entry_id  TEXT PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
	digest_id TEXT NOT NULL REFERENCES digests (id) ON DELETE CASCADE
) STRICT;

CREATE INDEX digest_claims_digest ON digest_claims (digest_id);

INSERT INTO digest_claims (entry_id, digest_id)
SELECT entry_id, digest_id FROM (
	SELECT de.entry_id, de.digest_id, MIN(d.created || ' ' || d.id)
	FROM digest_entries de JOIN digests d ON d.id = de.digest_id
	GROUP BY de.entry_id
);

-- The process that prepared or is delivering a digest, and until when that
-- claim holds unless renewed. A digest whose owner is alive is not "in
-- doubt": it is being sent. NULL owner_until: nobody holds it.
ALTER TABLE digests ADD COLUMN owner_pid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE digests ADD COLUMN owner_host TEXT NOT NULL DEFAULT '';
ALTER TABLE digests ADD COLUMN owner_until TEXT;

-- Leases: one process at a time does a job on this store (name 'fetch':
-- the fetch cycles of run, fetch and serve). A lease past its expiry, or
-- whose owner process is gone from this host, is free to take.
CREATE TABLE leases (
	name       TEXT PRIMARY KEY,
	owner_pid  INTEGER NOT NULL,
	owner_host TEXT    NOT NULL,
	acquired   TEXT    NOT NULL,
	expires    TEXT    NOT NULL
) STRICT;
