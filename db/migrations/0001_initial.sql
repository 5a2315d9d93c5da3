-- CoTLab workspace schema, version 1: tasks, instances, rationales with full-text search, import log.
-- Later migrations add corpora, runs, metrics, evaluations and annotations; they reference these tables.

CREATE TABLE workspace_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    answer_kind TEXT NOT NULL CHECK (answer_kind IN ('choice', 'number', 'yes_no', 'text')),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Where stored rows came from: one row per import that added something.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL,
    format      TEXT NOT NULL,
    lines       INTEGER NOT NULL,
    instances   INTEGER NOT NULL,
    rationales  INTEGER NOT NULL,
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE instances (
    id          INTEGER PRIMARY KEY,
    task_id     INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    ext_id      TEXT NOT NULL,                -- the id in the source file, unique within the task
    split       TEXT NOT NULL DEFAULT 'train' CHECK (split IN ('train', 'dev', 'test', 'contrast')),
    question    TEXT NOT NULL,
    choices     TEXT,                         -- JSON array of {label, text}; NULL when the source had none
    gold        TEXT NOT NULL,
    answer_kind TEXT NOT NULL CHECK (answer_kind IN ('choice', 'number', 'yes_no', 'text')),
    meta        TEXT,                         -- JSON object of fields CoTLab does not model
    import_id   INTEGER REFERENCES imports (id) ON DELETE SET NULL,
    UNIQUE (task_id, ext_id)
);
CREATE INDEX instances_task_split ON instances (task_id, split);

CREATE TABLE rationales (
    id               INTEGER PRIMARY KEY,
    instance_id      INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    source_kind      TEXT NOT NULL CHECK (source_kind IN ('teacher', 'student', 'human')),
    model            TEXT NOT NULL DEFAULT '',   -- teacher or student model name; '' when unknown
    sample_index     INTEGER NOT NULL,
    text             TEXT NOT NULL,              -- the rationale, cut at its stop strings
    text_tail        TEXT,                       -- what the stop strings cut off (kept for lossless export)
    text_hash        INTEGER NOT NULL,           -- FNV-1a 64 of the rationale as imported (text || tail)
    stop             TEXT,                       -- JSON array of stop strings
    answer_sentence  TEXT,
    answer           TEXT,                       -- final answer: the source's when given, else extracted
    extracted_answer TEXT,                       -- what CoTLab's extraction finds, always recorded
    correct          INTEGER CHECK (correct IN (0, 1)),
    token_count      INTEGER,
    logprob          REAL,                       -- sum of token log-probabilities under the writing model
    prompt           TEXT,
    decoding         TEXT,
    temperature      REAL,
    provenance       TEXT,
    meta             TEXT,
    import_id        INTEGER REFERENCES imports (id) ON DELETE SET NULL  -- when: imports.imported_at
);
-- A rationale is identified by its instance, model, sample index and text (see the interchange format).
CREATE UNIQUE INDEX rationales_identity ON rationales (instance_id, model, sample_index, text_hash);

-- Full-text search over rationale text; external content, kept in step by triggers. Bulk imports set the
-- 'fts_bulk_import' flag inside their transaction and index their new rows in batches, which FTS5 does
-- about ten times faster than row by row; the flag never outlives the transaction.
CREATE VIRTUAL TABLE rationale_fts USING fts5 (text, content = 'rationales', content_rowid = 'id');

CREATE TRIGGER rationales_fts_insert AFTER INSERT ON rationales
WHEN NOT EXISTS (SELECT 1 FROM workspace_info WHERE key = 'fts_bulk_import') BEGIN
    INSERT INTO rationale_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER rationales_fts_delete AFTER DELETE ON rationales BEGIN
    INSERT INTO rationale_fts (rationale_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER rationales_fts_update AFTER UPDATE OF text ON rationales BEGIN
    INSERT INTO rationale_fts (rationale_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO rationale_fts (rowid, text) VALUES (new.id, new.text);
END;
