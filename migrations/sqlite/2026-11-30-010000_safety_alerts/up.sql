-- Clinical safety alerts. A concerning answer on a safety check raises an alert for the
-- couple's counselor in the same transaction as the submission; the counselor records what
-- they did (acknowledged_*); the scheduler tells the practice admin when nobody has after
-- `alerts.escalate_after_hours` (escalated_at). The counselor is the couple's current one
-- (joined through couples), so a reassigned couple's open alert follows it.
CREATE TABLE safety_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    couple_id INTEGER NOT NULL REFERENCES couples(id),
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    entry_id INTEGER NOT NULL REFERENCES entries(id),
    raised_at TIMESTAMP NOT NULL,
    escalated_at TIMESTAMP,
    acknowledged_at TIMESTAMP,
    acknowledged_by INTEGER REFERENCES counselors(id),
    action_taken TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX safety_alerts_couple ON safety_alerts (couple_id, acknowledged_at);
CREATE INDEX safety_alerts_open ON safety_alerts (acknowledged_at, escalated_at, raised_at);
CREATE INDEX safety_alerts_entry ON safety_alerts (entry_id);

-- Which answers of a prompt are concerning: a "yes" to a yes/no question, any answer to
-- another kind.
ALTER TABLE exercise_prompts ADD COLUMN raises_alert BOOLEAN NOT NULL DEFAULT FALSE;

-- The discreet title a partner sees for a safety check ('' = the default).
ALTER TABLE assignments ADD COLUMN partner_title TEXT NOT NULL DEFAULT '';

-- Practice-wide texts the admin sets (crisis resources, the quick-exit address).
CREATE TABLE practice_settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The dashboard marks couples with open alerts: raising or acknowledging one changes it.
CREATE TRIGGER safety_alerts_dv_insert AFTER INSERT ON safety_alerts
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id = NEW.couple_id; END;
CREATE TRIGGER safety_alerts_dv_update AFTER UPDATE ON safety_alerts
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id IN (OLD.couple_id, NEW.couple_id); END;
CREATE TRIGGER safety_alerts_dv_delete AFTER DELETE ON safety_alerts
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id = OLD.couple_id; END;

-- The safety check no longer counts in a partner's "last entry" (the dashboard, the digest
-- and the practice CSV leave it out alike): recompute the stored figure without it.
UPDATE partners SET last_entry_at = (
    SELECT MAX(e.submitted_at) FROM entries e JOIN exercises x ON x.id = e.exercise_id
    WHERE e.partner_id = partners.id AND e.status = 'submitted' AND x.safety_check = FALSE
);
