//! "Download my entries": one partner's own data as CSV, one row per answer of each of their
//! entries (drafts marked), per field of each of their setback notes, per comment the
//! counselor left on their entries, and per rating of their promises (the note only where
//! they were shown it). Never the other partner's writing, never the private safety check.

use std::io::Write;

use anyhow::Context;
use chrono_tz::Tz;

use super::{iso, yes_no};
use crate::db::promises::PromiseRow;
use crate::db::setbacks::SetbackRow;
use crate::db::{partner_data, promises, setbacks, DbConnection};
use crate::domain::csv_cell::inert;
use crate::domain::promise::note_visible;
use crate::domain::visibility::Viewer;

pub const PARTNER_HEADER: [&str; 9] = [
    "record_type",
    "record_id",
    "source",
    "date",
    "timestamp",
    "status",
    "visibility",
    "field",
    "value",
];

fn row<W: Write>(out: &mut csv::Writer<W>, cells: [&str; 9]) -> anyhow::Result<()> {
    out.write_record(cells).context("Failed to write a CSV row")
}

/// Write the partner's own data; returns the number of rows after the header.
pub fn partner_csv<W: Write>(
    conn: &mut DbConnection,
    couple_id: i32,
    partner_id: i32,
    tz: Tz,
    out: &mut csv::Writer<W>,
) -> anyhow::Result<u64> {
    out.write_record(PARTNER_HEADER)
        .context("Failed to write the CSV header")?;
    let mut n = 0;
    for a in partner_data::own_answers(conn, couple_id, partner_id)
        .context("Failed to read the partner's entries")?
    {
        let kind = if a.journal { "journal" } else { "entry" };
        let day = a
            .occurrence_date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let at = iso(a.submitted_at.unwrap_or(a.created_at), tz);
        row(
            out,
            [
                kind,
                &a.entry_id.to_string(),
                &inert(&a.title),
                &day,
                &at,
                a.status.as_str(),
                a.visibility.as_str(),
                &inert(&a.label),
                &inert(&a.value),
            ],
        )?;
        n += 1;
    }
    for (entry_id, body, at) in partner_data::own_comments(conn, couple_id, partner_id)
        .context("Failed to read the counselor's comments")?
    {
        row(
            out,
            [
                "counselor_comment",
                &entry_id.to_string(),
                "Counselor",
                &at.date().format("%Y-%m-%d").to_string(),
                &iso(at, tz),
                "",
                "",
                "comment",
                &inert(&body),
            ],
        )?;
        n += 1;
    }
    let notes: Vec<SetbackRow> = setbacks::visible_to_partner(conn, couple_id, partner_id)
        .context("Failed to read the setback notes")?
        .into_iter()
        .filter(|s| s.partner_id == partner_id)
        .collect();
    for s in &notes {
        n += setback_rows(out, s, tz)?;
    }
    let own_promises: Vec<PromiseRow> = promises::for_couple(conn, couple_id, None)
        .context("Failed to read the promises")?
        .into_iter()
        .filter(|p| p.promiser_id == partner_id)
        .collect();
    for p in &own_promises {
        let Some(r) = &p.rating else { continue };
        let note = if note_visible(Viewer::OtherPartner, r.note_visibility) {
            r.note.as_str()
        } else {
            ""
        };
        for (field, value) in [("outcome", r.outcome.as_str()), ("note", note)] {
            row(
                out,
                [
                    "promise_rating",
                    &p.entry_id.to_string(),
                    "Promise tracker",
                    &r.rated_at.date().format("%Y-%m-%d").to_string(),
                    &iso(r.rated_at, tz),
                    "",
                    "",
                    field,
                    &inert(value),
                ],
            )?;
            n += 1;
        }
    }
    out.flush().context("Failed to finish the CSV")?;
    Ok(n)
}

fn setback_rows<W: Write>(out: &mut csv::Writer<W>, s: &SetbackRow, tz: Tz) -> anyhow::Result<u64> {
    let severity = s.severity.to_string();
    let fields: [(&str, &str); 8] = [
        ("what_happened", &s.what_happened),
        ("trigger", &s.trigger_text),
        ("reaction", &s.reaction),
        ("repair_attempted", yes_no(s.repair_attempted)),
        ("repair", &s.repair_text),
        ("severity", &severity),
        ("do_differently", &s.do_differently),
        ("raise_in_session", yes_no(s.raise_in_session)),
    ];
    let id = s.id.to_string();
    let day = s.happened_on.format("%Y-%m-%d").to_string();
    let at = iso(s.created_at, tz);
    for (field, value) in fields {
        row(
            out,
            [
                "setback",
                &id,
                "Setback",
                &day,
                &at,
                "",
                s.visibility.as_str(),
                field,
                &inert(value),
            ],
        )?;
    }
    Ok(fields.len() as u64)
}
