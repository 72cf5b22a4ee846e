//! Session-prep report aggregation: the period a report covers, what each partner owed and
//! made per assignment, their trust and mood ratings, and the four warning signs against
//! the previous period. Pure functions over facts the caller loaded; no clock, no database.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::domain::occurrence::{self, Schedule};

mod agenda;
mod chart;
mod query;
mod session;
#[cfg(test)]
mod session_tests;

pub use agenda::{arrange, choices_from_pairs, suggest, AgendaItem, Arranged, Choice};
pub use chart::{
    fitted_from, trust_chart, trust_chart_by_exercise, unbroken_runs, ExerciseTrustRow,
    TrustChartData, TrustRow,
};
pub use query::ReportQuery;
pub use session::{
    assemble, comment_items, date_entries, day_start, flagged_entries, flagged_in, last_session,
    local_day, warn_entry_ids, warn_facts, AnswerText, AnswerValue, CommentFact, CommentItem,
    DatedEntry, FlaggedEntry, ReportCouple, ReportFacts, ReportHead, ScaleEnds, SessionReport,
    SetbackItem, SubmittedEntry, WarnPrompt,
};

/// The longest period a report may cover, so one request's work stays bounded.
pub const MAX_PERIOD_DAYS: i64 = 732;

/// When no session has happened yet, a report covers this many days up to today.
pub const DEFAULT_PERIOD_DAYS: u64 = 28;

/// An inclusive stretch of calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Number of days, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The period of the same length that ends the day before this one starts.
    pub fn previous(&self) -> Period {
        let to = self.from.pred_opt().unwrap_or(self.from);
        let back = u64::try_from(self.days() - 1).unwrap_or(0);
        let from = to.checked_sub_days(Days::new(back)).unwrap_or(to);
        Period { from, to }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// Why the dates a counselor typed do not make a period; `field` names the form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError {
    pub field: &'static str,
    pub message: &'static str,
}

/// A calendar date written `YYYY-MM-DD`, nothing else.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The period a report covers. Dates the counselor picked win; otherwise it runs from the
/// last session (the day it took place) to today, or the last four weeks (not before the
/// couple started) when there has been no session yet.
pub fn choose_period(
    from: Option<&str>,
    to: Option<&str>,
    last_session: Option<NaiveDate>,
    couple_start: NaiveDate,
    today: NaiveDate,
) -> Result<Period, PeriodError> {
    fn given(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    let to = match given(to) {
        Some(s) => parse_date(s).ok_or(PeriodError {
            field: "to",
            message: "Enter the end date as YYYY-MM-DD, for example 2026-03-31.",
        })?,
        None => today,
    };
    let from = match given(from) {
        Some(s) => parse_date(s).ok_or(PeriodError {
            field: "from",
            message: "Enter the start date as YYYY-MM-DD, for example 2026-03-01.",
        })?,
        None => match last_session.filter(|d| *d <= to) {
            Some(d) => d,
            None => {
                let four_weeks = to
                    .checked_sub_days(Days::new(DEFAULT_PERIOD_DAYS - 1))
                    .unwrap_or(to);
                four_weeks.max(couple_start.min(to))
            }
        },
    };
    if from > to {
        return Err(PeriodError {
            field: "from",
            message: "The start date must be on or before the end date.",
        });
    }
    let period = Period { from, to };
    if period.days() > MAX_PERIOD_DAYS {
        return Err(PeriodError {
            field: "from",
            message: "A report can cover at most two years; choose a shorter period.",
        });
    }
    Ok(period)
}

/// A partner as the report names them.
#[derive(Debug, Clone)]
pub struct PartnerInfo {
    pub id: i32,
    /// "a" or "b".
    pub slot: String,
    pub name: String,
    pub tz: Tz,
}

/// An assignment with the schedule it owes entries on.
#[derive(Debug, Clone)]
pub struct AssignmentInfo {
    pub id: i32,
    pub title: String,
    /// "both", "a" or "b".
    pub assignee: String,
    pub schedule: Schedule,
}

impl AssignmentInfo {
    pub fn is_for(&self, p: &PartnerInfo) -> bool {
        self.assignee == "both" || self.assignee == p.slot
    }
}

/// A submitted entry, dated by its occurrence (or the partner's local day it was sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFact {
    pub id: i32,
    pub partner_id: i32,
    pub assignment_id: Option<i32>,
    pub date: NaiveDate,
    pub trust: Option<i32>,
    pub mood: Option<i32>,
}

