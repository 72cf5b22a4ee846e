//! Promises as a loop between the partners: one partner states a promise and the day it is
//! due; from that day the partner it was made to rates it (kept, partly kept, not kept) with
//! an optional note; the promiser then sees the rating. A record per week of promises made
//! and how they went, as encouragement rather than scorekeeping.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};

use super::couple::Confidentiality;
use super::exercise::Visibility;
use super::status::text_word;
use super::validation::{optional_text, Errors};
use super::visibility::Viewer;

/// The built-in exercise a promise is written in.
pub const PROMISE_SLUG: &str = "promise-tracker";

/// The longest note a rating may carry.
pub const NOTE_MAX: usize = 2_000;

text_word! {
    /// How the partner a promise was made to saw it go.
    PromiseOutcome, "promise outcome" {
        Kept => "kept",
        Partly => "partly",
        NotKept => "not_kept",
    }
}

impl PromiseOutcome {
    /// The words a partner reads.
    pub fn label(self) -> &'static str {
        match self {
            PromiseOutcome::Kept => "Kept",
            PromiseOutcome::Partly => "Partly kept",
            PromiseOutcome::NotKept => "Not kept",
        }
    }
}

/// What the rules need to know about one promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromiseFacts {
    /// The partner who made the promise.
    pub promiser_id: i32,
    /// The day it is due (the promise's date answer).
    pub due: Option<NaiveDate>,
    pub submitted: bool,
    /// Shared with the other partner (a promise kept for the counselor alone is not rated).
    pub shared: bool,
    pub rated: bool,
}

/// Why a rating was refused; each says so in plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateRefusal {
    /// The rater made the promise themselves.
    OwnPromise,
    /// The due date has not come yet (in the rater's time zone).
    NotYetDue(NaiveDate),
    AlreadyRated,
    /// Not a promise the rater can see (a draft, or not shared).
    NotShared,
}

impl RateRefusal {
    pub fn message(self) -> String {
        match self {
            RateRefusal::OwnPromise => {
                "This is your own promise: the partner you made it to rates it.".to_string()
            }
            RateRefusal::NotYetDue(d) => format!(
                "This promise is due on {}. You can rate it from that day.",
                d.format("%-d %B %Y")
            ),
            RateRefusal::AlreadyRated => "This promise has already been rated.".to_string(),
            RateRefusal::NotShared => "This promise cannot be rated.".to_string(),
        }
    }
}

/// May `rater_id` rate this promise on their local date `today`?
pub fn may_rate(f: &PromiseFacts, rater_id: i32, today: NaiveDate) -> Result<(), RateRefusal> {
    if !f.submitted || !f.shared {
        return Err(RateRefusal::NotShared);
    }
    if f.promiser_id == rater_id {
        return Err(RateRefusal::OwnPromise);
    }
    if f.rated {
        return Err(RateRefusal::AlreadyRated);
    }
    match f.due {
        Some(due) if due > today => Err(RateRefusal::NotYetDue(due)),
        _ => Ok(()),
    }
}

/// Should `viewer_id` see a "did they keep it?" card for this promise today?
pub fn asks_for_rating(f: &PromiseFacts, viewer_id: i32, today: NaiveDate) -> bool {
    may_rate(f, viewer_id, today).is_ok()
}

/// Who may read the note of a rating, by the couple's confidentiality policy: with "no
/// secrets" the note always goes to the promiser too; with "limited secrets" the rater may
/// keep it for the counselor. Anything else falls back to shared.
pub fn note_visibility(policy: Confidentiality, requested: Option<&str>) -> Visibility {
    match policy {
        Confidentiality::NoSecrets => Visibility::CounselorAndPartner,
        Confidentiality::LimitedSecrets => requested
            .and_then(Visibility::parse)
            .unwrap_or(Visibility::CounselorAndPartner),
    }
}

/// May `viewer` read a rating's note kept with `visibility`? The rater (the note's
/// author) and the counselor always; the promiser only when it was shared.
pub fn note_visible(viewer: Viewer, visibility: Visibility) -> bool {
    match viewer {
        Viewer::Author | Viewer::Counselor => true,
        Viewer::OtherPartner => visibility == Visibility::CounselorAndPartner,
    }
}

/// Whether the rater may choose who reads their note under this policy.
pub fn note_choice_allowed(policy: Confidentiality) -> bool {
    policy == Confidentiality::LimitedSecrets
}

/// The rating form as posted (kept as typed for re-display).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct RatingForm {
    pub outcome: String,
    pub note: String,
    pub note_visibility: String,
}

/// A rating that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    pub outcome: PromiseOutcome,
    pub note: String,
    pub note_visibility: Visibility,
}

