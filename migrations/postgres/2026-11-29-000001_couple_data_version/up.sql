-- couples.data_version changes whenever anything the counselor's dashboard shows about the
-- couple changes: the couple itself, its partners' names, zones and denormalised figures,
-- assignments and their pauses, submitted entries, setbacks and sessions. The dashboard
-- keeps its computed rows and checks them with one index-only read of (id, data_version)
-- for the counselor's active couples. Triggers, so that no writer (web, CLI, scheduler)
-- can forget.
ALTER TABLE couples ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;
DROP INDEX couples_counselor_status;
CREATE INDEX couples_counselor_status ON couples (counselor_id, status, id, data_version);

CREATE FUNCTION couples_bump_own_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.data_version := OLD.data_version + 1;
    RETURN NEW;
END $$;
CREATE TRIGGER couples_data_version BEFORE UPDATE OF counselor_id, label, status, start_date ON couples
    FOR EACH ROW EXECUTE FUNCTION couples_bump_own_version();

-- For tables with a couple_id column.
CREATE FUNCTION couples_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE couples SET data_version = data_version + 1 WHERE id = OLD.couple_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.couple_id IS DISTINCT FROM OLD.couple_id) THEN
        UPDATE couples SET data_version = data_version + 1 WHERE id = NEW.couple_id;
    END IF;
    RETURN NULL;
END $$;

-- Pauses reach their couple through the assignment.
CREATE FUNCTION couples_bump_version_via_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE couples SET data_version = data_version + 1
            WHERE id = (SELECT couple_id FROM assignments WHERE id = OLD.assignment_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.assignment_id IS DISTINCT FROM OLD.assignment_id) THEN
        UPDATE couples SET data_version = data_version + 1
            WHERE id = (SELECT couple_id FROM assignments WHERE id = NEW.assignment_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER partners_dv_insert AFTER INSERT OR DELETE ON partners
    FOR EACH ROW EXECUTE FUNCTION couples_bump_version();
CREATE TRIGGER partners_dv_update AFTER UPDATE OF couple_id, slot, display_name, time_zone, last_entry_at, latest_trust, previous_trust ON partners
    FOR EACH ROW EXECUTE FUNCTION couples_bump_version();

CREATE TRIGGER assignments_dv AFTER INSERT OR UPDATE OR DELETE ON assignments
    FOR EACH ROW EXECUTE FUNCTION couples_bump_version();
CREATE TRIGGER assignment_pauses_dv AFTER INSERT OR UPDATE OR DELETE ON assignment_pauses
    FOR EACH ROW EXECUTE FUNCTION couples_bump_version_via_assignment();

-- Drafts do not count on the dashboard; only entries that are or were submitted.
CREATE TRIGGER entries_dv_insert AFTER INSERT ON entries
    FOR EACH ROW WHEN (NEW.status = 'submitted') EXECUTE FUNCTION couples_bump_version();
CREATE TRIGGER entries_dv_update AFTER UPDATE OF couple_id, partner_id, assignment_id, occurrence_date, status, trust_score ON entries
    FOR EACH ROW WHEN (OLD.status = 'submitted' OR NEW.status = 'submitted') EXECUTE FUNCTION couples_bump_version();
CREATE TRIGGER entries_dv_delete AFTER DELETE ON entries
    FOR EACH ROW WHEN (OLD.status = 'submitted') EXECUTE FUNCTION couples_bump_version();

CREATE TRIGGER setbacks_dv AFTER INSERT OR UPDATE OR DELETE ON setbacks
    FOR EACH ROW EXECUTE FUNCTION couples_bump_version();
CREATE TRIGGER therapy_sessions_dv AFTER INSERT OR UPDATE OR DELETE ON therapy_sessions
    FOR EACH ROW EXECUTE FUNCTION couples_bump_version();
