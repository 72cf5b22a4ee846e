//! Pure types and rules: no actix, no diesel. Unit tests live beside the code.

pub mod answers;
pub mod assignment_form;
pub mod attention;
pub mod audit_action;
pub mod audit_hash;
pub mod audit_query;
pub mod couple;
pub mod couple_form;
pub mod csv_cell;
pub mod custom_exercise;
pub mod dashboard;
pub mod entry;
pub mod exercise;
pub mod library;
pub mod occurrence;
pub mod reminder_plan;
pub mod report;
pub mod session_form;
pub mod status;
pub mod throttle;
pub mod user_agent;
pub mod validation;
pub mod visibility;
