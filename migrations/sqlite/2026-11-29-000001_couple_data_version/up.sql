-- couples.data_version changes whenever anything the counselor's dashboard shows about the
-- couple changes: the couple itself, its partners' names, zones and denormalised figures,
-- assignments and their pauses, submitted entries, setbacks and sessions. The dashboard
-- keeps its computed rows and checks them with one index-only read of (id, data_version)
-- for the counselor's active couples. Triggers, so that no writer (web, CLI, scheduler)
-- can forget.
ALTER TABLE couples ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;
DROP INDEX couples_counselor_status;
CREATE INDEX couples_counselor_status ON couples (counselor_id, status, id, data_version);

CREATE TRIGGER couples_data_version AFTER UPDATE OF counselor_id, label, status, start_date ON couples
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id = NEW.id; END;

CREATE TRIGGER partners_dv_insert AFTER INSERT ON partners
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id = NEW.couple_id; END;
CREATE TRIGGER partners_dv_update AFTER UPDATE OF couple_id, slot, display_name, time_zone, last_entry_at, latest_trust, previous_trust ON partners
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id IN (OLD.couple_id, NEW.couple_id); END;
CREATE TRIGGER partners_dv_delete AFTER DELETE ON partners
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id = OLD.couple_id; END;

CREATE TRIGGER assignments_dv_insert AFTER INSERT ON assignments
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id = NEW.couple_id; END;
CREATE TRIGGER assignments_dv_update AFTER UPDATE ON assignments
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id IN (OLD.couple_id, NEW.couple_id); END;
CREATE TRIGGER assignments_dv_delete AFTER DELETE ON assignments
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id = OLD.couple_id; END;

CREATE TRIGGER assignment_pauses_dv_insert AFTER INSERT ON assignment_pauses
BEGIN UPDATE couples SET data_version = data_version + 1
    WHERE id = (SELECT couple_id FROM assignments WHERE id = NEW.assignment_id); END;
CREATE TRIGGER assignment_pauses_dv_update AFTER UPDATE ON assignment_pauses
BEGIN UPDATE couples SET data_version = data_version + 1
    WHERE id IN (SELECT couple_id FROM assignments WHERE id IN (OLD.assignment_id, NEW.assignment_id)); END;
CREATE TRIGGER assignment_pauses_dv_delete AFTER DELETE ON assignment_pauses
BEGIN UPDATE couples SET data_version = data_version + 1
    WHERE id = (SELECT couple_id FROM assignments WHERE id = OLD.assignment_id); END;

-- Drafts do not count on the dashboard; only entries that are or were submitted.
CREATE TRIGGER entries_dv_insert AFTER INSERT ON entries WHEN NEW.status = 'submitted'
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id = NEW.couple_id; END;
CREATE TRIGGER entries_dv_update AFTER UPDATE OF couple_id, partner_id, assignment_id, occurrence_date, status, trust_score ON entries
WHEN OLD.status = 'submitted' OR NEW.status = 'submitted'
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id IN (OLD.couple_id, NEW.couple_id); END;
CREATE TRIGGER entries_dv_delete AFTER DELETE ON entries WHEN OLD.status = 'submitted'
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id = OLD.couple_id; END;

CREATE TRIGGER setbacks_dv_insert AFTER INSERT ON setbacks
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id = NEW.couple_id; END;
CREATE TRIGGER setbacks_dv_update AFTER UPDATE ON setbacks
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id IN (OLD.couple_id, NEW.couple_id); END;
CREATE TRIGGER setbacks_dv_delete AFTER DELETE ON setbacks
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id = OLD.couple_id; END;

CREATE TRIGGER therapy_sessions_dv_insert AFTER INSERT ON therapy_sessions
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id = NEW.couple_id; END;
CREATE TRIGGER therapy_sessions_dv_update AFTER UPDATE ON therapy_sessions
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id IN (OLD.couple_id, NEW.couple_id); END;
CREATE TRIGGER therapy_sessions_dv_delete AFTER DELETE ON therapy_sessions
BEGIN UPDATE couples SET data_version = data_version + 1 WHERE id = OLD.couple_id; END;
