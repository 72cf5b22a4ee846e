//! Integration tests: each test starts the real application on port 0 with a database of
//! its own (SQLite in a temp folder, or a fresh PostgreSQL database when
//! TRELLIS_TEST_DATABASE_URL is set).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that cannot arrange its data should stop there, loudly"
)]

mod accounts;
mod alerts;
mod assignment_edit;
mod audit_trail;
mod backup;
mod browser;
mod confirm;
mod couples;
mod dashboard;
mod errors;
mod exercises;
mod export_stall;
mod faults;
mod foundation;
mod helpers;
mod mail;
mod partner_safety;
mod partner_side;
mod portal;
mod promises;
mod reminders;
mod reports;
mod security;
mod settings;
mod visibility;
mod words;
