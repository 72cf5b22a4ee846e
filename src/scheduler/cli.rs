//! `trellis send-reminders` (one plan-and-deliver pass, for cron) and the hidden
//! `trellis bench-plan` (seed a fresh database and time one planning pass).

use std::time::Instant;

use anyhow::{bail, Context};
use chrono::{Duration, Utc};
use diesel::prelude::*;

use crate::config::Settings;
use crate::db::schema::{assignments, counselors, couples, exercises, partners};
use crate::db::{self, DbConnection};
use crate::domain::couple::Slot;

/// One planning pass, housekeeping, then delivery of everything due; prints the counts.
pub fn send_reminders(settings: &Settings) -> anyhow::Result<()> {
    let db = crate::prepare_database(settings)?;
    let started = Instant::now();
    let now = Utc::now();
    let report = super::plan_pass(&db, settings, now)?;
    let escalated = super::escalate::escalate_pass(&db, settings, now)?;
    super::housekeeping(&db, settings, now)?;
    println!(
        "planned: due {}  overdue {}  session {}  digest {}  escalated {}  in {} ms",
        report.due,
        report.overdue,
        report.session,
        report.digest,
        escalated,
        started.elapsed().as_millis()
    );
    crate::email::cli::deliver(settings, db)
}

/// Seed `couples` couples (two partners each, a daily exercise for both) and time passes.
pub fn bench_plan(settings: &Settings, couples_wanted: usize) -> anyhow::Result<()> {
    let db = crate::prepare_database(settings)?;
    let empty = db
        .read_blocking(|conn| Ok(couples::table.count().get_result::<i64>(conn)? == 0))
        .context("Failed to count the couples")?;
    if !empty {
        bail!("bench-plan wants a fresh database (point database.url at a new file)");
    }
    let seeded = Instant::now();
    db.write_blocking(|conn| Ok(seed(conn, couples_wanted)?))
        .context("Failed to seed the benchmark couples")?;
    println!(
        "seeded {} couples / {} partners in {} ms",
        couples_wanted,
        couples_wanted * 2,
        seeded.elapsed().as_millis()
    );
    let today = Utc::now().date_naive();
    // 12:00 UTC: nothing due (every partner's hour is 19:00 UTC or later here).
    let quiet_noon = today.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
    // 19:00 UTC: every partner owes today's exercise now.
    let evening = today.and_hms_opt(19, 0, 0).unwrap_or_default().and_utc();
    for (label, now) in [
        ("nothing due", quiet_noon),
        ("all due", evening),
        ("all due, second pass", evening),
    ] {
        let t = Instant::now();
        let r = super::plan_pass(&db, settings, now)?;
        println!(
            "pass ({label}): queued {} (due {}, overdue {}) in {} ms",
            r.total(),
            r.due,
            r.overdue,
            t.elapsed().as_millis()
        );
    }
    Ok(())
}

fn seed(conn: &mut DbConnection, n: usize) -> QueryResult<()> {
    let now = db::now();
    let start = now.date() - Duration::days(3);
    diesel::insert_into(counselors::table)
        .values((
            counselors::email.eq("bench@practice.test"),
            counselors::display_name.eq("Bench Counselor"),
            counselors::password_hash.eq("-"),
            counselors::is_admin.eq(true),
            counselors::time_zone.eq("Europe/Berlin"),
            counselors::active.eq(true),
            counselors::created_at.eq(now),
        ))
        .execute(conn)?;
    let counselor: i32 = counselors::table
        .select(counselors::id)
        .order(counselors::id.desc())
        .first(conn)?;
    let exercise: i32 = exercises::table
        .select(exercises::id)
        .order(exercises::id.asc())
        .first(conn)?;
    for i in 0..n {
        diesel::insert_into(couples::table)
            .values((
                couples::counselor_id.eq(counselor),
                couples::label.eq(format!("Bench {i}")),
                couples::start_date.eq(start),
                couples::created_at.eq(now),
                couples::updated_at.eq(now),
            ))
            .execute(conn)?;
        let couple: i32 = couples::table
            .select(couples::id)
            .order(couples::id.desc())
            .first(conn)?;
        for slot in [Slot::A, Slot::B] {
            diesel::insert_into(partners::table)
                .values((
                    partners::couple_id.eq(couple),
                    partners::slot.eq(slot),
                    partners::display_name.eq(format!("P{i}{slot}")),
                    partners::email.eq(format!("p{i}{slot}@bench.test")),
                    partners::time_zone.eq("UTC"),
                    partners::created_at.eq(now),
                    partners::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        diesel::insert_into(assignments::table)
            .values((
                assignments::couple_id.eq(couple),
                assignments::exercise_id.eq(exercise),
                assignments::assignee.eq("both"),
                assignments::cadence.eq("daily"),
                assignments::start_date.eq(start),
                assignments::note.eq(""),
                assignments::created_at.eq(now),
                assignments::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
