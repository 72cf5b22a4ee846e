//! The promises section of the session-prep CSV: one row per promise in the period, after
//! the report's own sections (same columns): `section` = `promise`, `partner` = who made it,
//! `item` = the promise, `date` = its due date, `value` = `kept`, `partly`, `not_kept` or
//! empty while not rated, `detail` = the rater's note (the counselor reads every note).

use std::io::Write;

use anyhow::Context;

use crate::db::promises::PromiseRow;
use crate::domain::csv_cell::inert;

pub fn promise_rows<W: Write>(
    promises: &[PromiseRow],
    name_of: &dyn Fn(i32) -> String,
    out: &mut csv::Writer<W>,
) -> anyhow::Result<()> {
    for p in promises {
        let due = p.due.map(|d| d.to_string()).unwrap_or_default();
        let (value, note) = match &p.rating {
            Some(r) => (r.outcome.as_str(), r.note.as_str()),
            None => ("", ""),
        };
        out.write_record([
            "promise",
            &inert(&name_of(p.promiser_id)),
            &inert(&p.text),
            &due,
            value,
            "",
            "",
            &inert(note),
        ])
        .context("Failed to write a promise row")?;
    }
    out.flush().context("Failed to write the CSV")?;
    Ok(())
}
