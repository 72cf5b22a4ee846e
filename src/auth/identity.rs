//! Who is signed in, and the CSRF token their forms carry: plain data, importing nothing
//! of ours but `domain`, so views can name it without reaching the session store.

/// The form field every POST must carry.
pub const CSRF_FIELD: &str = "csrf_token";

pub use crate::domain::status::UserKind;

/// The signed-in user, placed in the request's extensions by the session middleware.
#[derive(Debug, Clone)]
pub struct Identity {
    pub session_id: i32,
    pub kind: UserKind,
    pub user_id: i32,
    pub display_name: String,
    pub is_admin: bool,
    pub couple_id: Option<i32>,
}

/// The CSRF token forms on this page must carry.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// Placed beside the [`Identity`] when the practice requires a second factor and this
/// counselor has none yet: the `Counselor` guard then sends them to enrolment.
#[derive(Debug, Clone, Copy)]
pub struct TwoFactorEnrolmentRequired;
