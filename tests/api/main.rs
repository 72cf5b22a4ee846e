//! Integration tests: each test starts the real application on port 0 with a database of
//! its own (SQLite in a temp folder, or a fresh PostgreSQL database when
//! TRELLIS_TEST_DATABASE_URL is set).

mod browser;
mod couples;
mod dashboard;
mod errors;
mod exercises;
mod faults;
mod foundation;
mod helpers;
mod portal;
mod reminders;
mod reports;
mod visibility;
