DROP INDEX entries_dashboard;
