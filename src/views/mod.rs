//! Server-rendered pages (maud). Escaping is automatic: user text is only ever interpolated
//! with `(value)`, never with `PreEscaped`.

pub mod account;
pub mod account_emails;
pub mod account_pages;
pub mod alerts;
pub mod assets;
pub mod assignments;
pub mod audit_page;
pub mod chart;
pub mod confirm;
pub mod counselors;
pub mod couples;
pub mod crisis;
pub mod dashboard;
pub mod emails;
pub mod entry_form;
pub mod errors;
pub mod exercises;
pub mod feed;
pub mod form;
pub mod format;
pub mod layout;
pub mod mail;
pub mod notices;
pub mod partner;
pub mod progress;
pub mod promises;
pub mod quick_exit;
pub mod reminder_emails;
pub mod report;
pub mod setbacks;
pub mod sign_in;
pub mod timeline;
pub mod two_factor;

pub use layout::{page, Ctx};
