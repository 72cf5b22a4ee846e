//! The session-prep report put together from loaded facts: which entries fall in the
//! period, the warning-sign ratings, the flagged entries with their answers, the
//! counselor's comments, and the figures of [`super::completion`], [`super::ratings`] and
//! [`super::warning_signs`]. Pure: the loader (`db::report`) runs the queries and hands the
//! rows over; nothing here reads a clock or a database.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::{
    completion, ratings, warning_signs, AssignmentInfo, Completion, EntryFact, PartnerInfo,
    PartnerRatings, Period, WarnComparison, WarnFact, WarnSign,
};
use crate::domain::occurrence;

/// The calendar day of a stored UTC time in `tz`.
pub fn local_day(t: NaiveDateTime, tz: Tz) -> NaiveDate {
    occurrence::local_date(t.and_utc(), tz)
}

/// The first instant of local day `d` in `tz`, as stored (naive UTC).
pub fn day_start(d: NaiveDate, tz: Tz) -> NaiveDateTime {
    let before = d.pred_opt().unwrap_or(d);
    occurrence::due_instant(before, tz).naive_utc()
}

/// The couple a report is about, as the report names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCouple {
    pub id: i32,
    pub label: String,
}

/// A submitted entry as stored: dated by its occurrence, or by when it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedEntry {
    pub id: i32,
    pub partner_id: i32,
    pub exercise_id: i32,
    pub assignment_id: Option<i32>,
    pub occurrence_date: Option<NaiveDate>,
    pub trust: Option<i32>,
    pub mood: Option<i32>,
    pub flagged: bool,
    pub submitted_at: Option<NaiveDateTime>,
    pub visibility: String,
}

/// A submitted entry with the calendar day it counts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedEntry {
    pub fact: EntryFact,
    pub exercise_id: i32,
    pub flagged: bool,
    pub submitted_at: Option<NaiveDateTime>,
    pub visibility: String,
}

/// A prompt that carries a warning-sign metric (`warn_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarnPrompt {
    pub id: i32,
    pub exercise_id: i32,
    pub metric: Option<String>,
}

/// One stored answer: entry, prompt, text as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerValue {
    pub entry_id: i32,
    pub prompt_id: i32,
    pub value: String,
}

/// One answer of a flagged entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerText {
    pub label: String,
    pub kind: String,
    pub value: String,
    /// For a number scale: its ends and their labels, so "3" reads "3 of 10".
    pub scale: Option<ScaleEnds>,
}

/// A number scale's range and the words at its ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleEnds {
    pub min: i32,
    pub max: i32,
    pub low_label: String,
    pub high_label: String,
}

impl AnswerText {
    /// The answer as a counselor reads it: a scale answer with its range and end labels,
    /// e.g. "3 on a scale of 0 to 10 (0 = not at all, 10 = completely)"; anything else as
    /// written.
    pub fn in_words(&self) -> String {
        match &self.scale {
            Some(s) if !self.value.trim().is_empty() => {
                let mut ends = Vec::new();
                if !s.low_label.trim().is_empty() {
                    ends.push(format!("{} = {}", s.min, s.low_label.trim()));
                }
                if !s.high_label.trim().is_empty() {
                    ends.push(format!("{} = {}", s.max, s.high_label.trim()));
                }
                let base = format!("{} on a scale of {} to {}", self.value.trim(), s.min, s.max);
                if ends.is_empty() {
                    base
                } else {
                    format!("{base} ({})", ends.join(", "))
                }
            }
            _ => self.value.clone(),
        }
    }
}

/// An entry a partner flagged for the session, with its answers in prompt order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedEntry {
    pub id: i32,
    pub partner_id: i32,
    pub title: String,
    pub date: NaiveDate,
    pub submitted_at: Option<NaiveDateTime>,
    pub visibility: String,
    pub answers: Vec<AnswerText>,
}

/// A comment the counselor wrote on an entry, as loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentFact {
    pub entry_id: i32,
    pub partner_id: i32,
    pub exercise_id: i32,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// A comment the counselor wrote on an entry during the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentItem {
    pub entry_id: i32,
    pub partner_id: i32,
    pub entry_title: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// A setback as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetbackItem {
    pub id: i32,
    pub partner_id: i32,
    pub happened_on: NaiveDate,
    pub what_happened: String,
    pub repair_attempted: bool,
    pub repair_text: String,
    pub severity: i32,
    pub raise_in_session: bool,
}

