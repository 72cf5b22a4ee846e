-- Keyset pagination of a couple's entries by id (CSV exports).
CREATE INDEX entries_couple_id ON entries (couple_id, id);
