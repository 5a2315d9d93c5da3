-- Evaluations of students (issue 7): a model, a task's split, a prompt template and decoding settings. Every
-- generated rationale is stored in rationales as a 'student' rationale (model = the evaluation's student name,
-- provenance = {"evaluation": id, "run": run id}); the per-instance prediction and its correctness live here.
CREATE TABLE evaluations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,                -- the student's name, also the model column of its rationales
    run_id      INTEGER REFERENCES runs (id) ON DELETE SET NULL, -- the run that trained it, when known
    model_path  TEXT NOT NULL,
    task_id     INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    split       TEXT NOT NULL,
    config      TEXT NOT NULL,                -- JSON: template, decoding, samples, seed, batch size, device
    status      TEXT NOT NULL CHECK (status IN ('running', 'stopped', 'finished', 'failed')),
    message     TEXT,
    items       INTEGER NOT NULL DEFAULT 0,   -- instances to evaluate
    done        INTEGER NOT NULL DEFAULT 0,   -- instances evaluated so far
    correct     INTEGER NOT NULL DEFAULT 0,
    accuracy    REAL,                         -- correct / done
    ci_low      REAL,                         -- exact percentile bootstrap 95% interval (docs/evaluation.md)
    ci_high     REAL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE evaluation_items (
    evaluation_id INTEGER NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    instance_id   INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    prediction    TEXT NOT NULL,              -- the (majority-voted) normalised answer; '' when none was found
    correct       INTEGER NOT NULL CHECK (correct IN (0, 1)),
    votes         TEXT,                       -- JSON object answer -> count when several samples voted
    rationale_id  INTEGER REFERENCES rationales (id) ON DELETE SET NULL, -- the first sample's rationale
    PRIMARY KEY (evaluation_id, instance_id)
) WITHOUT ROWID;