/// What the report is for, decided before its facts are loaded.
#[derive(Debug, Clone)]
pub struct ReportHead {
    pub couple: ReportCouple,
    pub counselor_tz: Tz,
    pub period: Period,
    pub last_session: Option<NaiveDateTime>,
    pub include_safety: bool,
    /// Start times of the couple's booked sessions, any date.
    pub booked: Vec<NaiveDateTime>,
}

/// The rows loaded for a report over the period and the one before it.
#[derive(Debug, Clone, Default)]
pub struct ReportFacts {
    pub partners: Vec<PartnerInfo>,
    /// Assignments not hidden from the report.
    pub assignments: Vec<AssignmentInfo>,
    /// Submitted entries dated in the period or the previous one (see [`date_entries`]).
    pub entries: Vec<DatedEntry>,
    pub warn_prompts: Vec<WarnPrompt>,
    /// Answers to the warning-sign prompts.
    pub warn_answers: Vec<AnswerValue>,
    /// (entry id, answer) of the flagged entries, by entry then prompt position.
    pub flagged_answers: Vec<(i32, AnswerText)>,
    /// Setbacks in the period, by day then id.
    pub setbacks: Vec<SetbackItem>,
    /// The counselor's comments written during the period, oldest first.
    pub comments: Vec<CommentFact>,
    /// Exercise titles by id.
    pub titles: HashMap<i32, String>,
    /// Exercises left out of the report (the private safety checks, unless asked for).
    pub hidden: Vec<i32>,
}

/// Everything the session-prep page and its CSV show.
#[derive(Debug, Clone)]
pub struct SessionReport {
    pub couple: ReportCouple,
    pub partners: Vec<PartnerInfo>,
    pub counselor_tz: Tz,
    pub period: Period,
    pub previous: Period,
    pub last_session: Option<NaiveDateTime>,
    pub include_safety: bool,
    pub completion: Vec<Completion>,
    pub ratings: Vec<PartnerRatings>,
    pub warnings: Vec<WarnComparison>,
    pub setbacks: Vec<SetbackItem>,
    pub flagged: Vec<FlaggedEntry>,
    pub comments: Vec<CommentItem>,
    /// Start times of the booked sessions inside the period.
    pub sessions: Vec<NaiveDateTime>,
}

impl SessionReport {
    pub fn partner_name(&self, id: i32) -> &str {
        self.partners
            .iter()
            .find(|p| p.id == id)
            .map_or("Partner", |p| p.name.as_str())
    }
}

/// The latest booked session that has started by `now`.
pub fn last_session(booked: &[NaiveDateTime], now: DateTime<Utc>) -> Option<NaiveDateTime> {
    let now = now.naive_utc();
    booked.iter().filter(|t| **t <= now).max().copied()
}

/// The entries that count in `span`, hidden exercises left out: each dated by its
/// occurrence, or (for entries not tied to a date) by the partner's local day of submission.
pub fn date_entries(
    rows: Vec<SubmittedEntry>,
    partners: &[PartnerInfo],
    span: Period,
    hidden: &[i32],
) -> Vec<DatedEntry> {
    let tz_of = |pid: i32| {
        partners
            .iter()
            .find(|p| p.id == pid)
            .map_or(chrono_tz::UTC, |p| p.tz)
    };
    rows.into_iter()
        .filter(|e| !hidden.contains(&e.exercise_id))
        .filter_map(|e| {
            let date = match (e.occurrence_date, e.submitted_at) {
                (Some(d), _) => d,
                (None, Some(at)) => local_day(at, tz_of(e.partner_id)),
                (None, None) => return None,
            };
            span.contains(date).then_some(DatedEntry {
                fact: EntryFact {
                    id: e.id,
                    partner_id: e.partner_id,
                    assignment_id: e.assignment_id,
                    date,
                    trust: e.trust,
                    mood: e.mood,
                },
                exercise_id: e.exercise_id,
                flagged: e.flagged,
                submitted_at: e.submitted_at,
                visibility: e.visibility,
            })
        })
        .collect()
}

