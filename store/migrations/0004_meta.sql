-- 0004: what the store remembers about itself, by key. 'quick_check' is
-- when PRAGMA quick_check last found the file sound (store time text): Open
-- runs that full read only when it is a day old, not at every start.
CREATE TABLE store_meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
