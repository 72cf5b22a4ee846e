//! Couples and their two partners. Every lookup a handler makes names the counselor (or,
//! for partners, the couple) it is for; a miss is `NotFound`, which the edge turns into 404.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{couples, partners};
use super::DbConnection;
use crate::domain::couple::{BreachBy, Confidentiality, CoupleStatus, Slot};
use crate::insert_returning_id;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = couples)]
pub struct CoupleRow {
    pub id: i32,
    pub counselor_id: i32,
    pub label: String,
    pub breach_by: String,
    pub confidentiality: String,
    pub status: CoupleStatus,
    pub start_date: NaiveDate,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
}

impl CoupleRow {
    pub fn status(&self) -> CoupleStatus {
        self.status
    }

    pub fn breach_by(&self) -> BreachBy {
        BreachBy::parse(&self.breach_by).unwrap_or(BreachBy::Unstated)
    }

    pub fn confidentiality(&self) -> Confidentiality {
        Confidentiality::parse(&self.confidentiality).unwrap_or(Confidentiality::NoSecrets)
    }

    pub fn is_closed(&self) -> bool {
        self.status() == CoupleStatus::Closed
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = partners)]
pub struct PartnerRow {
    pub id: i32,
    pub couple_id: i32,
    pub slot: Slot,
    pub display_name: String,
    pub email: String,
    pub time_zone: String,
    pub password_hash: Option<String>,
    pub reminders_enabled: bool,
    pub reminder_hour: i32,
    pub quiet_start_hour: Option<i32>,
    pub quiet_end_hour: Option<i32>,
    pub invited_at: Option<NaiveDateTime>,
    pub last_sign_in_at: Option<NaiveDateTime>,
    pub last_entry_at: Option<NaiveDateTime>,
    pub latest_trust: Option<i32>,
    pub previous_trust: Option<i32>,
    pub latest_trust_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub reminder_titles: bool,
    pub share_notices: bool,
}

