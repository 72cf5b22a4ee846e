-- The partner's side: a promise rated by the partner it was made to (one rating per
-- promise), earlier versions of edited setback notes, and the partner's choice of the
-- optional "something was shared" email (off by default) and whether reminders name the
-- open exercises (off: counts only).
CREATE TABLE promise_ratings (
    id SERIAL PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id),
    entry_id INTEGER NOT NULL UNIQUE REFERENCES entries(id),
    rater_id INTEGER NOT NULL REFERENCES partners(id),
    outcome TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    note_visibility TEXT NOT NULL,
    rated_at TIMESTAMP NOT NULL
);
CREATE INDEX promise_ratings_couple ON promise_ratings (couple_id, rated_at);

CREATE TABLE setback_versions (
    id SERIAL PRIMARY KEY,
    setback_id INTEGER NOT NULL REFERENCES setbacks(id),
    version INTEGER NOT NULL,
    fields_json TEXT NOT NULL,
    saved_at TIMESTAMP NOT NULL
);
CREATE INDEX setback_versions_setback ON setback_versions (setback_id);

ALTER TABLE partners ADD COLUMN reminder_titles BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE partners ADD COLUMN share_notices BOOLEAN NOT NULL DEFAULT FALSE;