impl RatingForm {
    pub fn validate(&self, policy: Confidentiality) -> Result<NewRating, Errors> {
        let mut e = Errors::default();
        let outcome = PromiseOutcome::parse(self.outcome.trim());
        if outcome.is_none() {
            e.add(
                "outcome",
                "Choose kept, partly kept or not kept.".to_string(),
            );
        }
        let note = optional_text(&mut e, "note", &self.note, NOTE_MAX);
        match outcome {
            Some(outcome) if e.is_empty() => Ok(NewRating {
                outcome,
                note,
                note_visibility: note_visibility(policy, Some(self.note_visibility.trim())),
            }),
            _ => Err(e),
        }
    }
}

/// One promise as the record counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromiseLine {
    pub made_on: NaiveDate,
    pub due: Option<NaiveDate>,
    pub outcome: Option<PromiseOutcome>,
}

/// How one week's promises went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Promises made (written) that week.
    pub made: u32,
    /// Promises due that week.
    pub due: u32,
    pub kept: u32,
    pub partly: u32,
    pub not_kept: u32,
    /// Due that week (up to today) and not rated yet.
    pub awaiting: u32,
}

/// One week of the record, Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekRecord {
    pub week_start: NaiveDate,
    pub tally: Tally,
}

/// The Monday of `d`'s week.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    let back = u64::from(d.weekday().num_days_from_monday());
    d.checked_sub_days(Days::new(back)).unwrap_or(d)
}

/// The last `weeks` weeks up to `today`'s, oldest first: promises made per week, and per
/// week of their due date how they were rated. A promise without a due date counts as due
/// the day it was made. Promises due after today count as made only.
pub fn record(lines: &[PromiseLine], today: NaiveDate, weeks: u32) -> Vec<WeekRecord> {
    let this_week = week_start(today);
    let first = this_week
        .checked_sub_days(Days::new(7 * u64::from(weeks.saturating_sub(1))))
        .unwrap_or(this_week);
    let mut by_week: BTreeMap<NaiveDate, Tally> = BTreeMap::new();
    let mut w = first;
    while w <= this_week {
        by_week.insert(w, Tally::default());
        match w.checked_add_days(Days::new(7)) {
            Some(next) => w = next,
            None => break,
        }
    }
    for l in lines {
        if let Some(t) = by_week.get_mut(&week_start(l.made_on)) {
            t.made += 1;
        }
        let due = l.due.unwrap_or(l.made_on);
        if due > today {
            continue;
        }
        if let Some(t) = by_week.get_mut(&week_start(due)) {
            t.due += 1;
            match l.outcome {
                Some(PromiseOutcome::Kept) => t.kept += 1,
                Some(PromiseOutcome::Partly) => t.partly += 1,
                Some(PromiseOutcome::NotKept) => t.not_kept += 1,
                None => t.awaiting += 1,
            }
        }
    }
    by_week
        .into_iter()
        .map(|(week_start, tally)| WeekRecord { week_start, tally })
        .collect()
}