/// Entries owed and made by one partner for one assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub partner_id: i32,
    pub assignment_id: i32,
    pub title: String,
    /// Occurrences in the period.
    pub owed: usize,
    /// Occurrences with a submitted entry.
    pub made: usize,
    /// Occurrences past their deadline with nothing submitted, oldest first.
    pub missed: Vec<NaiveDate>,
    /// Occurrences not yet due and not yet made.
    pub pending: usize,
}

impl Completion {
    /// Made as a whole percentage of owed; `None` when nothing was owed.
    pub fn percent(&self) -> Option<u32> {
        (self.owed > 0).then(|| ((self.made * 100 + self.owed / 2) / self.owed) as u32)
    }
}

/// Owed / made / missed per partner per assignment, partners in the order given.
pub fn completion(
    partners: &[PartnerInfo],
    assignments: &[AssignmentInfo],
    entries: &[EntryFact],
    period: Period,
    now: DateTime<Utc>,
) -> Vec<Completion> {
    let made: HashSet<(i32, i32, NaiveDate)> = entries
        .iter()
        .filter_map(|e| Some((e.assignment_id?, e.partner_id, e.date)))
        .collect();
    let mut out = Vec::new();
    for p in partners {
        for a in assignments.iter().filter(|a| a.is_for(p)) {
            let owed = occurrence::occurrences(&a.schedule, period.from, period.to);
            if owed.is_empty() {
                continue;
            }
            out.push(tally(p, a, &owed, now, |d| made.contains(&(a.id, p.id, d))));
        }
    }
    out
}

fn tally(
    p: &PartnerInfo,
    a: &AssignmentInfo,
    owed: &[NaiveDate],
    now: DateTime<Utc>,
    made: impl Fn(NaiveDate) -> bool,
) -> Completion {
    let mut c = Completion {
        partner_id: p.id,
        assignment_id: a.id,
        title: a.title.clone(),
        owed: owed.len(),
        made: 0,
        missed: Vec::new(),
        pending: 0,
    };
    for &d in owed {
        if made(d) {
            c.made += 1;
        } else if occurrence::is_overdue(d, now, p.tz) {
            c.missed.push(d);
        } else {
            c.pending += 1;
        }
    }
    c
}

/// Completion of one partner's assignment in one ISO week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekCompletion {
    /// e.g. "2026-W05".
    pub week: String,
    pub week_start: NaiveDate,
    pub week_end: NaiveDate,
    pub owed: usize,
    pub made: usize,
    pub missed: Vec<NaiveDate>,
    pub pending: usize,
}

/// "2026-W05": the ISO 8601 week a date falls in.
pub fn iso_week_label(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

/// Per ISO week (Monday to Sunday) from `from` to `to`, the weeks in which anything was owed.
pub fn completion_by_week(
    partner: &PartnerInfo,
    assignment: &AssignmentInfo,
    made_dates: &HashSet<NaiveDate>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<WeekCompletion> {
    let mut weeks: BTreeMap<NaiveDate, Vec<NaiveDate>> = BTreeMap::new();
    for d in occurrence::occurrences(&assignment.schedule, from, to) {
        let monday = d
            .checked_sub_days(Days::new(u64::from(d.weekday().num_days_from_monday())))
            .unwrap_or(d);
        weeks.entry(monday).or_default().push(d);
    }
    weeks
        .into_iter()
        .map(|(monday, owed)| {
            let c = tally(partner, assignment, &owed, now, |d| made_dates.contains(&d));
            WeekCompletion {
                week: iso_week_label(monday),
                week_start: monday,
                week_end: monday.checked_add_days(Days::new(6)).unwrap_or(monday),
                owed: c.owed,
                made: c.made,
                missed: c.missed,
                pending: c.pending,
            }
        })
        .collect()
}

/// Count, average, range and ends of a run of ratings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RatingSummary {
    pub count: usize,
    pub average: Option<f64>,
    pub min: Option<i32>,
    pub max: Option<i32>,
    pub first: Option<i32>,
    pub last: Option<i32>,
}

impl RatingSummary {
    /// Summarise ratings given in date order.
    pub fn of(values: &[i32]) -> RatingSummary {
        if values.is_empty() {
            return RatingSummary::default();
        }
        let sum: i64 = values.iter().map(|v| i64::from(*v)).sum();
        RatingSummary {
            count: values.len(),
            average: Some(sum as f64 / values.len() as f64),
            min: values.iter().min().copied(),
            max: values.iter().max().copied(),
            first: values.first().copied(),
            last: values.last().copied(),
        }
    }
}

/// One partner's trust and mood ratings in the period, with the dated trust points.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerRatings {
    pub partner_id: i32,
    pub trust: RatingSummary,
    pub mood: RatingSummary,
    /// (day, trust rating), ascending by day (and entry within a day).
    pub trust_points: Vec<(NaiveDate, i32)>,
}

