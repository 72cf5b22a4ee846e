//! Everything of one couple: each submitted entry with its answers (one row per answer),
//! then its setbacks (one row per field), then its sessions (one row per field).

use std::collections::HashMap;
use std::io::Write;

use anyhow::Context;
use chrono_tz::Tz;

use super::{iso, yes_no, Progress, Source, BATCH};
use crate::db::couples::CoupleRow;
use crate::db::export::{self as q, AnswerRow, ExportEntry, PromptInfo};
use crate::db::report::{hidden_exercises, local_day, SetbackRow};
use crate::db::{couples as couple_db, DbConnection};
use crate::domain::csv_cell::inert;

pub const COUPLE_HEADER: [&str; 14] = [
    "record_type",
    "record_id",
    "couple_id",
    "partner",
    "partner_slot",
    "source",
    "date",
    "timestamp",
    "status",
    "visibility",
    "flagged",
    "field",
    "field_kind",
    "value",
];

/// (display name, slot, time zone) of a partner.
type Partner = (String, String, Tz);

/// What every row of the export looks up: loaded once, before the batches.
struct Lookups {
    couple_id: i32,
    couple_cell: String,
    partners: HashMap<i32, Partner>,
    unknown: Partner,
    hidden: Vec<i32>,
    titles: HashMap<i32, String>,
    prompts: HashMap<i32, PromptInfo>,
}

impl Lookups {
    fn load(
        conn: &mut DbConnection,
        couple: &CoupleRow,
        include_safety: bool,
    ) -> anyhow::Result<Lookups> {
        let partners = couple_db::partners_of(conn, couple.id)?
            .iter()
            .map(|p| (p.id, (p.display_name.clone(), p.slot.to_string(), p.tz())))
            .collect();
        let hidden = hidden_exercises(conn, include_safety)?;
        Ok(Lookups {
            couple_id: couple.id,
            couple_cell: couple.id.to_string(),
            partners,
            unknown: (String::new(), String::new(), chrono_tz::UTC),
            hidden,
            titles: q::titles_used_by_couple(conn, couple.id)?,
            prompts: q::prompts_used_by_couple(conn, couple.id)?,
        })
    }

    fn partner(&self, id: i32) -> &Partner {
        self.partners.get(&id).unwrap_or(&self.unknown)
    }
}

/// Every submitted entry of the couple with its answers (one row per answer), then its
/// setbacks (one row per field), then its sessions. Returns the number of rows written.
pub fn couple_csv<S: Source, W: Write>(
    src: &mut S,
    couple: &CoupleRow,
    counselor_tz: Tz,
    include_safety: bool,
    out: &mut csv::Writer<W>,
    progress: Progress<'_>,
) -> anyhow::Result<u64> {
    out.write_record(COUPLE_HEADER)?;
    let look = src.read(|conn| Lookups::load(conn, couple, include_safety))?;
    let mut rows: u64 = 0;
    let mut after = 0;
    loop {
        let (batch, mut answers) = src.read(|conn| {
            let batch = q::submitted_entry_batch(conn, look.couple_id, after, BATCH, &look.hidden)?;
            let ids: Vec<i32> = batch.iter().map(|e| e.id).collect();
            let answers = if ids.is_empty() {
                Vec::new()
            } else {
                q::answers_of(conn, &ids)?
            };
            Ok((batch, answers))
        })?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        answers.sort_by_key(|a| {
            let position = look
                .prompts
                .get(&a.prompt_id)
                .map_or(i32::MAX, |p| p.position);
            (a.entry_id, position, a.prompt_id)
        });
        rows += write_entries(&look, &batch, &answers, out)?;
        progress(rows);
    }
    let mut after = 0;
    loop {
        let batch = src.read(|conn| Ok(q::setback_batch(conn, look.couple_id, after, BATCH)?))?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for s in &batch {
            rows += write_setback(&look, s, out)?;
        }
        progress(rows);
    }
    let sessions = src.read(|conn| Ok(q::sessions_of(conn, look.couple_id)?))?;
    for s in &sessions {
        rows += write_session(&look, s, counselor_tz, out)?;
    }
    progress(rows);
    out.flush().context("Failed to write the CSV")?;
    Ok(rows)
}

