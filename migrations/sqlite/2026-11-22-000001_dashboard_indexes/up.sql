-- The dashboard reads submitted entries of a counselor's couples over the last two weeks:
-- (couple, date) leads so each couple is one range; the other columns make it index-only.
CREATE INDEX entries_dashboard ON entries (couple_id, occurrence_date, status, partner_id, assignment_id);
