//! The practice summary: one row per couple with the dashboard's figures and flags.

use std::io::Write;

use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{iso, opt, yes_no, Progress, Source, BATCH};
use crate::db::report::{practice_batch, PracticeRow};
use crate::domain::attention::{Flag, Thresholds};
use crate::domain::csv_cell::inert;

pub const PRACTICE_HEADER: [&str; 32] = [
    "couple_id",
    "couple",
    "status",
    "start_date",
    "counselor",
    "counselor_email",
    "partner_a",
    "partner_a_entries_made",
    "partner_a_entries_owed",
    "partner_a_overdue",
    "partner_a_days_since_last_entry",
    "partner_a_latest_trust",
    "partner_a_trust_change",
    "partner_b",
    "partner_b_entries_made",
    "partner_b_entries_owed",
    "partner_b_overdue",
    "partner_b_days_since_last_entry",
    "partner_b_latest_trust",
    "partner_b_trust_change",
    "last_session_at",
    "next_session_at",
    "latest_setback_on",
    "latest_setback_severity",
    "severe_setback_since_last_session",
    "flag_severe_setback",
    "flag_trust_drop",
    "flag_trust_gap",
    "flag_silence",
    "flag_overdue",
    "attention_score",
    "attention_reasons",
];

fn practice_row<W: Write>(s: &PracticeRow, tz: Tz, out: &mut csv::Writer<W>) -> anyhow::Result<()> {
    let d = &s.summary;
    let mut cells: Vec<String> = vec![
        s.couple.id.to_string(),
        inert(&s.couple.label).into_owned(),
        s.couple.status.to_string(),
        s.couple.start_date.to_string(),
        inert(&s.counselor_name).into_owned(),
        inert(&s.counselor_email).into_owned(),
    ];
    for i in 0..2 {
        match d.partners.get(i) {
            Some(p) => cells.extend([
                inert(&p.name).into_owned(),
                p.completion.made.to_string(),
                p.completion.owed.to_string(),
                p.completion.overdue.to_string(),
                opt(p.days_since_last_entry),
                opt(p.latest_trust),
                opt(p.trust_change),
            ]),
            None => cells.extend(std::iter::repeat_n(String::new(), 7)),
        }
    }
    cells.push(opt(d.last_session.map(|t| iso(t, tz))));
    cells.push(opt(d.next_session.map(|t| iso(t, tz))));
    cells.push(opt(d.latest_setback.as_ref().map(|s| s.happened_on)));
    cells.push(opt(d.latest_setback.as_ref().map(|s| s.severity)));
    cells.push(opt(d.severe_since_last_session));
    for f in Flag::ALL {
        cells.push(yes_no(d.has_flag(f)).to_string());
    }
    cells.push(d.score.to_string());
    let reasons: Vec<&str> = d.flags.iter().map(|r| r.reason.as_str()).collect();
    cells.push(inert(&reasons.join(" ")).into_owned());
    out.write_record(&cells)?;
    Ok(())
}

/// One row per couple (all of the practice, or one counselor's caseload) with the
/// dashboard's figures and attention flags; batches of [`BATCH`] couples.
#[expect(clippy::too_many_arguments)]
pub fn practice_csv<S: Source, W: Write>(
    src: &mut S,
    counselor: Option<i32>,
    tz: Tz,
    thresholds: &Thresholds,
    include_safety: bool,
    now: DateTime<Utc>,
    out: &mut csv::Writer<W>,
    progress: Progress<'_>,
) -> anyhow::Result<u64> {
    out.write_record(PRACTICE_HEADER)?;
    let mut rows = 0;
    let mut after = 0;
    loop {
        let batch = src.read(|conn| {
            Ok(practice_batch(
                conn,
                counselor,
                after,
                BATCH,
                thresholds,
                include_safety,
                now,
            )?)
        })?;
        let Some(last) = batch.last() else { break };
        after = last.couple.id;
        for s in &batch {
            practice_row(s, tz, out)?;
            rows += 1;
        }
        progress(rows);
    }
    out.flush().context("Failed to write the CSV")?;
    Ok(rows)
}