/// One row per answer of each entry in `batch`; `answers` are sorted by entry, then by
/// prompt position.
fn write_entries<W: Write>(
    look: &Lookups,
    batch: &[ExportEntry],
    answers: &[AnswerRow],
    out: &mut csv::Writer<W>,
) -> anyhow::Result<u64> {
    let mut rows = 0;
    let mut next = 0;
    for e in batch {
        let (name, slot, tz) = look.partner(e.partner_id);
        let id = e.id.to_string();
        let date = e
            .occurrence_date
            .or_else(|| e.submitted_at.map(|t| local_day(t, *tz)))
            .map(|d| d.to_string())
            .unwrap_or_default();
        let at = e.submitted_at.map(|t| iso(t, *tz)).unwrap_or_default();
        let title = look.titles.get(&e.exercise_id).map_or("", String::as_str);
        let (name, title) = (inert(name), inert(title));
        while next < answers.len() && answers[next].entry_id < e.id {
            next += 1;
        }
        while next < answers.len() && answers[next].entry_id == e.id {
            let a = &answers[next];
            let (label, kind) = look
                .prompts
                .get(&a.prompt_id)
                .map_or(("", ""), |p| (p.label.as_str(), p.kind.as_str()));
            out.write_record([
                "answer",
                &id,
                &look.couple_cell,
                &name,
                slot,
                &title,
                &date,
                &at,
                "submitted",
                &e.visibility,
                yes_no(e.flagged),
                &inert(label),
                kind,
                &inert(&a.value),
            ])?;
            rows += 1;
            next += 1;
        }
    }
    Ok(rows)
}

/// One row per field of a setback.
fn write_setback<W: Write>(
    look: &Lookups,
    s: &SetbackRow,
    out: &mut csv::Writer<W>,
) -> anyhow::Result<u64> {
    let (name, slot, tz) = look.partner(s.partner_id);
    let (id, date, at) = (
        s.id.to_string(),
        s.happened_on.to_string(),
        iso(s.created_at, *tz),
    );
    let severity = s.severity.to_string();
    let fields: [(&str, &str, &str); 7] = [
        ("what_happened", "long_text", &inert(&s.what_happened)),
        ("trigger", "long_text", &inert(&s.trigger_text)),
        ("reaction", "long_text", &inert(&s.reaction)),
        ("repair_attempted", "yes_no", yes_no(s.repair_attempted)),
        ("repair", "long_text", &inert(&s.repair_text)),
        ("severity", "scale", &severity),
        ("do_differently", "long_text", &inert(&s.do_differently)),
    ];
    for (field, kind, value) in fields {
        out.write_record([
            "setback",
            &id,
            &look.couple_cell,
            &inert(name),
            slot,
            "Setback",
            &date,
            &at,
            "",
            &s.visibility,
            yes_no(s.raise_in_session),
            field,
            kind,
            value,
        ])?;
    }
    Ok(fields.len() as u64)
}

/// One row per field of a session, dated in the counselor's zone.
fn write_session<W: Write>(
    look: &Lookups,
    s: &q::ExportSession,
    counselor_tz: Tz,
    out: &mut csv::Writer<W>,
) -> anyhow::Result<u64> {
    let (id, date, at) = (
        s.id.to_string(),
        local_day(s.starts_at, counselor_tz).to_string(),
        iso(s.starts_at, counselor_tz),
    );
    let minutes = s.duration_minutes.to_string();
    let fields = [
        ("duration_minutes", "scale", minutes.as_str()),
        ("note", "long_text", &inert(&s.note)),
    ];
    for (field, kind, value) in fields {
        out.write_record([
            "session",
            &id,
            &look.couple_cell,
            "",
            "",
            "Session",
            &date,
            &at,
            &s.status,
            "counselor",
            "no",
            field,
            kind,
            value,
        ])?;
    }
    Ok(fields.len() as u64)
}
