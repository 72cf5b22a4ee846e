//! Pure types and rules: no actix, no diesel. Unit tests live beside the code.

pub mod attention;
pub mod couple;
pub mod csv_cell;
pub mod custom_exercise;
pub mod exercise;
pub mod library;
pub mod occurrence;
pub mod reminder_plan;
pub mod report;
pub mod validation;
