#!/usr/bin/env python3
"""Benchmark data for the reports, written straight into a SQLite database that
`trellis migrate` has prepared (so the schema and exercise library are in place).

  gen_report_data.py DB year          a couple with a year of daily check-ins from both
                                       partners, weekly trust check-ins, weekly sessions,
                                       setbacks, flagged entries and comments
  gen_report_data.py DB rows N        one couple whose export has N answer rows

Both modes add a counselor with a signed-in session whose cookie value is `bench-token`
(send `Cookie: trellis_session=bench-token`). Prints the couple id.
"""
import datetime as dt
import hashlib
import random
import sqlite3
import sys

TOKEN = "bench-token"


def ts(t):
    return t.strftime("%Y-%m-%d %H:%M:%S.%f")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    db, mode = sys.argv[1], sys.argv[2]
    rows = int(sys.argv[3]) if mode == "rows" else 0
    con = sqlite3.connect(db)
    cur = con.cursor()
    now = dt.datetime.utcnow()
    today = now.date()
    cur.execute(
        "INSERT INTO counselors (email, display_name, password_hash, is_admin, time_zone, active, created_at)"
        " VALUES (?, 'Bench Counselor', 'not-a-hash', 1, 'UTC', 1, ?)",
        (f"bench{random.randint(0, 10**9)}@example.test", ts(now)),
    )
    counselor = cur.lastrowid
    cur.execute("DELETE FROM web_sessions WHERE token_hash = ?", (hashlib.sha256(TOKEN.encode()).hexdigest(),))
    cur.execute(
        "INSERT INTO web_sessions (token_hash, user_kind, user_id, csrf_token, created_at, last_seen_at)"
        " VALUES (?, 'counselor', ?, 'bench-csrf', ?, ?)",
        (hashlib.sha256(TOKEN.encode()).hexdigest(), counselor, ts(now), ts(now)),
    )
    start = today - dt.timedelta(days=366)
    cur.execute(
        "INSERT INTO couples (counselor_id, label, start_date, created_at, updated_at)"
        " VALUES (?, 'Bench, \"quoted\" couple', ?, ?, ?)",
        (counselor, start.isoformat(), ts(now), ts(now)),
    )
    couple = cur.lastrowid
    partners = []
    for slot, name in (("a", "Sam Rivera"), ("b", "Alex Chen")):
        cur.execute(
            "INSERT INTO partners (couple_id, slot, display_name, email, time_zone, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'Europe/Berlin', ?, ?)",
            (couple, slot, name, f"{slot}{couple}@example.test", ts(now), ts(now)),
        )
        partners.append(cur.lastrowid)
    ex = dict(cur.execute("SELECT slug, id FROM exercises WHERE slug IS NOT NULL").fetchall())
    prompts = {
        slug: cur.execute(
            "SELECT id, kind, metric FROM exercise_prompts WHERE exercise_id = ? ORDER BY position",
            (ex[slug],),
        ).fetchall()
        for slug in ("daily-check-in", "trust-check-in")
    }
    cur.execute(
        "INSERT INTO assignments (couple_id, exercise_id, assignee, cadence, start_date, created_at, updated_at)"
        " VALUES (?, ?, 'both', 'daily', ?, ?, ?)",
        (couple, ex["daily-check-in"], start.isoformat(), ts(now), ts(now)),
    )
    daily_assignment = cur.lastrowid
    cur.execute(
        "INSERT INTO assignments (couple_id, exercise_id, assignee, cadence, start_date, created_at, updated_at)"
        " VALUES (?, ?, 'both', 'weekly', ?, ?, ?)",
        (couple, ex["trust-check-in"], start.isoformat(), ts(now), ts(now)),
    )
    weekly_assignment = cur.lastrowid
    rnd = random.Random(7)

    def answer(kind, metric, i):
        if metric == "trust":
            return str(rnd.randint(3, 9))
        if metric == "mood":
            return str(rnd.randint(1, 5))
        if metric and metric.startswith("warn_"):
            return str(rnd.randint(1, 5))
        return rnd.choice([
            "Walked together, talked, \"really\" talked",
            "=1+2 looked like a formula",
            "Felt closer today 🌱",
            "Tired,\nbut hopeful",
        ]) + f" #{i}"

    def add_entry(partner, slug, assignment, day, i, flagged=False):
        sub = dt.datetime.combine(day, dt.time(18, 30))
        trust = rnd.randint(3, 9)
        cur.execute(
            "INSERT INTO entries (couple_id, partner_id, exercise_id, assignment_id, occurrence_date, status,"
            " visibility, flagged_for_session, trust_score, mood_score, submitted_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, 'submitted', 'counselor', ?, ?, ?, ?, ?, ?)",
            (couple, partner, ex[slug], assignment, day.isoformat(), int(flagged), trust,
             rnd.randint(1, 5), ts(sub), ts(sub), ts(sub)),
        )
        eid = cur.lastrowid
        cur.executemany(
            "INSERT INTO entry_answers (entry_id, prompt_id, value) VALUES (?, ?, ?)",
            [(eid, pid, answer(kind, metric, i)) for pid, kind, metric in prompts[slug]],
        )
        return eid

    if mode == "year":
        i = 0
        for d in range(366):
            day = start + dt.timedelta(days=d)
            for p in partners:
                if rnd.random() < 0.9:
                    eid = add_entry(p, "daily-check-in", daily_assignment, day, i, flagged=rnd.random() < 0.03)
                    if rnd.random() < 0.05:
                        cur.execute(
                            "INSERT INTO entry_comments (entry_id, counselor_id, body, created_at) VALUES (?, ?, ?, ?)",
                            (eid, counselor, "Worth asking about", ts(dt.datetime.combine(day, dt.time(20)))),
                        )
                if d % 7 == 0:
                    add_entry(p, "trust-check-in", weekly_assignment, day, i)
                i += 1
            if d % 7 == 3:
                cur.execute(
                    "INSERT INTO therapy_sessions (couple_id, counselor_id, starts_at, duration_minutes, status, created_at, updated_at)"
                    " VALUES (?, ?, ?, 50, 'booked', ?, ?)",
                    (couple, counselor, ts(dt.datetime.combine(day, dt.time(15))), ts(now), ts(now)),
                )
            if d % 23 == 0:
                cur.execute(
                    "INSERT INTO setbacks (couple_id, partner_id, happened_on, what_happened, repair_attempted, severity,"
                    " visibility, raise_in_session, created_at, updated_at) VALUES (?, ?, ?, 'An old argument came back', ?, ?, 'counselor', 1, ?, ?)",
                    (couple, partners[d % 2], day.isoformat(), d % 2, 1 + d % 5, ts(now), ts(now)),
                )
    else:
        per_entry = len(prompts["daily-check-in"])
        n_entries = (rows + per_entry - 1) // per_entry
        for i in range(n_entries):
            day = start + dt.timedelta(days=i % 366)
            add_entry(partners[i % 2], "daily-check-in", daily_assignment, day, i)
            if i % 50000 == 0:
                con.commit()
    con.commit()
    print(couple)


if __name__ == "__main__":
    main()
