-- The same CHECK constraints on the tables every import writes, spelled as comparisons instead of IN lists.
--
-- SQLite (3.40) codes `x IN ('a', 'b', 'c')` of three or more values inside a CHECK constraint as a temporary
-- B-tree it opens, fills and closes for every row written: instances had two (split, answer_kind), ~5 µs of
-- the ~9 µs an instance row costs, rationales one (source_kind), ~2.5 µs a row. `x = 'a' OR x = 'b' OR ...`
-- allows and refuses exactly the same values and is coded as comparisons (docs/benchmarks.md, "One trace per
-- question"). rationales.correct's two values are respelled too, so that these tables have one way.
-- Tables written a row at a time (runs, evaluations, studies) keep their IN lists.
--
-- A CHECK constraint that allows the same rows changes nothing stored, so the tables' definitions are edited in
-- sqlite_schema as SQLite documents for such changes (https://sqlite.org/lang_altertable.html, "Making Other
-- Kinds Of Table Schema Changes") instead of copying every row into rebuilt tables. The definitions are stored as
-- migration 0001 wrote them; `replace` leaves a table written otherwise as it was (correct, only slower).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (answer_kind IN (''choice'', ''number'', ''yes_no'', ''text''))',
                  'CHECK (answer_kind = ''choice'' OR answer_kind = ''number'' OR answer_kind = ''yes_no'' OR ' ||
                  'answer_kind = ''text'')')
WHERE type = 'table' AND name IN ('tasks', 'instances');
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (split IN (''train'', ''dev'', ''test'', ''contrast''))',
                  'CHECK (split = ''train'' OR split = ''dev'' OR split = ''test'' OR split = ''contrast'')')
WHERE type = 'table' AND name = 'instances';
UPDATE sqlite_schema
SET sql = replace(replace(sql, 'CHECK (source_kind IN (''teacher'', ''student'', ''human''))',
                          'CHECK (source_kind = ''teacher'' OR source_kind = ''student'' OR source_kind = ''human'')'),
                  'CHECK (correct IN (0, 1))', 'CHECK (correct = 0 OR correct = 1)')
WHERE type = 'table' AND name = 'rationales';
-- RESET reloads this connection's schema; the table made and dropped changes the schema cookie, so that every
-- other open connection reloads it too.
PRAGMA writable_schema = RESET;
CREATE TABLE cotlab_schema_changed (x);
DROP TABLE cotlab_schema_changed;
