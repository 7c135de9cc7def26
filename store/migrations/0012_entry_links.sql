-- 0012: the traces of one talk (normalize/talks): pairs of entries of
-- different sources of one conference, a < b, each pair once. The pipeline
-- replaces a conference's pairs whole when its entries change; links never
-- touch the entries' ids. score and evidence say why the pair was made.
CREATE TABLE entry_links (
    conference TEXT NOT NULL,
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    score REAL NOT NULL DEFAULT 0,
    evidence TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (a, b),
    CHECK (a < b)
) WITHOUT ROWID;
CREATE INDEX entry_links_b ON entry_links (b);
CREATE INDEX entry_links_conference ON entry_links (conference);