/// Entries of exercises that ask a warning-sign question: their answers are loaded.
pub fn warn_entry_ids(entries: &[DatedEntry], prompts: &[WarnPrompt]) -> Vec<i32> {
    let exercises: HashSet<i32> = prompts.iter().map(|p| p.exercise_id).collect();
    entries
        .iter()
        .filter(|e| exercises.contains(&e.exercise_id))
        .map(|e| e.fact.id)
        .collect()
}

/// Entries flagged for the session and dated in the period.
pub fn flagged_in(entries: &[DatedEntry], period: Period) -> impl Iterator<Item = &DatedEntry> {
    entries
        .iter()
        .filter(move |e| e.flagged && period.contains(e.fact.date))
}

/// The warning-sign ratings among the answers: numbers only, to known signs.
pub fn warn_facts(
    entries: &[DatedEntry],
    prompts: &[WarnPrompt],
    answers: &[AnswerValue],
) -> Vec<WarnFact> {
    let by_entry: HashMap<i32, &EntryFact> = entries.iter().map(|e| (e.fact.id, &e.fact)).collect();
    let sign_of: HashMap<i32, WarnSign> = prompts
        .iter()
        .filter_map(|p| Some((p.id, WarnSign::from_metric(p.metric.as_deref()?)?)))
        .collect();
    answers
        .iter()
        .filter_map(|a| {
            let e = by_entry.get(&a.entry_id)?;
            Some(WarnFact {
                partner_id: e.partner_id,
                date: e.date,
                sign: *sign_of.get(&a.prompt_id)?,
                value: a.value.trim().parse().ok()?,
            })
        })
        .collect()
}

fn title(titles: &HashMap<i32, String>, id: i32) -> String {
    titles.get(&id).cloned().unwrap_or_default()
}

/// The flagged entries of the period with their answers, by day then id.
pub fn flagged_entries(
    entries: &[DatedEntry],
    answers: &[(i32, AnswerText)],
    period: Period,
    titles: &HashMap<i32, String>,
) -> Vec<FlaggedEntry> {
    let mut flagged: Vec<FlaggedEntry> = flagged_in(entries, period)
        .map(|e| FlaggedEntry {
            id: e.fact.id,
            partner_id: e.fact.partner_id,
            title: title(titles, e.exercise_id),
            date: e.fact.date,
            submitted_at: e.submitted_at,
            visibility: e.visibility.clone(),
            answers: answers
                .iter()
                .filter(|(id, _)| *id == e.fact.id)
                .map(|(_, a)| a.clone())
                .collect(),
        })
        .collect();
    flagged.sort_by_key(|f| (f.date, f.id));
    flagged
}

/// The counselor's comments, those on hidden exercises left out.
pub fn comment_items(
    comments: Vec<CommentFact>,
    hidden: &[i32],
    titles: &HashMap<i32, String>,
) -> Vec<CommentItem> {
    comments
        .into_iter()
        .filter(|c| !hidden.contains(&c.exercise_id))
        .map(|c| CommentItem {
            entry_id: c.entry_id,
            partner_id: c.partner_id,
            entry_title: title(titles, c.exercise_id),
            body: c.body,
            created_at: c.created_at,
        })
        .collect()
}

/// The whole report from what was loaded for it.
pub fn assemble(head: ReportHead, facts: ReportFacts, now: DateTime<Utc>) -> SessionReport {
    let (period, tz) = (head.period, head.counselor_tz);
    let warn = warn_facts(&facts.entries, &facts.warn_prompts, &facts.warn_answers);
    let flagged = flagged_entries(
        &facts.entries,
        &facts.flagged_answers,
        period,
        &facts.titles,
    );
    let comments = comment_items(facts.comments, &facts.hidden, &facts.titles);
    let current: Vec<EntryFact> = facts
        .entries
        .iter()
        .filter(|e| period.contains(e.fact.date))
        .map(|e| e.fact.clone())
        .collect();
    let partners = facts.partners;
    SessionReport {
        completion: completion(&partners, &facts.assignments, &current, period, now),
        ratings: ratings(&partners, &current, period),
        warnings: warning_signs(&partners, &warn, period),
        couple: head.couple,
        partners,
        counselor_tz: tz,
        period,
        previous: period.previous(),
        last_session: head.last_session,
        include_safety: head.include_safety,
        setbacks: facts.setbacks,
        flagged,
        comments,
        sessions: head
            .booked
            .into_iter()
            .filter(|t| period.contains(local_day(*t, tz)))
            .collect(),
    }
}
