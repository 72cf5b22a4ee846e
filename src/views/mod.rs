//! Server-rendered pages (maud). Escaping is automatic: user text is only ever interpolated
//! with `(value)`, never with `PreEscaped`.

pub mod account;
pub mod assignments;
pub mod counselors;
pub mod couples;
pub mod dashboard;
pub mod errors;
pub mod exercises;
pub mod form;
pub mod layout;

pub use layout::{page, Ctx};
