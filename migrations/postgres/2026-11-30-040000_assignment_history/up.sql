-- Assignments that can change (#15). A change to when entries are owed or by whom ends the
-- assignment the day before it takes effect and continues it as a new row that names the
-- one it replaces, so dates already owed keep the schedule they were owed under.
ALTER TABLE assignments ADD COLUMN replaces_id INTEGER REFERENCES assignments(id);

-- Every change to an assignment, in words, for its history on the couple page.
CREATE TABLE assignment_changes (
    id SERIAL PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    counselor_id INTEGER NOT NULL REFERENCES counselors(id),
    effective_from DATE NOT NULL,
    summary TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX assignment_changes_assignment ON assignment_changes (assignment_id, id);
