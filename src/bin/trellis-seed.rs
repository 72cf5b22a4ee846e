//! Demo and load-test data: a practice of counselors and couples with years of daily
//! entries, setbacks and sessions. The first counselor (bench@practice.test) is the one the
//! load script signs in as.
//!
//! `TRELLIS__DATABASE__URL=sqlite://data/bench.db trellis-seed --couples 1000 --days 730`

use anyhow::Context;
use chrono::{Days, Duration, NaiveDate, Utc};
use clap::Parser;
use diesel::connection::SimpleConnection;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use trellis::config::Settings;
use trellis::db::{self, couples::NewCouple, couples::NewPartner};
use trellis::domain::assignment_form::{Assignee, ValidAssignment};
use trellis::domain::couple::{BreachBy, Confidentiality};
use trellis::domain::occurrence::Cadence;

#[derive(Parser)]
#[command(about = "Fill a fresh Trellis database with a practice's worth of demo data")]
struct Args {
    /// Couples in the practice.
    #[arg(long, default_value_t = 1000)]
    couples: usize,
    /// Couples per counselor (the first counselor is the one measured).
    #[arg(long, default_value_t = 40)]
    per_counselor: usize,
    /// Days of history.
    #[arg(long, default_value_t = 730)]
    days: u64,
    /// Password of every seeded counselor.
    #[arg(long, default_value = "bench passphrase 2026")]
    password: String,
    /// Random seed, so runs are repeatable.
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

const ZONES: [&str; 6] = [
    "Europe/London",
    "America/New_York",
    "Europe/Berlin",
    "America/Los_Angeles",
    "Australia/Sydney",
    "UTC",
];
const NAMES: [&str; 12] = [
    "Sam", "Alex", "Jordan", "Robin", "Kai", "Noor", "Mika", "Ren", "Ari", "Dana", "Lee", "Tam",
];

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let settings = Settings::load(None)?;
    let db = trellis::prepare_database(&settings)?;
    let started = std::time::Instant::now();
    let mut rng = StdRng::seed_from_u64(args.seed);
    let hash = trellis::auth::password::hash(&args.password)?;
    let today = Utc::now().date_naive();
    let start = today
        .checked_sub_days(Days::new(args.days))
        .context("history too long")?;
    let daily = exercise(&db, "daily-check-in")?;
    let weekly = exercise(&db, "trust-check-in")?;
    let counselors = args.couples.div_ceil(args.per_counselor.max(1));
    let mut entries_total = 0usize;
    for c in 0..counselors {
        let email = if c == 0 {
            "bench@practice.test".to_string()
        } else {
            format!("counselor{c}@practice.test")
        };
        let (hash, email_c) = (hash.clone(), email.clone());
        let counselor_id = db
            .write_blocking(move |conn| {
                Ok(db::counselors::insert(
                    conn,
                    &db::counselors::NewCounselor {
                        email: &email_c,
                        display_name: &format!("Counselor {c}"),
                        password_hash: &hash,
                        is_admin: c == 0,
                        time_zone: "Europe/London",
                        active: true,
                        created_at: db::now(),
                    },
                )?)
            })
            .context("Failed to create a counselor")?;
        let n = args
            .per_counselor
            .min(args.couples - c * args.per_counselor);
        for i in 0..n {
            let seed: u64 = rng.gen();
            let count = seed_couple(
                &db,
                counselor_id,
                c * args.per_counselor + i,
                start,
                today,
                (daily, weekly),
                seed,
            )?;
            entries_total += count;
        }
        eprintln!(
            "counselor {}/{counselors}: {email}, {entries_total} entries so far ({:.0?})",
            c + 1,
            started.elapsed()
        );
    }
    db.checkpoint()?;
    // A benchmark signs in with a password alone: the seeded practice does not require
    // two-step sign-in (a real new practice does).
    db.write_blocking(|conn| Ok(db::practice_security::set_require_two_factor(conn, false)?))
        .context("Failed to set the practice's sign-in rule")?;
    db.write_blocking(|conn| Ok(conn.batch_execute("ANALYZE")?))
        .context("Failed to analyze the database")?;
    db.checkpoint()?;
    println!(
        "Seeded {} couples and {entries_total} entries in {:.1?}. Sign in as bench@practice.test / {}",
        args.couples,
        started.elapsed(),
        args.password
    );
    Ok(())
}

fn exercise(db: &db::Db, slug: &'static str) -> anyhow::Result<i32> {
    db.read_blocking(move |conn| Ok(db::exercises::find_by_slug(conn, slug)?.id))
        .context("Failed to find a built-in exercise")
}

