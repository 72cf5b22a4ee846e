//! The words stored as text at the edges: statuses, kinds and slots. Each is an enum with one
//! spelling per variant (`as_str`), read back with `parse` (or `str::parse`); the database
//! layer stores them through these spellings, so the text in existing rows, CSV columns and
//! form values never changes.
//!
//! Pure: the diesel impls live in `db::text_enum`.

use std::fmt;

use super::couple::{CoupleStatus, Slot};
use super::exercise::Visibility;

/// A word that `parse` did not know; carries the text so the error says what was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    pub what: &'static str,
    pub text: String,
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {}: {:?}", self.what, self.text)
    }
}

impl std::error::Error for UnknownWord {}

/// A closed set of words stored as text.
pub trait TextWord: Copy + Sized + 'static {
    /// Every variant, in a stable order.
    const ALL: &'static [Self];
    /// What the word names, for error messages ("session status").
    const WHAT: &'static str;
    fn as_str(self) -> &'static str;

    /// The variant spelled `s`, if any.
    fn from_text(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|w| w.as_str() == s)
    }

    /// Like `from_text`, with an error that names the word and the text.
    fn try_from_text(s: &str) -> Result<Self, UnknownWord> {
        Self::from_text(s).ok_or_else(|| UnknownWord {
            what: Self::WHAT,
            text: s.to_string(),
        })
    }
}

/// Defines a word enum: the enum itself, `as_str`, `parse`, `ALL`, `Display` and `FromStr`.
macro_rules! text_word {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl $crate::domain::status::TextWord for $name {
            const ALL: &'static [Self] = $name::ALL;
            const WHAT: &'static str = $what;
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        $crate::domain::status::text_word_traits!($name);
    };
}
pub(crate) use text_word;

/// `Display` and `FromStr` for a word enum that has `as_str` and a `TextWord` impl.
macro_rules! text_word_traits {
    ($name:ident) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::domain::status::TextWord::as_str(*self))
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::status::UnknownWord;
            fn from_str(s: &str) -> Result<Self, $crate::domain::status::UnknownWord> {
                <$name as $crate::domain::status::TextWord>::try_from_text(s)
            }
        }
    };
}
pub(crate) use text_word_traits;

/// `TextWord`, `Display` and `FromStr` for a word enum defined elsewhere in `domain`.
macro_rules! existing_word {
    ($name:ident, $what:literal, [$($variant:ident),+ $(,)?]) => {
        impl $crate::domain::status::TextWord for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const WHAT: &'static str = $what;
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        text_word_traits!($name);
    };
}

existing_word!(CoupleStatus, "couple status", [Active, Paused, Closed]);
existing_word!(Slot, "partner slot", [A, B]);
existing_word!(
    Visibility,
    "visibility",
    [CounselorOnly, CounselorAndPartner]
);

text_word! {
    /// Where an assignment is: running, paused for a while, or ended for good.
    AssignmentStatus, "assignment status" {
        Active => "active",
        Paused => "paused",
        Ended => "ended",
    }
}

text_word! {
    /// An entry is the author's alone while a draft; submitted entries count and are shown.
    EntryStatus, "entry status" {
        Draft => "draft",
        Submitted => "submitted",
    }
}

text_word! {
    /// A therapy session on the calendar.
    SessionStatus, "session status" {
        Booked => "booked",
        Cancelled => "cancelled",
    }
}

text_word! {
    /// An email's way through the outbox.
    OutboxStatus, "outbox status" {
        /// Waiting for its next attempt.
        Pending => "pending",
        /// Claimed by a worker (under a lease).
        Sending => "sending",
        Sent => "sent",
        /// Given up on: rejected for good, out of attempts, or not sent within
        /// `email.max_age_hours` of being due; an admin may retry it.
        Failed => "failed",
        /// Not sent: the link it carries (sign-in, invitation) expired before it could go.
        Expired => "expired",
    }
}

text_word! {
    /// Who a browser session belongs to.
    UserKind, "user kind" {
        Counselor => "counselor",
        Partner => "partner",
    }
}

text_word! {
    /// What a single-use sign-in link was sent for.
    TokenPurpose, "sign-in token purpose" {
        Invitation => "invitation",
        SignIn => "sign_in",
    }
}

// Counselor accounts.
text_word! {
    /// What a counselor's single-use password link was sent for.
    PasswordTokenPurpose, "password link purpose" {
        /// "Forgot your password?"
        Reset => "reset",
        /// A new counselor sets their first password.
        Invitation => "invitation",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<W>()
    where
        W: TextWord + fmt::Debug + PartialEq + fmt::Display + std::str::FromStr<Err = UnknownWord>,
    {
        assert!(!W::ALL.is_empty());
        for &w in W::ALL {
            assert_eq!(W::from_text(w.as_str()), Some(w), "{w:?}");
            assert_eq!(w.as_str().parse::<W>(), Ok(w), "{w:?}");
            assert_eq!(w.to_string(), w.as_str());
        }
        let texts: std::collections::HashSet<_> = W::ALL.iter().map(|w| w.as_str()).collect();
        assert_eq!(
            texts.len(),
            W::ALL.len(),
            "{} spellings are unique",
            W::WHAT
        );
        let err = "no such word".parse::<W>().err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some(format!("unknown {}: \"no such word\"", W::WHAT))
        );
    }

    #[test]
    fn every_word_round_trips_through_its_text() {
        round_trips::<CoupleStatus>();
        round_trips::<Slot>();
        round_trips::<Visibility>();
        round_trips::<AssignmentStatus>();
        round_trips::<EntryStatus>();
        round_trips::<SessionStatus>();
        round_trips::<OutboxStatus>();
        round_trips::<UserKind>();
        round_trips::<TokenPurpose>();
        round_trips::<PasswordTokenPurpose>();
    }

    #[test]
    fn the_stored_spellings_are_the_ones_existing_rows_hold() {
        assert_eq!(AssignmentStatus::Ended.as_str(), "ended");
        assert_eq!(EntryStatus::Submitted.as_str(), "submitted");
        assert_eq!(SessionStatus::Cancelled.as_str(), "cancelled");
        assert_eq!(OutboxStatus::Pending.as_str(), "pending");
        assert_eq!(UserKind::Counselor.as_str(), "counselor");
        assert_eq!(TokenPurpose::SignIn.as_str(), "sign_in");
        assert_eq!(Visibility::CounselorAndPartner.as_str(), "partner");
        assert_eq!(Slot::B.as_str(), "b");
        assert_eq!(CoupleStatus::Closed.as_str(), "closed");
    }

    #[test]
    fn parse_is_exact() {
        assert_eq!(SessionStatus::parse("Booked"), None);
        assert_eq!(SessionStatus::parse(" booked"), None);
        assert_eq!(EntryStatus::parse(""), None);
    }
}
