-- 0007: mark the store as netdigest's ('ndig', as 0001 does) when it lost
-- the mark (rebuilt from a dump): Open accepted it because its schema is
-- netdigest's, and from now on recognises it by the mark alone.
PRAGMA application_id = 1852074343;
