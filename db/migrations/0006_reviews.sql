-- Human evaluation studies (issue 8). A study judges rationales from one or more sources (a student, a teacher)
-- on criteria, either one rationale at a time or two side by side (blind pairwise A/B). Its items are fixed when
-- it is created; every label is one row written the moment it is given.
CREATE TABLE studies (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    mode        TEXT NOT NULL CHECK (mode IN ('single', 'pairwise')),
    config      TEXT NOT NULL,                -- JSON: sources, criteria, sampling (tasks, split, size, seed, strata), hide_gold
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- One thing to judge: a rationale (single) or two rationales of the same instance (pairwise; A is from the
-- study's first source, B from its second; which one shows on the left is decided per annotator, not stored).
CREATE TABLE study_items (
    id          INTEGER PRIMARY KEY,
    study_id    INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,             -- 0-based order in which annotators see the items
    instance_id INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    rationale_a INTEGER NOT NULL REFERENCES rationales (id) ON DELETE CASCADE,
    source_a    INTEGER NOT NULL,             -- index into the config's sources
    rationale_b INTEGER REFERENCES rationales (id) ON DELETE CASCADE,
    source_b    INTEGER,
    stratum     TEXT NOT NULL DEFAULT '',     -- the sampling stratum (task and/or correctness) the item came from
    UNIQUE (study_id, position)
);

CREATE TABLE study_annotators (
    id          INTEGER PRIMARY KEY,
    study_id    INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,   -- the item the annotator was on last (where labelling resumes)
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (study_id, name)
);

-- Values are the scale's own: yes/no, 1..5, or a/b/tie in terms of the item's A and B (never left/right).
CREATE TABLE study_labels (
    item_id      INTEGER NOT NULL REFERENCES study_items (id) ON DELETE CASCADE,
    annotator_id INTEGER NOT NULL REFERENCES study_annotators (id) ON DELETE CASCADE,
    criterion    TEXT NOT NULL,
    value        TEXT NOT NULL,
    labelled_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (item_id, annotator_id, criterion)
) WITHOUT ROWID;

CREATE TABLE study_comments (
    item_id      INTEGER NOT NULL REFERENCES study_items (id) ON DELETE CASCADE,
    annotator_id INTEGER NOT NULL REFERENCES study_annotators (id) ON DELETE CASCADE,
    comment      TEXT NOT NULL,
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (item_id, annotator_id)
) WITHOUT ROWID;
