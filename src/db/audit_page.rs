//! Reading the audit log for the practice admin's page and its CSV: filtered, newest
//! first, in pages by id, with the names of the people and couples the rows point at.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit::AuditRow;
use super::schema::{audit_log, counselors, couples, partners};
use super::DbConnection;
use crate::domain::audit_action::{ActorKind, AuditAction};

/// What the admin narrowed the log to; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Events by this counselor.
    pub counselor: Option<i32>,
    pub couple: Option<i32>,
    pub action: Option<AuditAction>,
    /// From this instant (UTC), inclusive.
    pub from: Option<NaiveDateTime>,
    /// Before this instant (UTC).
    pub until: Option<NaiveDateTime>,
}

/// Up to `limit` rows matching `filter` with ids below `before`, newest first.
pub fn page(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    before: Option<i32>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut q = audit_log::table
        .select(AuditRow::as_select())
        .order(audit_log::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(id) = before {
        q = q.filter(audit_log::id.lt(id));
    }
    if let Some(c) = filter.counselor {
        q = q
            .filter(audit_log::actor_kind.eq(ActorKind::Counselor))
            .filter(audit_log::actor_id.eq(c));
    }
    if let Some(c) = filter.couple {
        q = q.filter(audit_log::couple_id.eq(c));
    }
    if let Some(a) = filter.action {
        q = q.filter(audit_log::action.eq(a));
    }
    if let Some(t) = filter.from {
        q = q.filter(audit_log::at.ge(t));
    }
    if let Some(t) = filter.until {
        q = q.filter(audit_log::at.lt(t));
    }
    q.load(conn)
}

/// Names for the ids a set of rows mentions.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub counselors: HashMap<i32, String>,
    pub partners: HashMap<i32, String>,
    pub couples: HashMap<i32, String>,
}

impl Names {
    /// The name of whoever did what `r` records, if it was a person.
    pub fn actor(&self, r: &AuditRow) -> Option<&str> {
        let id = r.actor_id?;
        match ActorKind::parse(&r.actor_kind)? {
            ActorKind::Counselor => self.counselors.get(&id),
            ActorKind::Partner => self.partners.get(&id),
            _ => None,
        }
        .map(String::as_str)
    }

    /// The name of the counselor, partner or couple `r` is about, if any.
    pub fn target(&self, r: &AuditRow) -> Option<&str> {
        let id = r.target_id?;
        match r.target_kind.as_str() {
            "counselor" => self.counselors.get(&id),
            "partner" => self.partners.get(&id),
            "couple" => self.couples.get(&id),
            _ => None,
        }
        .map(String::as_str)
    }
}

pub fn names_for(conn: &mut DbConnection, rows: &[AuditRow]) -> QueryResult<Names> {
    let mut counselor_ids = Vec::new();
    let mut partner_ids = Vec::new();
    let mut couple_ids = Vec::new();
    for r in rows {
        let target = |kind: &str| (r.target_kind == kind).then_some(r.target_id).flatten();
        match ActorKind::parse(&r.actor_kind) {
            Some(ActorKind::Counselor) => counselor_ids.extend(r.actor_id),
            Some(ActorKind::Partner) => partner_ids.extend(r.actor_id),
            _ => {}
        }
        counselor_ids.extend(target("counselor"));
        partner_ids.extend(target("partner"));
        couple_ids.extend(target("couple"));
        couple_ids.extend(r.couple_id);
    }
    for v in [&mut counselor_ids, &mut partner_ids, &mut couple_ids] {
        v.sort_unstable();
        v.dedup();
    }
    Ok(Names {
        counselors: counselors::table
            .filter(counselors::id.eq_any(&counselor_ids))
            .select((counselors::id, counselors::display_name))
            .load::<(i32, String)>(conn)?
            .into_iter()
            .collect(),
        partners: partners::table
            .filter(partners::id.eq_any(&partner_ids))
            .select((partners::id, partners::display_name))
            .load::<(i32, String)>(conn)?
            .into_iter()
            .collect(),
        couples: couples::table
            .filter(couples::id.eq_any(&couple_ids))
            .select((couples::id, couples::label))
            .load::<(i32, String)>(conn)?
            .into_iter()
            .collect(),
    })
}

/// Every couple of the practice, for the filter (id, label, counselor's name).
pub fn couple_choices(conn: &mut DbConnection) -> QueryResult<Vec<(i32, String)>> {
    couples::table
        .order((couples::label.asc(), couples::id.asc()))
        .select((couples::id, couples::label))
        .load(conn)
}