pub fn ratings(
    partners: &[PartnerInfo],
    entries: &[EntryFact],
    period: Period,
) -> Vec<PartnerRatings> {
    partners
        .iter()
        .map(|p| {
            let mut mine: Vec<&EntryFact> = entries
                .iter()
                .filter(|e| e.partner_id == p.id && period.contains(e.date))
                .collect();
            mine.sort_by_key(|e| (e.date, e.id));
            let trust_points: Vec<(NaiveDate, i32)> = mine
                .iter()
                .filter_map(|e| Some((e.date, e.trust?)))
                .collect();
            let trust: Vec<i32> = trust_points.iter().map(|(_, v)| *v).collect();
            let mood: Vec<i32> = mine.iter().filter_map(|e| e.mood).collect();
            PartnerRatings {
                partner_id: p.id,
                trust: RatingSummary::of(&trust),
                mood: RatingSummary::of(&mood),
                trust_points,
            }
        })
        .collect()
}

/// The four warning signs the trust check-in rates (1-5, higher is more worrying).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WarnSign {
    Communication,
    Secrecy,
    Distance,
    Promises,
}

impl WarnSign {
    pub const ALL: [WarnSign; 4] = [
        WarnSign::Communication,
        WarnSign::Secrecy,
        WarnSign::Distance,
        WarnSign::Promises,
    ];

    /// The prompt metric code that carries this sign.
    pub fn metric(self) -> &'static str {
        match self {
            WarnSign::Communication => "warn_communication",
            WarnSign::Secrecy => "warn_secrecy",
            WarnSign::Distance => "warn_distance",
            WarnSign::Promises => "warn_promises",
        }
    }

    pub fn from_metric(code: &str) -> Option<WarnSign> {
        WarnSign::ALL.into_iter().find(|s| s.metric() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            WarnSign::Communication => "Communication drying up",
            WarnSign::Secrecy => "Secrets or deception",
            WarnSign::Distance => "Emotional distance",
            WarnSign::Promises => "Broken promises",
        }
    }
}

/// One warning-sign rating from a submitted entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarnFact {
    pub partner_id: i32,
    pub date: NaiveDate,
    pub sign: WarnSign,
    pub value: i32,
}

/// A partner's average rating of one sign in this period and the one before.
#[derive(Debug, Clone, PartialEq)]
pub struct WarnComparison {
    pub partner_id: i32,
    pub sign: WarnSign,
    pub current: RatingSummary,
    pub previous: RatingSummary,
}

impl WarnComparison {
    /// Current average minus previous average, when both exist (positive = more worry).
    pub fn change(&self) -> Option<f64> {
        Some(self.current.average? - self.previous.average?)
    }
}

/// Every partner × sign, in partner then [`WarnSign::ALL`] order.
pub fn warning_signs(
    partners: &[PartnerInfo],
    facts: &[WarnFact],
    period: Period,
) -> Vec<WarnComparison> {
    let previous = period.previous();
    let mut sorted: Vec<&WarnFact> = facts.iter().collect();
    sorted.sort_by_key(|f| f.date);
    let values = |pid: i32, sign: WarnSign, range: Period| -> Vec<i32> {
        sorted
            .iter()
            .filter(|f| f.partner_id == pid && f.sign == sign && range.contains(f.date))
            .map(|f| f.value)
            .collect()
    };
    let mut out = Vec::new();
    for p in partners {
        for sign in WarnSign::ALL {
            out.push(WarnComparison {
                partner_id: p.id,
                sign,
                current: RatingSummary::of(&values(p.id, sign, period)),
                previous: RatingSummary::of(&values(p.id, sign, previous)),
            });
        }
    }
    out
}

/// A rating as text with one decimal ("6.5"), or an em dash when there is none.
pub fn one_decimal(v: Option<f64>) -> String {
    match v {
        Some(v) => format!("{v:.1}"),
        None => "\u{2014}".to_string(),
    }
}

