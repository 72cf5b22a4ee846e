//! Server-rendered pages (maud). Escaping is automatic: user text is only ever interpolated
//! with `(value)`, never with `PreEscaped`.

pub mod account;
pub mod chart;
pub mod counselors;
pub mod errors;
pub mod exercises;
pub mod form;
pub mod layout;
pub mod report;

pub use layout::{page, Ctx};
