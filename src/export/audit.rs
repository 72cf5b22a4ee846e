//! The audit log as CSV, filtered as on the admin's page: newest first, read in batches
//! by id, with names beside ids and times in the reader's zone.

use std::io::Write;

use chrono_tz::Tz;

use super::{iso, opt, Source, BATCH};
use crate::db::audit_page::{self, AuditFilter};
use crate::domain::csv_cell::inert;

pub const AUDIT_HEADER: [&str; 12] = [
    "id",
    "at",
    "actor_kind",
    "actor",
    "actor_id",
    "action",
    "target_kind",
    "target",
    "target_id",
    "couple",
    "couple_id",
    "detail",
];

/// Write every row matching `filter`; returns how many.
pub fn audit_csv<W: Write>(
    src: &mut impl Source,
    filter: &AuditFilter,
    tz: Tz,
    out: &mut csv::Writer<W>,
) -> anyhow::Result<u64> {
    out.write_record(AUDIT_HEADER)?;
    let mut before = None;
    let mut written = 0;
    loop {
        let (rows, names) = src.read(|conn| {
            let rows = audit_page::page(conn, filter, before, BATCH)?;
            let names = audit_page::names_for(conn, &rows)?;
            Ok((rows, names))
        })?;
        let Some(last) = rows.last() else { break };
        before = Some(last.id);
        for r in &rows {
            let couple = r
                .couple_id
                .and_then(|c| names.couples.get(&c))
                .cloned()
                .unwrap_or_default();
            out.write_record([
                r.id.to_string().as_str(),
                &iso(r.at, tz),
                &r.actor_kind,
                &inert(names.actor(r).unwrap_or_default()),
                &opt(r.actor_id),
                &r.action,
                &r.target_kind,
                &inert(names.target(r).unwrap_or_default()),
                &opt(r.target_id),
                &inert(&couple),
                &opt(r.couple_id),
                &inert(&r.detail),
            ])?;
            written += 1;
        }
        if rows.len() < BATCH as usize {
            break;
        }
    }
    out.flush()?;
    Ok(written)
}
