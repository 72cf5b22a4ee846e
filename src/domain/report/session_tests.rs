//! Unit tests of the report's assembly ([`super::session`], [`super::chart`]).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::*;
use crate::domain::occurrence::{Cadence, Schedule};

fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

fn t(s: &str) -> NaiveDateTime {
    DateTime::parse_from_rfc3339(s).unwrap().naive_utc()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn period(from: &str, to: &str) -> Period {
    Period {
        from: d(from),
        to: d(to),
    }
}

fn partner(id: i32, slot: &str, tz: chrono_tz::Tz) -> PartnerInfo {
    PartnerInfo {
        id,
        slot: slot.into(),
        name: format!("P{id}"),
        tz,
    }
}

fn row(id: i32, partner_id: i32, exercise_id: i32, date: Option<&str>) -> SubmittedEntry {
    SubmittedEntry {
        id,
        partner_id,
        exercise_id,
        assignment_id: Some(10),
        occurrence_date: date.map(d),
        trust: Some(5),
        mood: None,
        flagged: false,
        submitted_at: None,
        visibility: "counselor".into(),
    }
}

fn dated(id: i32, partner_id: i32, exercise_id: i32, date: &str) -> DatedEntry {
    let r = row(id, partner_id, exercise_id, Some(date));
    date_entries(vec![r], &[], period("2000-01-01", "2100-01-01"), &[])
        .pop()
        .unwrap()
}

#[test]
fn the_last_session_is_the_latest_that_has_started() {
    let booked = [
        t("2026-03-01T10:00:00Z"),
        t("2026-03-08T10:00:00Z"),
        t("2026-03-15T10:00:00Z"),
    ];
    let now = at("2026-03-08T10:00:00Z");
    assert_eq!(last_session(&booked, now), Some(booked[1]));
    assert_eq!(last_session(&booked, at("2026-02-01T00:00:00Z")), None);
    assert_eq!(last_session(&[], now), None);
}

#[test]
fn undated_entries_count_on_the_partners_local_day_and_hidden_ones_not_at_all() {
    let chicago = partner(1, "a", chrono_tz::America::Chicago);
    let span = period("2026-03-01", "2026-03-07");
    let mut late_evening = row(1, 1, 5, None);
    // 02:00 UTC on the 8th is still the 7th in Chicago.
    late_evening.submitted_at = Some(t("2026-03-08T02:00:00Z"));
    let mut next_day = row(2, 1, 5, None);
    next_day.submitted_at = Some(t("2026-03-08T12:00:00Z"));
    let hidden = row(3, 1, 99, Some("2026-03-02"));
    let never_sent = row(4, 1, 5, None);
    let outside = row(5, 1, 5, Some("2026-02-28"));
    let kept = row(6, 1, 5, Some("2026-03-01"));
    let got = date_entries(
        vec![late_evening, next_day, hidden, never_sent, outside, kept],
        &[chicago],
        span,
        &[99],
    );
    let ids: Vec<(i32, NaiveDate)> = got.iter().map(|e| (e.fact.id, e.fact.date)).collect();
    assert_eq!(ids, vec![(1, d("2026-03-07")), (6, d("2026-03-01"))]);
}

#[test]
fn warning_facts_take_numeric_answers_to_known_signs_only() {
    let entries = [dated(1, 1, 5, "2026-03-02"), dated(2, 2, 6, "2026-03-03")];
    let prompts = [
        WarnPrompt {
            id: 50,
            exercise_id: 5,
            metric: Some("warn_secrecy".into()),
        },
        WarnPrompt {
            id: 51,
            exercise_id: 5,
            metric: Some("warn_unknown".into()),
        },
    ];
    assert_eq!(warn_entry_ids(&entries, &prompts), vec![1]);
    let answer = |entry_id, prompt_id, value: &str| AnswerValue {
        entry_id,
        prompt_id,
        value: value.into(),
    };
    let facts = warn_facts(
        &entries,
        &prompts,
        &[
            answer(1, 50, " 4 "),
            answer(1, 50, "a lot"),
            answer(1, 51, "3"),
            answer(7, 50, "2"), // an entry that was not loaded (hidden or outside)
        ],
    );
    assert_eq!(
        facts,
        vec![WarnFact {
            partner_id: 1,
            date: d("2026-03-02"),
            sign: WarnSign::Secrecy,
            value: 4,
        }]
    );
}

#[test]
fn flagged_entries_of_the_period_come_by_day_with_their_answers() {
    let p = period("2026-03-01", "2026-03-07");
    let mut entries = vec![
        dated(3, 1, 5, "2026-03-05"),
        dated(2, 1, 5, "2026-03-02"),
        dated(1, 1, 5, "2026-02-27"), // flagged, but in the previous period
        dated(4, 1, 5, "2026-03-03"), // not flagged
    ];
    for e in &mut entries {
        e.flagged = e.fact.id != 4;
    }
    let text = |v: &str| AnswerText {
        label: "Q".into(),
        kind: "long_text".into(),
        value: v.into(),
        scale: None,
    };
    let answers = [(2, text("first")), (2, text("second")), (3, text("third"))];
    let titles = HashMap::from([(5, "Check-in".to_string())]);
    let f = flagged_entries(&entries, &answers, p, &titles);
    let got: Vec<(i32, usize)> = f.iter().map(|f| (f.id, f.answers.len())).collect();
    assert_eq!(got, vec![(2, 2), (3, 1)]);
    assert_eq!(f[0].answers[1].value, "second");
    assert_eq!(f[0].title, "Check-in");
}

#[test]
fn comments_on_hidden_exercises_are_left_out() {
    let comment = |entry_id, exercise_id| CommentFact {
        entry_id,
        partner_id: 1,
        exercise_id,
        body: "Good".into(),
        created_at: t("2026-03-02T10:00:00Z"),
    };
    let titles = HashMap::from([(5, "Check-in".to_string())]);
    let c = comment_items(vec![comment(1, 5), comment(2, 99)], &[99], &titles);
    assert_eq!(c.len(), 1);
    assert_eq!((c[0].entry_id, c[0].entry_title.as_str()), (1, "Check-in"));
}

fn head(p: Period, booked: Vec<NaiveDateTime>) -> ReportHead {
    ReportHead {
        couple: ReportCouple {
            id: 7,
            label: "R & C".into(),
        },
        counselor_tz: chrono_tz::America::New_York,
        period: p,
        last_session: None,
        include_safety: false,
        booked,
    }
}

#[test]
fn the_report_counts_only_the_period_and_marks_its_sessions_on_the_chart() {
    let p = period("2026-03-01", "2026-03-03");
    let booked = vec![
        t("2026-02-26T15:00:00Z"),
        // 01:00 UTC on the 4th is the evening of the 3rd in New York.
        t("2026-03-04T01:00:00Z"),
        t("2026-03-04T15:00:00Z"),
    ];
    let facts = ReportFacts {
        partners: vec![partner(1, "a", chrono_tz::UTC)],
        assignments: vec![AssignmentInfo {
            id: 10,
            title: "Daily".into(),
            assignee: "both".into(),
            schedule: Schedule {
                cadence: Cadence::Daily,
                start: d("2026-01-01"),
                end: None,
                pauses: vec![],
            },
        }],
        entries: vec![
            dated(1, 1, 5, "2026-02-27"), // previous period: not counted
            dated(2, 1, 5, "2026-03-01"),
            dated(3, 1, 5, "2026-03-02"),
        ],
        setbacks: vec![SetbackItem {
            id: 1,
            partner_id: 1,
            happened_on: d("2026-03-02"),
            what_happened: "x".into(),
            repair_attempted: false,
            repair_text: String::new(),
            severity: 4,
            raise_in_session: false,
        }],
        ..ReportFacts::default()
    };
    let r = assemble(head(p, booked), facts, at("2026-03-10T00:00:00Z"));
    assert_eq!(r.previous, period("2026-02-26", "2026-02-28"));
    assert_eq!(
        (r.completion[0].owed, r.completion[0].made),
        (3, 2),
        "{:?}",
        r.completion
    );
    assert_eq!(r.completion[0].missed, vec![d("2026-03-03")]);
    assert_eq!(r.ratings[0].trust.count, 2);
    assert_eq!(r.sessions, vec![t("2026-03-04T01:00:00Z")]);
    assert_eq!(r.partner_name(1), "P1");
    assert_eq!(r.partner_name(9), "Partner");
    let chart = r.chart();
    assert_eq!(chart.sessions, vec![d("2026-03-03")]);
    assert_eq!(chart.setbacks, vec![(d("2026-03-02"), 4)]);
    assert_eq!(
        chart.partners,
        vec![(
            "P1".to_string(),
            vec![(d("2026-03-01"), 5), (d("2026-03-02"), 5)]
        )]
    );
}

#[test]
fn the_trust_chart_dates_undated_ratings_locally_and_keeps_the_span() {
    let p = period("2026-03-01", "2026-03-07");
    let partners = [
        partner(1, "a", chrono_tz::America::Chicago),
        partner(2, "b", chrono_tz::UTC),
    ];
    let ratings: Vec<TrustRow> = vec![
        (1, Some(d("2026-03-05")), None, Some(6)),
        (1, None, Some(t("2026-03-02T03:00:00Z")), Some(4)), // the 1st in Chicago
        (1, Some(d("2026-03-09")), None, Some(9)),           // outside
        (2, None, Some(t("2026-03-02T03:00:00Z")), Some(7)),
        (2, Some(d("2026-03-03")), None, None), // no rating
    ];
    let sessions = [t("2026-02-20T10:00:00Z"), t("2026-03-04T10:00:00Z")];
    let c = trust_chart(p, &partners, &ratings, vec![], &sessions, chrono_tz::UTC);
    assert_eq!(
        c.partners[0].1,
        vec![(d("2026-03-01"), 4), (d("2026-03-05"), 6)]
    );
    assert_eq!(c.partners[1].1, vec![(d("2026-03-02"), 7)]);
    assert_eq!(c.sessions, vec![d("2026-03-04")]);
    assert_eq!((c.from, c.to), (p.from, p.to));
}

#[test]
fn scale_answers_read_with_their_range_and_end_labels() {
    let mut a = AnswerText {
        label: "Trust today".into(),
        kind: "scale".into(),
        value: "3".into(),
        scale: Some(super::session::ScaleEnds {
            min: 0,
            max: 10,
            low_label: "not at all".into(),
            high_label: "completely".into(),
        }),
    };
    assert_eq!(
        a.in_words(),
        "3 on a scale of 0 to 10 (0 = not at all, 10 = completely)"
    );
    if let Some(s) = a.scale.as_mut() {
        s.high_label = String::new();
    }
    assert_eq!(a.in_words(), "3 on a scale of 0 to 10 (0 = not at all)");
    a.value = String::new();
    assert_eq!(a.in_words(), "", "no answer stays empty");
    a.scale = None;
    a.value = "free words".into();
    assert_eq!(a.in_words(), "free words");
}
