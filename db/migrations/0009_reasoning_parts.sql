-- The full-text index with a column for each part of a rationale: its thinking and its final answer, where the
-- source marks them (<think>…</think>, <|begin_of_thought|>…, s1's <|im_start|>think; text/ReasoningParts.h). A
-- search without a column matches either; "thinking: wait" or "answer: (b)" (FTS5 column filters) targets one.
--
-- The rationale is stored as written (rationales.text, markers included) and the parts are read from it by two
-- functions every CoTLab connection registers (store/Database.cpp): cotlab_thinking(text) is NULL when the text
-- marks none, cotlab_answer(text) is then the whole text. The index reads its content from the view below
-- (snippet(), 'delete'), so opening a workspace in another SQLite program works for reading and searching, but
-- deleting or editing rationales there fails for want of those functions.
--
-- Same settings as migration 0008 (no per-row column sizes, 64 MiB term buffer).
DROP TRIGGER rationales_fts_insert;
DROP TRIGGER rationales_fts_delete;
DROP TRIGGER rationales_fts_update;
DROP TABLE rationale_fts;
CREATE VIEW rationale_parts AS
    SELECT id, cotlab_thinking(text) AS thinking, cotlab_answer(text) AS answer FROM rationales;
CREATE VIRTUAL TABLE rationale_fts USING fts5 (thinking, answer, content = 'rationale_parts', content_rowid = 'id',
                                               columnsize = 0);
INSERT INTO rationale_fts (rationale_fts, rank) VALUES ('hashsize', 67108864);
INSERT INTO rationale_fts (rationale_fts) VALUES ('rebuild');
CREATE TRIGGER rationales_fts_insert AFTER INSERT ON rationales BEGIN
    INSERT INTO rationale_fts (rowid, thinking, answer)
    VALUES (new.id, cotlab_thinking(new.text), cotlab_answer(new.text));
END;
CREATE TRIGGER rationales_fts_delete AFTER DELETE ON rationales BEGIN
    INSERT INTO rationale_fts (rationale_fts, rowid, thinking, answer)
    VALUES ('delete', old.id, cotlab_thinking(old.text), cotlab_answer(old.text));
END;
CREATE TRIGGER rationales_fts_update AFTER UPDATE OF text ON rationales BEGIN
    INSERT INTO rationale_fts (rationale_fts, rowid, thinking, answer)
    VALUES ('delete', old.id, cotlab_thinking(old.text), cotlab_answer(old.text));
    INSERT INTO rationale_fts (rowid, thinking, answer)
    VALUES (new.id, cotlab_thinking(new.text), cotlab_answer(new.text));
END;
