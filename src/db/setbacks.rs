//! Setback notes. Listing for a partner returns their own and the other partner's shared
//! notes only; the counselor's list is scoped by the couple the caller already checked.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::setbacks;
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
