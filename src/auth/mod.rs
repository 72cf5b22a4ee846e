//! Who is asking: passwords, tokens, server-side sessions, the CSRF check, and the guards
//! handlers take as arguments (`Counselor`, `Admin`, `Partner`).

pub mod guard;
pub mod hashing;
pub mod identity;
pub mod password;
pub mod session;
pub mod token;

pub use guard::{Admin, Counselor, Partner, Visitor};
pub use hashing::hash_password;
pub use identity::{Identity, UserKind};
