DROP INDEX entries_couple_id;
