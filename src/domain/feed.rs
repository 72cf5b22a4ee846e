//! "What changed" on a partner's home: the other partner's shared entries and setback notes,
//! answers revealed to both, the counselor's notes on the partner's own entries, and ratings
//! of their promises, newest first. Each candidate passes the same visibility rules as the
//! pages it links to; the private safety check never appears, in any form.

use chrono::NaiveDateTime;

use super::exercise::Visibility;
use super::visibility::{entry_access, setback_visible, Access, EntryFacts, Viewer};

/// How many items the home page shows.
pub const FEED_LIMIT: usize = 12;
/// How far back the feed looks.
pub const FEED_DAYS: i64 = 21;

/// One thing that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedKind {
    /// The other partner submitted an entry this partner may read.
    Shared { title: String },
    /// The other partner wrote in the co-journal.
    Journal,
    /// Both partners' paired answers are now visible to each other.
    Revealed { title: String },
    /// The counselor commented on one of this partner's entries.
    CounselorNote { title: String },
    /// The other partner rated one of this partner's promises.
    PromiseRated,
    /// The other partner shared a setback note.
    SetbackShared,
}

/// A feed line: what, when, and the record it links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    pub kind: FeedKind,
    pub at: NaiveDateTime,
    /// The entry, promise entry or setback the line links to.
    pub target_id: i32,
}

/// An entry of the other partner, as the feed considers it.
#[derive(Debug, Clone)]
pub struct OtherEntry {
    pub id: i32,
    pub title: String,
    pub facts: EntryFacts,
    pub submitted_at: Option<NaiveDateTime>,
    /// Whether the reader has submitted their own entry for the same occurrence, and if so
    /// its id and when.
    pub reader_pair: Option<(i32, Option<NaiveDateTime>)>,
}

/// The feed lines one of the other partner's entries gives the reader: "shared" when the
/// reader may read it now, and "revealed" when it is a paired answer both have submitted.
pub fn from_other_entry(e: &OtherEntry) -> Vec<FeedItem> {
    let Some(at) = e.submitted_at else {
        return Vec::new();
    };
    if e.facts.safety_check {
        return Vec::new();
    }
    let access = entry_access(Viewer::OtherPartner, &e.facts, e.reader_pair.is_some());
    if access != Access::Visible {
        return Vec::new();
    }
    if e.facts.shared_journal {
        return vec![FeedItem {
            kind: FeedKind::Journal,
            at,
            target_id: e.id,
        }];
    }
    match (e.facts.paired_reveal, e.reader_pair) {
        (true, Some((mine, mine_at))) => vec![FeedItem {
            kind: FeedKind::Revealed {
                title: e.title.clone(),
            },
            // Revealed when the later of the two was submitted.
            at: mine_at.map_or(at, |m| m.max(at)),
            target_id: mine,
        }],
        _ => vec![FeedItem {
            kind: FeedKind::Shared {
                title: e.title.clone(),
            },
            at,
            target_id: e.id,
        }],
    }
}

/// A counselor's comment on one of the reader's own entries; none on the safety check.
pub fn from_comment(
    entry_id: i32,
    title: &str,
    safety_check: bool,
    at: NaiveDateTime,
) -> Option<FeedItem> {
    (!safety_check).then(|| FeedItem {
        kind: FeedKind::CounselorNote {
            title: title.to_string(),
        },
        at,
        target_id: entry_id,
    })
}

/// A setback note of the other partner: only when they shared it.
pub fn from_setback(id: i32, visibility: Visibility, at: NaiveDateTime) -> Option<FeedItem> {
    setback_visible(Viewer::OtherPartner, visibility).then_some(FeedItem {
        kind: FeedKind::SetbackShared,
        at,
        target_id: id,
    })
}

/// Newest first, at most `limit`.
pub fn arrange(mut items: Vec<FeedItem>, limit: usize) -> Vec<FeedItem> {
    items.sort_by(|a, b| b.at.cmp(&a.at).then(b.target_id.cmp(&a.target_id)));
    items.truncate(limit);
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 10)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    fn entry() -> OtherEntry {
        OtherEntry {
            id: 7,
            title: "Daily check-in".into(),
            facts: EntryFacts {
                submitted: true,
                visibility: Visibility::CounselorAndPartner,
                safety_check: false,
                shared_journal: false,
                paired_reveal: false,
            },
            submitted_at: Some(t(9)),
            reader_pair: None,
        }
    }

    #[test]
    fn a_shared_entry_is_news_and_a_private_one_is_not() {
        let e = entry();
        assert_eq!(
            from_other_entry(&e),
            vec![FeedItem {
                kind: FeedKind::Shared {
                    title: "Daily check-in".into()
                },
                at: t(9),
                target_id: 7
            }]
        );
        let mut private = entry();
        private.facts.visibility = Visibility::CounselorOnly;
        assert!(from_other_entry(&private).is_empty());
        let mut draft = entry();
        draft.facts.submitted = false;
        assert!(from_other_entry(&draft).is_empty());
    }

    #[test]
    fn the_safety_check_never_reaches_the_feed() {
        let mut e = entry();
        e.facts.safety_check = true;
        e.facts.shared_journal = true;
        e.reader_pair = Some((3, Some(t(10))));
        assert!(from_other_entry(&e).is_empty());
        assert_eq!(from_comment(3, "Check", true, t(9)), None);
    }

    #[test]
    fn a_paired_answer_is_news_only_once_both_have_submitted() {
        let mut e = entry();
        e.facts.paired_reveal = true;
        assert!(from_other_entry(&e).is_empty(), "held back");
        e.reader_pair = Some((3, Some(t(11))));
        let items = from_other_entry(&e);
        assert_eq!(
            items,
            vec![FeedItem {
                kind: FeedKind::Revealed {
                    title: "Daily check-in".into()
                },
                at: t(11),
                target_id: 3
            }]
        );
    }

    #[test]
    fn journal_posts_and_shared_setbacks_are_news() {
        let mut e = entry();
        e.facts.shared_journal = true;
        assert_eq!(from_other_entry(&e)[0].kind, FeedKind::Journal);
        assert!(from_setback(2, Visibility::CounselorAndPartner, t(8)).is_some());
        assert!(from_setback(2, Visibility::CounselorOnly, t(8)).is_none());
    }

    #[test]
    fn the_feed_is_newest_first_and_short() {
        let items = (0..20)
            .map(|h| FeedItem {
                kind: FeedKind::PromiseRated,
                at: t(h),
                target_id: h as i32,
            })
            .collect();
        let out = arrange(items, 5);
        assert_eq!(out.len(), 5);
        assert_eq!(out[0].at, t(19));
        assert!(out.windows(2).all(|w| w[0].at >= w[1].at));
    }
}
