DROP TABLE assignment_changes;
ALTER TABLE assignments DROP COLUMN replaces_id;
