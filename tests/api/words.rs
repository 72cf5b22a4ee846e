//! The word enums (statuses, kinds, slots, audit actions) stored as text, on whichever back
//! end the suite runs against; and the one rule for "next booked session".

use chrono::{Duration, NaiveDateTime, Timelike};
use diesel::prelude::*;
use diesel::sql_types::Text;
use trellis::db;
use trellis::domain::audit_action::{ActorKind, AuditAction};
use trellis::domain::couple::{CoupleStatus, Slot};
use trellis::domain::exercise::Visibility;
use trellis::domain::session_form::ValidSession;
use trellis::domain::status::{
    AssignmentStatus, EntryStatus, OutboxStatus, SessionStatus, TextWord, TokenPurpose, UserKind,
};

use crate::couples::create_couple;
use crate::helpers::spawn_app;

/// Binds every variant of each word as a query parameter and reads it back as that word.
macro_rules! read_back_all {
    ($conn:expr, $($ty:ty),+ $(,)?) => {{
        let mut n = 0;
        $(
            for &w in <$ty as TextWord>::ALL {
                let back: $ty = diesel::select(w.into_sql::<Text>()).get_result($conn)?;
                assert_eq!(back, w);
                let text: String = diesel::select(w.into_sql::<Text>()).get_result($conn)?;
                assert_eq!(text, TextWord::as_str(w), "stored as its text");
                n += 1;
            }
        )+
        n
    }};
}

#[tokio::test]
async fn every_word_is_stored_as_its_text_and_read_back() {
    let app = spawn_app().await;
    let (n, unknown) = app
        .db
        .read_blocking(|conn| {
            let n = read_back_all!(
                conn,
                AssignmentStatus,
                EntryStatus,
                SessionStatus,
                OutboxStatus,
                CoupleStatus,
                Slot,
                Visibility,
                UserKind,
                TokenPurpose,
                AuditAction,
                ActorKind,
            );
            // A text no variant spells is an error from the query, not a panic.
            let unknown = diesel::select("postponed".into_sql::<Text>())
                .get_result::<SessionStatus>(conn)
                .map_err(|e| chain(&e));
            Ok((n, unknown))
        })
        .expect("read back");
    assert!(n > 70, "{n} words read back");
    let err = unknown.expect_err("an unknown status is refused");
    assert!(err.contains("unknown session status"), "{err}");
}

/// An error with its causes, as the log shows them.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    text
}

fn minute(t: NaiveDateTime) -> NaiveDateTime {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("a whole minute")
}

#[tokio::test]
async fn a_session_starting_right_now_is_still_the_next_one_everywhere() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let couple = create_couple(&app, "Rivera", "a").await;
    let start = minute(db::now()) + Duration::hours(2);
    let later = start + Duration::days(7);

    let seen = app
        .db
        .write_blocking(move |conn| {
            let counselor = db::couples::by_id(conn, couple)?.counselor_id;
            let book = |conn: &mut db::DbConnection, at: NaiveDateTime| {
                let v = ValidSession {
                    starts_at: at,
                    duration_minutes: 50,
                    note: String::new(),
                };
                db::therapy_sessions::create(conn, couple, counselor, &v)
            };
            // A cancelled session at the same time never counts.
            let cancelled = book(conn, start)?;
            db::therapy_sessions::cancel(conn, cancelled)?;
            book(conn, start)?;
            book(conn, later)?;

            let mut seen = Vec::new();
            for now in [
                start - Duration::minutes(1),
                start,
                start + Duration::seconds(1),
            ] {
                let page = db::therapy_sessions::next_for_couple(conn, couple, now)?
                    .map(|s| (s.starts_at, s.status));
                let home = db::partner_home::next_session(conn, couple, now)?.map(|(at, _)| at);
                let dash = db::therapy_sessions::next_starts(conn, &[couple], now)?
                    .into_iter()
                    .find_map(|(id, at)| (id == couple).then_some(at).flatten());
                seen.push((page, home, dash));
            }
            Ok(seen)
        })
        .expect("sessions");

    let booked = Some((start, SessionStatus::Booked));
    assert_eq!(
        seen[0],
        (booked, Some(start), Some(start)),
        "a minute before"
    );
    assert_eq!(seen[1], (booked, Some(start), Some(start)), "at its start");
    let next_week = Some((later, SessionStatus::Booked));
    assert_eq!(
        seen[2],
        (next_week, Some(later), Some(later)),
        "once it has begun, the next one is next"
    );
}
