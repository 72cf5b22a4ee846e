DROP INDEX therapy_sessions_couple_status;
DROP INDEX entries_dashboard;