impl PartnerRow {
    pub fn slot(&self) -> Slot {
        self.slot
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// First name only, for emails and greetings.
    pub fn first_name(&self) -> &str {
        self.display_name
            .split_whitespace()
            .next()
            .unwrap_or("there")
    }
}

/// What it takes to start a couple.
#[derive(Debug, Clone)]
pub struct NewCouple {
    pub label: String,
    pub breach_by: BreachBy,
    pub confidentiality: Confidentiality,
    pub start_date: NaiveDate,
    pub partners: [NewPartner; 2],
}

#[derive(Debug, Clone)]
pub struct NewPartner {
    pub display_name: String,
    pub email: String,
    pub time_zone: String,
}

/// Create a couple and both partners; returns (couple id, [partner a id, partner b id]).
/// Call inside a write transaction.
pub fn create(
    conn: &mut DbConnection,
    counselor_id: i32,
    new: &NewCouple,
    default_hour: i32,
) -> QueryResult<(i32, [i32; 2])> {
    let now = super::now();
    let couple_id = insert_returning_id!(
        conn,
        couples,
        (
            couples::counselor_id.eq(counselor_id),
            couples::label.eq(&new.label),
            couples::breach_by.eq(new.breach_by.as_str()),
            couples::confidentiality.eq(new.confidentiality.as_str()),
            couples::status.eq(CoupleStatus::Active),
            couples::start_date.eq(new.start_date),
            couples::created_at.eq(now),
            couples::updated_at.eq(now),
        )
    )?;
    let mut ids = [0; 2];
    for (i, (p, slot)) in new.partners.iter().zip([Slot::A, Slot::B]).enumerate() {
        ids[i] = insert_returning_id!(
            conn,
            partners,
            (
                partners::couple_id.eq(couple_id),
                partners::slot.eq(slot),
                partners::display_name.eq(&p.display_name),
                partners::email.eq(&p.email),
                partners::time_zone.eq(&p.time_zone),
                partners::reminder_hour.eq(default_hour),
                partners::created_at.eq(now),
                partners::updated_at.eq(now),
            )
        )?;
    }
    Ok((couple_id, ids))
}

/// A couple, only if it is this counselor's.
pub fn find_for_counselor(
    conn: &mut DbConnection,
    counselor_id: i32,
    couple_id: i32,
) -> QueryResult<CoupleRow> {
    couples::table
        .find(couple_id)
        .filter(couples::counselor_id.eq(counselor_id))
        .select(CoupleRow::as_select())
        .first(conn)
}

pub fn by_id(conn: &mut DbConnection, couple_id: i32) -> QueryResult<CoupleRow> {
    couples::table
        .find(couple_id)
        .select(CoupleRow::as_select())
        .first(conn)
}

/// Both partners, slot a first.
pub fn partners_of(conn: &mut DbConnection, couple_id: i32) -> QueryResult<Vec<PartnerRow>> {
    partners::table
        .filter(partners::couple_id.eq(couple_id))
        .order(partners::slot.asc())
        .select(PartnerRow::as_select())
        .load(conn)
}

pub fn partner_by_id(conn: &mut DbConnection, partner_id: i32) -> QueryResult<PartnerRow> {
    partners::table
        .find(partner_id)
        .select(PartnerRow::as_select())
        .first(conn)
}

/// The other partner of the same couple.
pub fn other_partner(
    conn: &mut DbConnection,
    couple_id: i32,
    partner_id: i32,
) -> QueryResult<PartnerRow> {
    partners::table
        .filter(partners::couple_id.eq(couple_id))
        .filter(partners::id.ne(partner_id))
        .select(PartnerRow::as_select())
        .first(conn)
}

/// Partners whose address matches (an address may belong to partners of several couples).
pub fn partners_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Vec<PartnerRow>> {
    partners::table
        .filter(partners::email.eq(email))
        .select(PartnerRow::as_select())
        .load(conn)
}

/// A counselor's couples, newest first, optionally only those whose label or partner
/// names contain `search`.
pub fn list_for_counselor(
    conn: &mut DbConnection,
    counselor_id: i32,
    search: Option<&str>,
    include_closed: bool,
) -> QueryResult<Vec<CoupleRow>> {
    let mut q = couples::table
        .filter(couples::counselor_id.eq(counselor_id))
        .select(CoupleRow::as_select())
        .order(couples::label.asc())
        .into_boxed();
    if !include_closed {
        q = q.filter(couples::status.ne(CoupleStatus::Closed));
    }
    if let Some(term) = search.map(str::trim).filter(|s| !s.is_empty()) {
        let term = term.to_lowercase();
        let pattern = format!(
            "%{}%",
            term.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let matching_partners = partners::table
            .filter(
                super::lower(partners::display_name)
                    .like(pattern.clone())
                    .escape('\\'),
            )
            .select(partners::couple_id);
        q = q.filter(
            super::lower(couples::label)
                .like(pattern)
                .escape('\\')
                .or(couples::id.eq_any(matching_partners)),
        );
    }
    q.load(conn)
}

pub fn set_status(
    conn: &mut DbConnection,
    couple_id: i32,
    status: CoupleStatus,
) -> QueryResult<usize> {
    let now = super::now();
    diesel::update(couples::table.find(couple_id))
        .set((
            couples::status.eq(status),
            couples::updated_at.eq(now),
            couples::closed_at.eq((status == CoupleStatus::Closed).then_some(now)),
        ))
        .execute(conn)
}

/// Change the couple's record and both partners' details. Call inside a write transaction,
/// after checking the couple is the counselor's.
/// Take the couple's row first, in a transaction whose first change is to a partner's row.
/// The data-version triggers lock the couple's row right after a partner row changes; the
/// counselor's edit locks the couple, then the partners. Without this, a partner saving
/// their settings (partner, then couple) at the same moment could wait on that edit in a
/// circle, which PostgreSQL breaks by failing one of them. (It bumps the data version,
/// which the change that follows does anyway.)
pub fn lock_for_change(conn: &mut DbConnection, couple_id: i32) -> QueryResult<()> {
    diesel::update(couples::table.find(couple_id))
        .set(couples::data_version.eq(couples::data_version + 1))
        .execute(conn)?;
    Ok(())
}

pub fn update(conn: &mut DbConnection, couple_id: i32, new: &NewCouple) -> QueryResult<()> {
    let now = super::now();
    diesel::update(couples::table.find(couple_id))
        .set((
            couples::label.eq(&new.label),
            couples::breach_by.eq(new.breach_by.as_str()),
            couples::confidentiality.eq(new.confidentiality.as_str()),
            couples::start_date.eq(new.start_date),
            couples::updated_at.eq(now),
        ))
        .execute(conn)?;
    for (p, slot) in new.partners.iter().zip([Slot::A, Slot::B]) {
        diesel::update(
            partners::table
                .filter(partners::couple_id.eq(couple_id))
                .filter(partners::slot.eq(slot)),
        )
        .set((
            partners::display_name.eq(&p.display_name),
            partners::email.eq(&p.email),
            partners::time_zone.eq(&p.time_zone),
            partners::updated_at.eq(now),
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// Hand the couple to another counselor (practice admin only; the caller checks).
pub fn reassign(conn: &mut DbConnection, couple_id: i32, counselor_id: i32) -> QueryResult<usize> {
    diesel::update(couples::table.find(couple_id))
        .set((
            couples::counselor_id.eq(counselor_id),
            couples::updated_at.eq(super::now()),
        ))
        .execute(conn)
}

/// Every open couple in the practice with its counselor's name, for the admin's
/// reassignment list (labels only: no partner data).
pub fn practice_overview(
    conn: &mut DbConnection,
) -> QueryResult<Vec<(i32, String, CoupleStatus, String)>> {
    use super::schema::counselors;
    couples::table
        .inner_join(counselors::table)
        .filter(couples::status.ne(CoupleStatus::Closed))
        .order((counselors::display_name.asc(), couples::label.asc()))
        .select((
            couples::id,
            couples::label,
            couples::status,
            counselors::display_name,
        ))
        .load(conn)
}

/// Both partners of many couples at once.
pub fn partners_of_couples(
    conn: &mut DbConnection,
    couple_ids: &[i32],
) -> QueryResult<Vec<PartnerRow>> {
    partners::table
        .filter(partners::couple_id.eq_any(couple_ids))
        .order((partners::couple_id.asc(), partners::slot.asc()))
        .select(PartnerRow::as_select())
        .load(conn)
}
