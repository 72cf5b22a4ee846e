DROP TABLE assignment_changes;
-- SQLite cannot drop a column that holds a foreign key; assignments.replaces_id stays.
