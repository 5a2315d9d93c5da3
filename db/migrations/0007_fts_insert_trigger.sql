-- Rationale inserts index their text for full-text search through an unconditional trigger. Version 1's
-- trigger asked a workspace_info flag on every row so that bulk imports could skip it; that per-row subquery
-- (and the trigger program itself) cost more than the insert. Bulk imports now drop this trigger inside their
-- transaction and create it again, from this definition in sqlite_schema, before they commit; the new rows
-- are indexed in batches in between (store/ImportWriter).
DROP TRIGGER rationales_fts_insert;
DELETE FROM workspace_info WHERE key = 'fts_bulk_import';
CREATE TRIGGER rationales_fts_insert AFTER INSERT ON rationales BEGIN
    INSERT INTO rationale_fts (rowid, text) VALUES (new.id, new.text);
END;

-- FTS5 writes the terms it holds in memory as a new index segment when a statement ends or the terms pass
-- 'hashsize' bytes (1 MiB by default), and merges small segments into larger ones as they pile up. A bulk
-- import indexes its rows in large batches (ImportWriter::kIndexBatch), one statement each: with room for a
-- whole batch, each batch becomes one segment, and far fewer merges follow (1M rationales: FTS5 work 11 s ->
-- about 4 s on a 2-core machine). Memory stays bounded by the batch, not by the import.
INSERT INTO rationale_fts (rationale_fts, rank) VALUES ('hashsize', 268435456);
