//! Pure types and rules: no actix, no diesel. Unit tests live beside the code.

pub mod answers;
pub mod assignment_edit;
pub mod assignment_form;
pub mod attention;
pub mod audit_action;
pub mod couple;
pub mod couple_form;
pub mod csv_cell;
pub mod custom_exercise;
pub mod daily_reminder;
pub mod dashboard;
pub mod entry;
pub mod exercise;
pub mod feed;
pub mod library;
pub mod occurrence;
pub mod progress;
pub mod promise;
pub mod reminder_plan;
pub mod report;
pub mod safety;
pub mod session_form;
pub mod status;
pub mod triage;
pub mod validation;
pub mod visibility;
