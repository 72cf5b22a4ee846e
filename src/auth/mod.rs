//! Who is asking: passwords, tokens, server-side sessions, the CSRF check, and the guards
//! handlers take as arguments (`Counselor`, `Admin`, `Partner`).

pub mod guard;
pub mod hashing;
pub mod identity;
pub mod password;
pub mod session;
pub mod strength;
pub mod token;
pub mod totp;

pub use guard::{Admin, Counselor, Enrolling, Partner, Visitor};
pub use hashing::hash_password;
pub use identity::{Identity, UserKind};