/// A signed change with one decimal ("+1.0", "-0.5", "0.0").
pub fn signed_change(v: Option<f64>) -> String {
    match v {
        Some(v) if v > 0.04 => format!("+{v:.1}"),
        Some(v) if v < -0.04 => format!("{v:.1}"),
        Some(_) => "0.0".to_string(),
        None => "\u{2014}".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::occurrence::{Cadence, Pause};

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn partner(id: i32, slot: &str) -> PartnerInfo {
        PartnerInfo {
            id,
            slot: slot.into(),
            name: format!("P{id}"),
            tz: chrono_tz::UTC,
        }
    }

    fn daily(id: i32, assignee: &str, start: &str) -> AssignmentInfo {
        AssignmentInfo {
            id,
            title: "Daily check-in".into(),
            assignee: assignee.into(),
            schedule: Schedule {
                cadence: Cadence::Daily,
                start: d(start),
                end: None,
                pauses: vec![],
            },
        }
    }

    fn entry(
        id: i32,
        partner_id: i32,
        assignment: i32,
        date: &str,
        trust: Option<i32>,
    ) -> EntryFact {
        EntryFact {
            id,
            partner_id,
            assignment_id: Some(assignment),
            date: d(date),
            trust,
            mood: None,
        }
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(parse_date("2026-03-01"), Some(d("2026-03-01")));
        for bad in [
            "2026-3-1",
            "2026-02-30",
            "yesterday",
            "",
            "2026-03-01T00:00",
            "<b>",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn default_period_runs_from_the_last_session() {
        let today = d("2026-03-20");
        let p = choose_period(None, None, Some(d("2026-03-12")), d("2025-01-01"), today).unwrap();
        assert_eq!((p.from, p.to), (d("2026-03-12"), today));
        assert_eq!(p.days(), 9);
        let prev = p.previous();
        assert_eq!((prev.from, prev.to), (d("2026-03-03"), d("2026-03-11")));
        assert_eq!(prev.days(), p.days());
    }

    #[test]
    fn without_a_session_four_weeks_not_before_the_start() {
        let today = d("2026-03-20");
        let p = choose_period(None, Some(""), None, d("2025-01-01"), today).unwrap();
        assert_eq!(p.from, d("2026-02-21"));
        assert_eq!(p.days(), 28);
        let p = choose_period(None, None, None, d("2026-03-15"), today).unwrap();
        assert_eq!(p.from, d("2026-03-15"));
    }

    #[test]
    fn bad_periods_name_the_field() {
        let today = d("2026-03-20");
        let start = d("2025-01-01");
        let e = choose_period(Some("2026-13-01"), None, None, start, today).unwrap_err();
        assert_eq!(e.field, "from");
        let e = choose_period(None, Some("soon"), None, start, today).unwrap_err();
        assert_eq!(e.field, "to");
        let e =
            choose_period(Some("2026-03-10"), Some("2026-03-01"), None, start, today).unwrap_err();
        assert_eq!(e.field, "from");
        assert!(choose_period(Some("2020-01-01"), Some("2026-01-01"), None, start, today).is_err());
        assert!(choose_period(Some("2026-03-10"), Some("2026-03-10"), None, start, today).is_ok());
    }

    #[test]
    fn completion_counts_owed_made_missed_and_pending() {
        let partners = [partner(1, "a"), partner(2, "b")];
        let mut only_b = daily(11, "b", "2026-03-01");
        only_b.title = "Small wins".into();
        only_b.schedule.cadence = Cadence::Weekly;
        let assignments = [daily(10, "both", "2026-03-01"), only_b];
        let entries = [
            entry(1, 1, 10, "2026-03-01", Some(6)),
            entry(2, 1, 10, "2026-03-02", Some(7)),
            entry(3, 1, 10, "2026-03-04", None),
            entry(4, 2, 10, "2026-03-05", None),
            // Outside the period and for another assignment: ignored.
            entry(5, 1, 10, "2026-02-28", None),
        ];
        let period = Period {
            from: d("2026-03-01"),
            to: d("2026-03-05"),
        };
        // Noon on the 5th: the 5th is not due yet.
        let c = completion(
            &partners,
            &assignments,
            &entries,
            period,
            at("2026-03-05T12:00:00Z"),
        );
        assert_eq!(c.len(), 3);
        assert_eq!(
            (c[0].partner_id, c[0].owed, c[0].made, c[0].pending),
            (1, 5, 3, 1)
        );
        assert_eq!(c[0].missed, vec![d("2026-03-03")]);
        assert_eq!(c[0].percent(), Some(60));
        assert_eq!((c[1].partner_id, c[1].assignment_id, c[1].made), (2, 10, 1));
        assert_eq!(
            c[1].missed,
            vec![
                d("2026-03-01"),
                d("2026-03-02"),
                d("2026-03-03"),
                d("2026-03-04")
            ]
        );
        assert_eq!(
            (c[2].partner_id, c[2].title.as_str(), c[2].owed),
            (2, "Small wins", 1)
        );
        assert_eq!(c[2].missed, vec![d("2026-03-01")]);
    }

    #[test]
    fn completion_respects_pauses_and_skips_unowed_assignments() {
        let partners = [partner(1, "a")];
        let mut a = daily(10, "a", "2026-03-01");
        a.schedule.pauses.push(Pause {
            start: d("2026-03-02"),
            end: Some(d("2026-03-03")),
        });
        let later = daily(12, "a", "2026-04-01");
        let period = Period {
            from: d("2026-03-01"),
            to: d("2026-03-04"),
        };
        let c = completion(
            &partners,
            &[a, later],
            &[],
            period,
            at("2026-04-01T00:00:00Z"),
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].owed, 2);
        assert_eq!(c[0].missed, vec![d("2026-03-01"), d("2026-03-04")]);
    }

    #[test]
    fn weeks_follow_iso_numbering() {
        assert_eq!(iso_week_label(d("2026-01-01")), "2026-W01");
        assert_eq!(iso_week_label(d("2027-01-01")), "2026-W53");
        let p = partner(1, "a");
        let a = daily(10, "a", "2026-03-04");
        let made: HashSet<NaiveDate> = [d("2026-03-04"), d("2026-03-09")].into_iter().collect();
        let weeks = completion_by_week(
            &p,
            &a,
            &made,
            d("2026-03-01"),
            d("2026-03-10"),
            at("2026-03-10T12:00:00Z"),
        );
        assert_eq!(weeks.len(), 2);
        assert_eq!(weeks[0].week, "2026-W10");
        assert_eq!(
            (weeks[0].week_start, weeks[0].week_end),
            (d("2026-03-02"), d("2026-03-08"))
        );
        assert_eq!(
            (weeks[0].owed, weeks[0].made, weeks[0].missed.len()),
            (5, 1, 4)
        );
        assert_eq!(
            (
                weeks[1].week.as_str(),
                weeks[1].owed,
                weeks[1].made,
                weeks[1].pending
            ),
            ("2026-W11", 2, 1, 1)
        );
    }

    #[test]
    fn ratings_summarise_the_period_in_date_order() {
        let partners = [partner(1, "a"), partner(2, "b")];
        let mut entries = vec![
            entry(3, 1, 10, "2026-03-03", Some(4)),
            entry(1, 1, 10, "2026-03-01", Some(6)),
            entry(2, 1, 10, "2026-03-02", Some(8)),
            entry(9, 1, 10, "2026-02-01", Some(1)),
        ];
        entries[0].mood = Some(3);
        let period = Period {
            from: d("2026-03-01"),
            to: d("2026-03-31"),
        };
        let r = ratings(&partners, &entries, period);
        assert_eq!(r[0].trust.count, 3);
        assert_eq!(r[0].trust.average, Some(6.0));
        assert_eq!((r[0].trust.first, r[0].trust.last), (Some(6), Some(4)));
        assert_eq!((r[0].trust.min, r[0].trust.max), (Some(4), Some(8)));
        assert_eq!(r[0].mood.count, 1);
        assert_eq!(r[0].trust_points[0], (d("2026-03-01"), 6));
        assert_eq!(r[1].trust, RatingSummary::default());
    }

    #[test]
    fn warning_signs_compare_with_the_previous_period() {
        let partners = [partner(1, "a")];
        let fact = |date: &str, sign, value| WarnFact {
            partner_id: 1,
            date: d(date),
            sign,
            value,
        };
        let facts = [
            fact("2026-03-08", WarnSign::Secrecy, 4),
            fact("2026-03-14", WarnSign::Secrecy, 2),
            fact("2026-03-01", WarnSign::Secrecy, 1),
            fact("2026-02-28", WarnSign::Secrecy, 5), // before the previous period
            fact("2026-03-09", WarnSign::Distance, 3),
        ];
        let period = Period {
            from: d("2026-03-08"),
            to: d("2026-03-14"),
        };
        let w = warning_signs(&partners, &facts, period);
        assert_eq!(w.len(), 4);
        let secrecy = &w[1];
        assert_eq!(secrecy.sign, WarnSign::Secrecy);
        assert_eq!(secrecy.current.average, Some(3.0));
        assert_eq!(secrecy.previous.average, Some(1.0));
        assert_eq!(secrecy.change(), Some(2.0));
        assert_eq!(signed_change(secrecy.change()), "+2.0");
        assert_eq!(w[2].previous.count, 0);
        assert_eq!(w[2].change(), None);
        assert_eq!(signed_change(None), "\u{2014}");
        assert_eq!(
            WarnSign::from_metric("warn_promises"),
            Some(WarnSign::Promises)
        );
        assert_eq!(WarnSign::from_metric("trust"), None);
    }
}
