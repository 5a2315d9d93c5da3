-- Imports index each new rationale with a single-row INSERT into rationale_fts (store/ImportWriter), and FTS5
-- keeps the terms in memory until they pass 'hashsize' bytes, then writes them as one index segment. 64 MiB
-- bounds the memory an import of any size uses for that and still makes segments of several hundred thousand
-- rationales (1M rationales of the real teacher files: two segments), so few merges follow. Migration 0007 set
-- 256 MiB for the batched indexing it replaced.
INSERT INTO rationale_fts (rationale_fts, rank) VALUES ('hashsize', 67108864);
