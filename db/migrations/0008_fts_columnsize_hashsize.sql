-- The full-text index again, without per-row column sizes, and with a 64 MiB term buffer.
--
-- columnsize = 0: FTS5 no longer keeps a rationale_fts_docsize row per rationale (one more B-tree insert for
-- every rationale stored, about 15% of an import's SQLite time). CoTLab never ranks matches with bm25(), the
-- one thing that reads those sizes, and snippet() does not need them.
--
-- hashsize: imports index each new rationale with a single-row INSERT into rationale_fts (store/ImportWriter),
-- and FTS5 keeps the terms in memory until they pass 'hashsize' bytes, then writes them as one index segment.
-- 64 MiB bounds the memory an import of any size uses for that and still makes segments of several hundred
-- thousand rationales (1M rationales of the real teacher files: two), so few merges follow. Migration 0007 set
-- 256 MiB for the batched indexing this replaced.
--
-- The triggers on rationales name rationale_fts only in their bodies, which are resolved when they run.
DROP TABLE rationale_fts;
CREATE VIRTUAL TABLE rationale_fts USING fts5 (text, content = 'rationales', content_rowid = 'id', columnsize = 0);
INSERT INTO rationale_fts (rationale_fts, rank) VALUES ('hashsize', 67108864);
INSERT INTO rationale_fts (rationale_fts) VALUES ('rebuild');