/// One couple with two partners, a daily and a weekly assignment, entries for most days,
/// setbacks now and then, fortnightly sessions and one booked ahead. Returns entries made.
fn seed_couple(
    db: &db::Db,
    counselor_id: i32,
    n: usize,
    start: NaiveDate,
    today: NaiveDate,
    (daily, weekly): (i32, i32),
    seed: u64,
) -> anyhow::Result<usize> {
    db.write_blocking(move |conn| {
        let mut rng = StdRng::seed_from_u64(seed);
        let name = |rng: &mut StdRng| NAMES[rng.gen_range(0..NAMES.len())];
        let new = NewCouple {
            label: format!("Couple {n:04}"),
            breach_by: [BreachBy::A, BreachBy::B, BreachBy::Unstated][n % 3],
            confidentiality: Confidentiality::NoSecrets,
            start_date: start,
            partners: [0, 1].map(|i| NewPartner {
                display_name: format!("{} {n}{}", name(&mut rng), ["a", "b"][i]),
                email: format!("p{n}{}@example.test", ["a", "b"][i]),
                time_zone: ZONES[rng.gen_range(0..ZONES.len())].to_string(),
            }),
        };
        let (couple_id, partner_ids) = db::couples::create(conn, counselor_id, &new, 19)?;
        let assignment = |exercise_id, cadence| ValidAssignment {
            exercise_id,
            assignee: Assignee::Both,
            cadence,
            start_date: start,
            end_date: None,
            note: String::new(),
            reminders: true,
            partner_title: String::new(),
        };
        let daily_id = db::assignments::create(conn, couple_id, &assignment(daily, Cadence::Daily))?;
        let weekly_id =
            db::assignments::create(conn, couple_id, &assignment(weekly, Cadence::Weekly))?;
        // How diligent each partner is, and how trust drifts.
        let diligence: [f64; 2] = [rng.gen_range(0.80..0.99), rng.gen_range(0.75..0.99)];
        let mut trust: [i32; 2] = [rng.gen_range(3..8), rng.gen_range(3..8)];
        let mut history: [Vec<i32>; 2] = [Vec::new(), Vec::new()];
        let mut last_entry = [None, None];
        let mut values: Vec<String> = Vec::with_capacity(1000);
        let mut made = 0usize;
        let mut date = start;
        let mut day = 0u64;
        while date <= today {
            for (i, partner) in partner_ids.iter().enumerate() {
                if rng.gen_bool(diligence[i]) {
                    trust[i] = (trust[i] + rng.gen_range(-1..=1)).clamp(0, 10);
                    let at = date.and_hms_opt(20, rng.gen_range(0..60), 0).unwrap_or_default();
                    let at = if date == today { at - Duration::hours(14) } else { at };
                    values.push(format!(
                        "({couple_id},{partner},{daily},{daily_id},'{date}','submitted','counselor',{},{},'{at}','{at}','{at}')",
                        trust[i],
                        rng.gen_range(1..=5)
                    ));
                    history[i].push(trust[i]);
                    last_entry[i] = Some(at);
                    if day.is_multiple_of(7) {
                        values.push(format!(
                            "({couple_id},{partner},{weekly},{weekly_id},'{date}','submitted','counselor',{},NULL,'{at}','{at}','{at}')",
                            trust[i]
                        ));
                    }
                }
            }
            if values.len() >= 900 {
                made += flush(conn, &mut values)?;
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
            day += 1;
        }
        made += flush(conn, &mut values)?;
        for (i, partner) in partner_ids.iter().enumerate() {
            let h = &history[i];
            let latest = h.last().copied();
            let previous = h.len().checked_sub(2).and_then(|j| h.get(j)).copied();
            let last = last_entry[i]
                .map(|t| format!("'{t}'"))
                .unwrap_or_else(|| "NULL".into());
            conn.batch_execute(&format!(
                "UPDATE partners SET last_entry_at = {last}, latest_trust = {}, previous_trust = {}, latest_trust_at = {last} WHERE id = {partner}",
                latest.map_or("NULL".into(), |v| v.to_string()),
                previous.map_or("NULL".into(), |v| v.to_string()),
            ))?;
        }
        // Setbacks: about one a month; sessions every other week, one booked ahead.
        let days = (today - start).num_days();
        let mut rows = Vec::new();
        let mut dates: Vec<NaiveDate> = (0..(days / 30).max(1))
            .map(|_| start + Duration::days(rng.gen_range(0..=days)))
            .collect();
        // Logged in order, as they would be: the latest id is the latest setback.
        dates.sort();
        for d in dates {
            let at = d.and_hms_opt(21, 0, 0).unwrap_or_default();
            rows.push(format!(
                "({couple_id},{},'{d}','seeded',{},'counselor','{at}','{at}')",
                partner_ids[rng.gen_range(0..2)],
                rng.gen_range(1..=5)
            ));
        }
        conn.batch_execute(&format!(
            "INSERT INTO setbacks (couple_id, partner_id, happened_on, what_happened, severity, visibility, created_at, updated_at) VALUES {}",
            rows.join(",")
        ))?;
        let mut rows = Vec::new();
        let mut d = start + Duration::days(rng.gen_range(0..14));
        while d <= today + Duration::days(14) {
            let at = d.and_hms_opt(rng.gen_range(8..18), 0, 0).unwrap_or_default();
            rows.push(format!(
                "({couple_id},{counselor_id},'{at}',50,'booked','{at}','{at}')"
            ));
            d += Duration::days(14);
        }
        conn.batch_execute(&format!(
            "INSERT INTO therapy_sessions (couple_id, counselor_id, starts_at, duration_minutes, status, created_at, updated_at) VALUES {}",
            rows.join(",")
        ))?;
        Ok(made)
    })
    .context("Failed to seed a couple")
}

fn flush(conn: &mut db::DbConnection, values: &mut Vec<String>) -> diesel::QueryResult<usize> {
    if values.is_empty() {
        return Ok(0);
    }
    let n = values.len();
    conn.batch_execute(&format!(
        "INSERT INTO entries (couple_id, partner_id, exercise_id, assignment_id, occurrence_date, status, visibility, trust_score, mood_score, submitted_at, created_at, updated_at) VALUES {}",
        values.join(",")
    ))?;
    values.clear();
    Ok(n)
}
