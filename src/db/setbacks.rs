//! Setback notes. Listing for a partner returns their own and the other partner's shared
//! notes only; the counselor's list is scoped by the couple the caller already checked.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{setback_versions, setbacks};
use super::DbConnection;
use crate::domain::entry::NewSetback;
use crate::domain::exercise::Visibility;
use crate::insert_returning_id;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = setbacks)]
pub struct SetbackRow {
    pub id: i32,
    pub couple_id: i32,
    pub partner_id: i32,
    pub happened_on: NaiveDate,
    pub what_happened: String,
    pub trigger_text: String,
    pub reaction: String,
    pub repair_attempted: bool,
    pub repair_text: String,
    pub severity: i32,
    pub do_differently: String,
    pub visibility: Visibility,
    pub raise_in_session: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SetbackRow {
    pub fn visibility(&self) -> Visibility {
        self.visibility
    }
}

pub fn create(
    conn: &mut DbConnection,
    couple_id: i32,
    partner_id: i32,
    s: &NewSetback,
) -> QueryResult<i32> {
    let now = super::now();
    insert_returning_id!(
        conn,
        setbacks,
        (
            setbacks::couple_id.eq(couple_id),
            setbacks::partner_id.eq(partner_id),
            setbacks::happened_on.eq(s.happened_on),
            setbacks::what_happened.eq(&s.what_happened),
            setbacks::trigger_text.eq(&s.trigger_text),
            setbacks::reaction.eq(&s.reaction),
            setbacks::repair_attempted.eq(s.repair_attempted),
            setbacks::repair_text.eq(&s.repair_text),
            setbacks::severity.eq(s.severity),
            setbacks::do_differently.eq(&s.do_differently),
            setbacks::visibility.eq(s.visibility),
            setbacks::raise_in_session.eq(s.raise_in_session),
            setbacks::created_at.eq(now),
            setbacks::updated_at.eq(now),
        )
    )
}

/// What a partner may read: their own notes and the other partner's shared ones.
pub fn visible_to_partner(
    conn: &mut DbConnection,
    couple_id: i32,
    partner_id: i32,
) -> QueryResult<Vec<SetbackRow>> {
    setbacks::table
        .filter(setbacks::couple_id.eq(couple_id))
        .filter(
            setbacks::partner_id
                .eq(partner_id)
                .or(setbacks::visibility.eq(Visibility::CounselorAndPartner)),
        )
        .order((setbacks::happened_on.desc(), setbacks::id.desc()))
        .limit(200)
        .select(SetbackRow::as_select())
        .load(conn)
}

/// One note in this couple (visibility is the caller's to check).
pub fn find_in_couple(conn: &mut DbConnection, couple_id: i32, id: i32) -> QueryResult<SetbackRow> {
    setbacks::table
        .find(id)
        .filter(setbacks::couple_id.eq(couple_id))
        .select(SetbackRow::as_select())
        .first(conn)
}

/// Filters for the counselor's timeline.
#[derive(Debug, Clone, Default)]
pub struct SetbackFilter {
    pub partner_id: Option<i32>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub flagged_only: bool,
}

/// Every note of a couple, newest first (counselor; couple already scoped).
pub fn for_couple(
    conn: &mut DbConnection,
    couple_id: i32,
    f: &SetbackFilter,
    limit: i64,
) -> QueryResult<Vec<SetbackRow>> {
    let mut q = setbacks::table
        .filter(setbacks::couple_id.eq(couple_id))
        .select(SetbackRow::as_select())
        .order((setbacks::happened_on.desc(), setbacks::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(p) = f.partner_id {
        q = q.filter(setbacks::partner_id.eq(p));
    }
    if let Some(from) = f.from {
        q = q.filter(setbacks::happened_on.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(setbacks::happened_on.le(to));
    }
    if f.flagged_only {
        q = q.filter(setbacks::raise_in_session.eq(true));
    }
    q.load(conn)
}

#[derive(serde::Serialize)]
struct StoredSetback<'a> {
    happened_on: String,
    what_happened: &'a str,
    trigger_text: &'a str,
    reaction: &'a str,
    repair_attempted: bool,
    repair_text: &'a str,
    severity: i32,
    do_differently: &'a str,
    visibility: &'a str,
    raise_in_session: bool,
}

/// Change a note, first keeping what it said as an earlier version (same transaction as
/// the caller's check that the author may still change it).
pub fn update(conn: &mut DbConnection, old: &SetbackRow, s: &NewSetback) -> QueryResult<()> {
    let stored = StoredSetback {
        happened_on: old.happened_on.format("%Y-%m-%d").to_string(),
        what_happened: &old.what_happened,
        trigger_text: &old.trigger_text,
        reaction: &old.reaction,
        repair_attempted: old.repair_attempted,
        repair_text: &old.repair_text,
        severity: old.severity,
        do_differently: &old.do_differently,
        visibility: old.visibility.as_str(),
        raise_in_session: old.raise_in_session,
    };
    let json = serde_json::to_string(&stored)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let version = version_count(conn, old.id)? as i32 + 1;
    diesel::insert_into(setback_versions::table)
        .values((
            setback_versions::setback_id.eq(old.id),
            setback_versions::version.eq(version),
            setback_versions::fields_json.eq(json),
            setback_versions::saved_at.eq(old.updated_at),
        ))
        .execute(conn)?;
    diesel::update(setbacks::table.find(old.id))
        .set((
            setbacks::happened_on.eq(s.happened_on),
            setbacks::what_happened.eq(&s.what_happened),
            setbacks::trigger_text.eq(&s.trigger_text),
            setbacks::reaction.eq(&s.reaction),
            setbacks::repair_attempted.eq(s.repair_attempted),
            setbacks::repair_text.eq(&s.repair_text),
            setbacks::severity.eq(s.severity),
            setbacks::do_differently.eq(&s.do_differently),
            setbacks::visibility.eq(s.visibility),
            setbacks::raise_in_session.eq(s.raise_in_session),
            setbacks::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// How many earlier versions of a note are kept.
pub fn version_count(conn: &mut DbConnection, setback_id: i32) -> QueryResult<i64> {
    setback_versions::table
        .filter(setback_versions::setback_id.eq(setback_id))
        .count()
        .get_result(conn)
}
