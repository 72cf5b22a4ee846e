-- The dashboard reads submitted entries of a counselor's couples over the last two weeks:
-- (couple, date) leads so each couple is one range; the other columns make it index-only.
CREATE INDEX entries_dashboard ON entries (couple_id, occurrence_date, status, partner_id, assignment_id);
-- Last and next booked session per couple: index-only, status before the time range.
CREATE INDEX therapy_sessions_couple_status ON therapy_sessions (couple_id, status, starts_at);
