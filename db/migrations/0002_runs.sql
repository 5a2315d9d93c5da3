-- Training runs and their metrics (issue 4). A run is one fine-tuning of a student; its checkpoints live on
-- disk in output_dir, its recipe and curves here.
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'stopped', 'finished', 'failed')),
    model_path  TEXT NOT NULL,                -- the student it started from (HF folder or llama2.c .bin)
    output_dir  TEXT NOT NULL,                -- checkpoint/ while training, final/ (HF folder) at the end
    config      TEXT NOT NULL,                -- JSON: template, hyper-parameters, device, precision, seed
    recipe      TEXT NOT NULL,                -- JSON: which rationales, how many examples and tokens
    message     TEXT,                         -- why it stopped or failed
    step        INTEGER NOT NULL DEFAULT 0,   -- optimizer steps done
    total_steps INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE run_metrics (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name   TEXT NOT NULL,                     -- loss, learning_rate, grad_norm, tokens_per_second, memory_mb, dev_loss
    step   INTEGER NOT NULL,
    value  REAL NOT NULL,
    PRIMARY KEY (run_id, name, step)
) WITHOUT ROWID;
