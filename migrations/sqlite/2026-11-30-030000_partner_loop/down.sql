ALTER TABLE partners DROP COLUMN reminder_titles;
ALTER TABLE partners DROP COLUMN share_notices;
DROP TABLE setback_versions;
DROP TABLE promise_ratings;
