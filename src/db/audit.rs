//! The append-only audit log: every sign-in, and every view, change or export of a
//! couple's data.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_log;
use super::DbConnection;
use crate::domain::audit_action::{ActorKind, AuditAction};

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAudit {
    pub at: NaiveDateTime,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i32>,
    pub action: AuditAction,
    pub target_kind: String,
    pub target_id: Option<i32>,
    pub couple_id: Option<i32>,
    pub request_id: String,
    pub detail: String,
}

/// A row as read back: the words stay text here, so rows written by older versions (or by
/// hand) still show on the admin page instead of failing the whole read.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i32,
    pub at: NaiveDateTime,
    pub actor_kind: String,
    pub actor_id: Option<i32>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<i32>,
    pub couple_id: Option<i32>,
    pub request_id: String,
    pub detail: String,
}

impl NewAudit {
    /// An event by `actor_kind` #`actor_id`; narrow it with the builder methods.
    pub fn new(
        actor_kind: ActorKind,
        actor_id: Option<i32>,
        action: AuditAction,
        request_id: &str,
    ) -> Self {
        NewAudit {
            at: super::now(),
            actor_kind,
            actor_id,
            action,
            target_kind: String::new(),
            target_id: None,
            couple_id: None,
            request_id: request_id.to_string(),
            detail: String::new(),
        }
    }

    pub fn target(mut self, kind: &str, id: i32) -> Self {
        self.target_kind = kind.to_string();
        self.target_id = Some(id);
        self
    }

    pub fn couple(mut self, couple_id: i32) -> Self {
        self.couple_id = Some(couple_id);
        self
    }

    /// Structured, never free text a user wrote.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// Append one row to the log, linked into the hash chain. Call inside a write transaction.
pub fn record(conn: &mut DbConnection, event: &NewAudit) -> QueryResult<()> {
    super::audit_chain::append(conn, std::slice::from_ref(event))
}

pub fn recent(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<AuditRow>> {
    audit_log::table
        .order(audit_log::id.desc())
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)
}

pub fn count_action(conn: &mut DbConnection, action: AuditAction) -> QueryResult<i64> {
    audit_log::table
        .filter(audit_log::action.eq(action))
        .count()
        .get_result(conn)
}
