//! The audit log's hash chain (see `domain::audit_hash`). Every append first updates the
//! one `audit_chain` row: on PostgreSQL that row lock is held to the end of the
//! transaction, so appends from every server on the database take turns and each row's
//! predecessor is the row committed just before it; on SQLite the write transaction is
//! already the only writer. The batched writer (`audit_batch`) appends a whole batch
//! under one turn.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit::NewAudit;
use super::schema::{audit_chain, audit_log};
use super::DbConnection;
use crate::domain::audit_hash::{self, Content, Link};

const HEAD: i32 = 1;
/// Rows read at a time by the verifier and the sealer.
const BATCH: i64 = 5_000;

fn content(e: &NewAudit) -> Content<'_> {
    Content {
        at: e.at,
        actor_kind: e.actor_kind.as_str(),
        actor_id: e.actor_id,
        action: e.action.as_str(),
        target_kind: &e.target_kind,
        target_id: e.target_id,
        couple_id: e.couple_id,
        request_id: &e.request_id,
        detail: &e.detail,
    }
}

/// Take the chain's turn (blocks other appenders until this transaction ends) and read
/// the hash of the last row.
fn lock_head(conn: &mut DbConnection, adding: usize) -> QueryResult<(String, i64)> {
    diesel::update(audit_chain::table.find(HEAD))
        .set(audit_chain::appended.eq(audit_chain::appended + adding as i64))
        .execute(conn)?;
    audit_chain::table
        .find(HEAD)
        .select((audit_chain::last_hash, audit_chain::appended))
        .first(conn)
}

fn set_head(conn: &mut DbConnection, hash: &str) -> QueryResult<usize> {
    diesel::update(audit_chain::table.find(HEAD))
        .set(audit_chain::last_hash.eq(hash))
        .execute(conn)
}

/// Append `events` in order, each linked to the one before. Call inside a write
/// transaction.
pub fn append(conn: &mut DbConnection, events: &[NewAudit]) -> QueryResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let (mut prev, _) = lock_head(conn, events.len())?;
    for e in events {
        let mut e = e.clone();
        e.at = super::truncate_micros(e.at);
        let hash = audit_hash::row_hash(&prev, &content(&e));
        diesel::insert_into(audit_log::table)
            .values((&e, audit_log::row_hash.eq(&hash)))
            .execute(conn)?;
        prev = hash;
    }
    set_head(conn, &prev)?;
    Ok(())
}

#[derive(Queryable)]
struct StoredRow {
    id: i32,
    at: NaiveDateTime,
    actor_kind: String,
    actor_id: Option<i32>,
    action: String,
    target_kind: String,
    target_id: Option<i32>,
    couple_id: Option<i32>,
    request_id: String,
    detail: String,
    row_hash: String,
}

impl StoredRow {
    fn content(&self) -> Content<'_> {
        Content {
            at: self.at,
            actor_kind: &self.actor_kind,
            actor_id: self.actor_id,
            action: &self.action,
            target_kind: &self.target_kind,
            target_id: self.target_id,
            couple_id: self.couple_id,
            request_id: &self.request_id,
            detail: &self.detail,
        }
    }
}

fn rows_after(conn: &mut DbConnection, after: i32) -> QueryResult<Vec<StoredRow>> {
    audit_log::table
        .filter(audit_log::id.gt(after))
        .order(audit_log::id.asc())
        .limit(BATCH)
        .select((
            audit_log::id,
            audit_log::at,
            audit_log::actor_kind,
            audit_log::actor_id,
            audit_log::action,
            audit_log::target_kind,
            audit_log::target_id,
            audit_log::couple_id,
            audit_log::request_id,
            audit_log::detail,
            audit_log::row_hash,
        ))
        .load(conn)
}

/// Link rows written before the chain existed (their hash is empty), once: only while
/// nothing has been appended through the chain yet. Runs at start-up, in a write
/// transaction.
pub fn seal_legacy(conn: &mut DbConnection) -> QueryResult<usize> {
    let (_, appended) = lock_head(conn, 0)?;
    if appended > 0 {
        return Ok(0);
    }
    let (mut prev, mut after, mut sealed) = (String::new(), 0, 0);
    loop {
        let rows = rows_after(conn, after)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for r in &rows {
            let hash = audit_hash::row_hash(&prev, &r.content());
            diesel::update(audit_log::table.find(r.id))
                .set(audit_log::row_hash.eq(&hash))
                .execute(conn)?;
            prev = hash;
            sealed += 1;
        }
    }
    if sealed > 0 {
        diesel::update(audit_chain::table.find(HEAD))
            .set((
                audit_chain::last_hash.eq(&prev),
                audit_chain::appended.eq(sealed as i64),
            ))
            .execute(conn)?;
    }
    Ok(sealed)
}

/// What `trellis audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every row links to the one before, and the last is the chain's head.
    Intact { rows: u64 },
    /// The row with this id does not match its content or its predecessor.
    BrokenAt { id: i32, checked: u64 },
    /// Every row links, but the chain's head names another last row: rows were removed
    /// from the end.
    TailMissing { rows: u64 },
}

/// Check the whole chain, reading in batches. Run in one read transaction for a
/// consistent view.
pub fn verify(conn: &mut DbConnection) -> QueryResult<Verdict> {
    let (mut prev, mut after, mut checked) = (String::new(), 0, 0u64);
    loop {
        let rows = rows_after(conn, after)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let links = rows.iter().map(|r| Link {
            id: r.id,
            content: r.content(),
            stored_hash: &r.row_hash,
        });
        let (broken, end) = audit_hash::first_broken(&prev, links);
        if let Some(id) = broken {
            let before = rows.iter().take_while(|r| r.id != id).count() as u64;
            return Ok(Verdict::BrokenAt {
                id,
                checked: checked + before,
            });
        }
        checked += rows.len() as u64;
        prev = end;
    }
    let head: String = audit_chain::table
        .find(HEAD)
        .select(audit_chain::last_hash)
        .first(conn)?;
    if head != prev {
        return Ok(Verdict::TailMissing { rows: checked });
    }
    Ok(Verdict::Intact { rows: checked })
}