/// All weeks of a record added up.
pub fn total(weeks: &[WeekRecord]) -> Tally {
    weeks.iter().fold(Tally::default(), |mut t, w| {
        t.made += w.tally.made;
        t.due += w.tally.due;
        t.kept += w.tally.kept;
        t.partly += w.tally.partly;
        t.not_kept += w.tally.not_kept;
        t.awaiting += w.tally.awaiting;
        t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn facts() -> PromiseFacts {
        PromiseFacts {
            promiser_id: 1,
            due: Some(d(2026, 3, 10)),
            submitted: true,
            shared: true,
            rated: false,
        }
    }

    #[test]
    fn the_other_partner_rates_from_the_due_date_on() {
        let f = facts();
        assert_eq!(
            may_rate(&f, 2, d(2026, 3, 9)),
            Err(RateRefusal::NotYetDue(d(2026, 3, 10)))
        );
        assert_eq!(may_rate(&f, 2, d(2026, 3, 10)), Ok(()));
        assert_eq!(may_rate(&f, 2, d(2026, 4, 1)), Ok(()));
        assert!(asks_for_rating(&f, 2, d(2026, 3, 10)));
        assert!(!asks_for_rating(&f, 1, d(2026, 3, 10)));
    }

    #[test]
    fn nobody_rates_their_own_promise_or_one_twice() {
        let mut f = facts();
        assert_eq!(
            may_rate(&f, 1, d(2026, 3, 12)),
            Err(RateRefusal::OwnPromise)
        );
        f.rated = true;
        assert_eq!(
            may_rate(&f, 2, d(2026, 3, 12)),
            Err(RateRefusal::AlreadyRated)
        );
        assert!(!asks_for_rating(&f, 2, d(2026, 3, 12)));
    }

    #[test]
    fn drafts_and_unshared_promises_cannot_be_rated() {
        let mut f = facts();
        f.submitted = false;
        assert_eq!(may_rate(&f, 2, d(2026, 3, 12)), Err(RateRefusal::NotShared));
        let mut f = facts();
        f.shared = false;
        assert_eq!(may_rate(&f, 2, d(2026, 3, 12)), Err(RateRefusal::NotShared));
    }

    #[test]
    fn every_refusal_says_why() {
        for r in [
            RateRefusal::OwnPromise,
            RateRefusal::NotYetDue(d(2026, 3, 10)),
            RateRefusal::AlreadyRated,
            RateRefusal::NotShared,
        ] {
            assert!(!r.message().is_empty());
        }
        assert!(RateRefusal::NotYetDue(d(2026, 3, 10))
            .message()
            .contains("10 March 2026"));
    }

    #[test]
    fn the_note_follows_the_couples_policy() {
        use Confidentiality::*;
        use Visibility::*;
        assert_eq!(
            note_visibility(NoSecrets, Some("counselor")),
            CounselorAndPartner
        );
        assert_eq!(
            note_visibility(LimitedSecrets, Some("counselor")),
            CounselorOnly
        );
        assert_eq!(
            note_visibility(LimitedSecrets, Some("partner")),
            CounselorAndPartner
        );
        assert_eq!(
            note_visibility(LimitedSecrets, Some("anyone")),
            CounselorAndPartner
        );
        assert_eq!(note_visibility(LimitedSecrets, None), CounselorAndPartner);
        assert!(note_choice_allowed(LimitedSecrets));
        assert!(note_visible(Viewer::Author, CounselorOnly));
        assert!(note_visible(Viewer::Counselor, CounselorOnly));
        assert!(!note_visible(Viewer::OtherPartner, CounselorOnly));
        assert!(note_visible(Viewer::OtherPartner, CounselorAndPartner));
        assert!(!note_choice_allowed(NoSecrets));
    }

    #[test]
    fn the_rating_form_needs_an_outcome_and_a_short_note() {
        let ok = RatingForm {
            outcome: "partly".into(),
            note: "  Thank you for trying.  ".into(),
            note_visibility: "counselor".into(),
        }
        .validate(Confidentiality::LimitedSecrets)
        .unwrap();
        assert_eq!(ok.outcome, PromiseOutcome::Partly);
        assert_eq!(ok.note, "Thank you for trying.");
        assert_eq!(ok.note_visibility, Visibility::CounselorOnly);

        let e = RatingForm::default()
            .validate(Confidentiality::NoSecrets)
            .unwrap_err();
        assert!(e.get("outcome").is_some());
        let e = RatingForm {
            outcome: "kept".into(),
            note: "x".repeat(NOTE_MAX + 1),
            ..RatingForm::default()
        }
        .validate(Confidentiality::NoSecrets)
        .unwrap_err();
        assert!(e.get("note").is_some());
        assert!(e.get("outcome").is_none());
    }

    #[test]
    fn the_record_counts_promises_by_week_made_and_week_due() {
        // Wednesday 11 March 2026; weeks start 23 Feb, 2 Mar, 9 Mar.
        let today = d(2026, 3, 11);
        let lines = [
            PromiseLine {
                made_on: d(2026, 3, 2),
                due: Some(d(2026, 3, 4)),
                outcome: Some(PromiseOutcome::Kept),
            },
            PromiseLine {
                made_on: d(2026, 3, 3),
                due: Some(d(2026, 3, 9)),
                outcome: Some(PromiseOutcome::NotKept),
            },
            PromiseLine {
                made_on: d(2026, 3, 9),
                due: Some(d(2026, 3, 10)),
                outcome: None,
            },
            PromiseLine {
                made_on: d(2026, 3, 10),
                due: Some(d(2026, 3, 20)),
                outcome: None,
            },
            // Too old for the record.
            PromiseLine {
                made_on: d(2026, 1, 5),
                due: Some(d(2026, 1, 6)),
                outcome: Some(PromiseOutcome::Partly),
            },
        ];
        let r = record(&lines, today, 3);
        assert_eq!(
            r.iter().map(|w| w.week_start).collect::<Vec<_>>(),
            vec![d(2026, 2, 23), d(2026, 3, 2), d(2026, 3, 9)]
        );
        assert_eq!(r[0].tally, Tally::default());
        assert_eq!(
            r[1].tally,
            Tally {
                made: 2,
                due: 1,
                kept: 1,
                ..Tally::default()
            }
        );
        assert_eq!(
            r[2].tally,
            Tally {
                made: 2,
                due: 2,
                not_kept: 1,
                awaiting: 1,
                ..Tally::default()
            }
        );
        let t = total(&r);
        assert_eq!((t.made, t.due, t.kept, t.not_kept), (4, 3, 1, 1));
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_start(d(2026, 3, 15)), d(2026, 3, 9));
        assert_eq!(week_start(d(2026, 3, 9)), d(2026, 3, 9));
    }
}
