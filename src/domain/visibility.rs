//! Who may read what: the privacy rules between partners, as pure functions.
//!
//! Callers have already scoped the record to the viewer's couple (a counselor's own couple,
//! a partner's own couple); these rules decide the rest. Anything not `Visible` is answered
//! with a 404 by the pages, so a hidden record cannot be told apart from a missing one.

use chrono::{Duration, NaiveDateTime};

use super::exercise::Visibility;

/// The reader, relative to the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// The partner who wrote it.
    Author,
    /// The other partner of the same couple.
    OtherPartner,
    /// The couple's counselor.
    Counselor,
}

/// What the rules need to know about an entry and its exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryFacts {
    pub submitted: bool,
    pub visibility: Visibility,
    pub safety_check: bool,
    pub shared_journal: bool,
    pub paired_reveal: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Not shown at all, not even its existence.
    Hidden,
    /// A paired answer the viewer will see once they have submitted their own.
    HeldBack,
    Visible,
}

/// May `viewer` read this entry? `viewer_submitted_pair` says whether the viewer has
/// submitted their own entry for the same assignment and occurrence (paired reveal).
pub fn entry_access(viewer: Viewer, e: &EntryFacts, viewer_submitted_pair: bool) -> Access {
    match viewer {
        Viewer::Author => Access::Visible,
        // Drafts are the author's alone until they choose to submit.
        Viewer::Counselor if e.submitted => Access::Visible,
        Viewer::Counselor => Access::Hidden,
        Viewer::OtherPartner => {
            if !e.submitted || e.safety_check {
                Access::Hidden
            } else if e.shared_journal {
                Access::Visible
            } else if e.visibility != Visibility::CounselorAndPartner {
                Access::Hidden
            } else if e.paired_reveal && !viewer_submitted_pair {
                Access::HeldBack
            } else {
                Access::Visible
            }
        }
    }
}

/// May `viewer` read a setback note with this visibility?
pub fn setback_visible(viewer: Viewer, visibility: Visibility) -> bool {
    match viewer {
        Viewer::Author | Viewer::Counselor => true,
        Viewer::OtherPartner => visibility == Visibility::CounselorAndPartner,
    }
}

/// The visibility an entry is saved with: the journal is always shared and the safety
/// check always private; otherwise the partner's choice where the exercise allows one,
/// else the exercise's default. An unknown or disallowed choice falls back to the default.
pub fn effective_visibility(
    default: Visibility,
    choice_allowed: bool,
    safety_check: bool,
    shared_journal: bool,
    requested: Option<&str>,
) -> Visibility {
    if safety_check {
        return Visibility::CounselorOnly;
    }
    if shared_journal {
        return Visibility::CounselorAndPartner;
    }
    if choice_allowed {
        if let Some(v) = requested.and_then(Visibility::parse) {
            return v;
        }
    }
    default
}

/// Whether a submitted entry may still be changed at `now`.
pub fn within_edit_window(
    submitted_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
    window_hours: i64,
) -> bool {
    match submitted_at {
        None => true,
        Some(at) => now - at < Duration::hours(window_hours.max(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> EntryFacts {
        EntryFacts {
            submitted: true,
            visibility: Visibility::CounselorAndPartner,
            safety_check: false,
            shared_journal: false,
            paired_reveal: false,
        }
    }

    #[test]
    fn the_author_always_sees_their_own() {
        let mut e = facts();
        e.submitted = false;
        e.safety_check = true;
        assert_eq!(entry_access(Viewer::Author, &e, false), Access::Visible);
    }

    #[test]
    fn the_counselor_sees_submitted_entries_but_not_drafts() {
        let mut e = facts();
        e.visibility = Visibility::CounselorOnly;
        e.safety_check = true;
        assert_eq!(entry_access(Viewer::Counselor, &e, false), Access::Visible);
        e.submitted = false;
        assert_eq!(entry_access(Viewer::Counselor, &e, false), Access::Hidden);
    }

    #[test]
    fn the_other_partner_sees_only_shared_submitted_entries() {
        let e = facts();
        assert_eq!(
            entry_access(Viewer::OtherPartner, &e, false),
            Access::Visible
        );
        let mut private = facts();
        private.visibility = Visibility::CounselorOnly;
        assert_eq!(
            entry_access(Viewer::OtherPartner, &private, true),
            Access::Hidden
        );
        let mut draft = facts();
        draft.submitted = false;
        assert_eq!(
            entry_access(Viewer::OtherPartner, &draft, true),
            Access::Hidden
        );
    }

    #[test]
    fn the_safety_check_never_reaches_the_other_partner() {
        let mut e = facts();
        e.safety_check = true;
        e.shared_journal = true;
        for pair in [false, true] {
            assert_eq!(entry_access(Viewer::OtherPartner, &e, pair), Access::Hidden);
        }
    }

    #[test]
    fn journal_entries_are_shared_once_written() {
        let mut e = facts();
        e.shared_journal = true;
        e.visibility = Visibility::CounselorOnly;
        assert_eq!(
            entry_access(Viewer::OtherPartner, &e, false),
            Access::Visible
        );
    }

    #[test]
    fn paired_answers_wait_for_the_other_partners_own_submission() {
        let mut e = facts();
        e.paired_reveal = true;
        assert_eq!(
            entry_access(Viewer::OtherPartner, &e, false),
            Access::HeldBack
        );
        assert_eq!(
            entry_access(Viewer::OtherPartner, &e, true),
            Access::Visible
        );
        e.visibility = Visibility::CounselorOnly;
        assert_eq!(entry_access(Viewer::OtherPartner, &e, true), Access::Hidden);
    }

    #[test]
    fn setbacks_follow_their_own_visibility() {
        assert!(setback_visible(
            Viewer::Counselor,
            Visibility::CounselorOnly
        ));
        assert!(setback_visible(Viewer::Author, Visibility::CounselorOnly));
        assert!(!setback_visible(
            Viewer::OtherPartner,
            Visibility::CounselorOnly
        ));
        assert!(setback_visible(
            Viewer::OtherPartner,
            Visibility::CounselorAndPartner
        ));
    }

    #[test]
    fn visibility_choice_is_honoured_only_where_allowed() {
        use Visibility::*;
        assert_eq!(
            effective_visibility(CounselorOnly, true, false, false, Some("partner")),
            CounselorAndPartner
        );
        assert_eq!(
            effective_visibility(CounselorOnly, false, false, false, Some("partner")),
            CounselorOnly
        );
        assert_eq!(
            effective_visibility(CounselorOnly, true, false, false, Some("everyone")),
            CounselorOnly
        );
        assert_eq!(
            effective_visibility(CounselorAndPartner, true, true, false, Some("partner")),
            CounselorOnly,
            "safety check is always private"
        );
        assert_eq!(
            effective_visibility(CounselorOnly, true, false, true, Some("counselor")),
            CounselorAndPartner,
            "journal is always shared"
        );
    }

    #[test]
    fn edits_are_allowed_within_the_window_only() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        assert!(within_edit_window(None, at, 48));
        assert!(within_edit_window(Some(at), at + Duration::hours(47), 48));
        assert!(!within_edit_window(Some(at), at + Duration::hours(48), 48));
        assert!(!within_edit_window(Some(at), at, 0));
    }
}
