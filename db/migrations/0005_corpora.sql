-- Training corpora (issue 6): a saved recipe (JSON, docs/corpus.md) and the rationales it selected, with the
-- counts left after each of its steps. A clean step that cut a rationale keeps the cut text here; the stored
-- rationale is never changed.

CREATE TABLE corpora (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    recipe      TEXT NOT NULL,
    steps       TEXT NOT NULL,      -- JSON array: per step, instances, rationales, judged, correct, characters left
    instances   INTEGER NOT NULL,
    rationales  INTEGER NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE corpus_rationales (
    corpus_id    INTEGER NOT NULL REFERENCES corpora (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,  -- order within the corpus (by instance, then as selected)
    rationale_id INTEGER NOT NULL REFERENCES rationales (id) ON DELETE CASCADE,
    text         TEXT,              -- the cut text, when a clean step cut it
    PRIMARY KEY (corpus_id, position)
) WITHOUT ROWID;
CREATE INDEX corpus_rationales_rationale ON corpus_rationales (rationale_id);
