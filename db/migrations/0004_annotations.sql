-- Notes and tags on instances and rationales (issue 5: the Browse page saves them at once). A note is one
-- free-text field per item; tags are short labels, any number per item. Deleting the item deletes them.

CREATE TABLE instance_notes (
    instance_id INTEGER PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
    note        TEXT NOT NULL,
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE rationale_notes (
    rationale_id INTEGER PRIMARY KEY REFERENCES rationales (id) ON DELETE CASCADE,
    note         TEXT NOT NULL,
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE instance_tags (
    instance_id INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (instance_id, tag)
) WITHOUT ROWID;
CREATE INDEX instance_tags_tag ON instance_tags (tag);

CREATE TABLE rationale_tags (
    rationale_id INTEGER NOT NULL REFERENCES rationales (id) ON DELETE CASCADE,
    tag          TEXT NOT NULL,
    PRIMARY KEY (rationale_id, tag)
) WITHOUT ROWID;
CREATE INDEX rationale_tags_tag ON rationale_tags (tag);
