-- Trellis schema: the whole domain. SQLite flavour; the PostgreSQL migration of the
-- same name holds the same tables with the same column types.

CREATE TABLE counselors (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL DEFAULT 0,
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    deactivated_at TIMESTAMP
);

CREATE TABLE couples (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    counselor_id INTEGER NOT NULL REFERENCES counselors(id),
    label TEXT NOT NULL,
    breach_by TEXT NOT NULL DEFAULT 'unstated',
    confidentiality TEXT NOT NULL DEFAULT 'no_secrets',
    status TEXT NOT NULL DEFAULT 'active',
    start_date DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);
CREATE INDEX couples_counselor_status ON couples (counselor_id, status);

CREATE TABLE partners (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    couple_id INTEGER NOT NULL REFERENCES couples(id),
    slot TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL,
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    password_hash TEXT,
    reminders_enabled BOOLEAN NOT NULL DEFAULT 1,
    reminder_hour INTEGER NOT NULL DEFAULT 19,
    quiet_start_hour INTEGER,
    quiet_end_hour INTEGER,
    invited_at TIMESTAMP,
    last_sign_in_at TIMESTAMP,
    last_entry_at TIMESTAMP,
    latest_trust INTEGER,
    previous_trust INTEGER,
    latest_trust_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (couple_id, slot)
);
CREATE INDEX partners_email ON partners (email);

CREATE TABLE exercises (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    counselor_id INTEGER REFERENCES counselors(id),
    slug TEXT UNIQUE,
    builtin_version INTEGER NOT NULL DEFAULT 0,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    elements TEXT NOT NULL,
    performer TEXT NOT NULL,
    cadence_hint TEXT NOT NULL,
    default_visibility TEXT NOT NULL,
    visibility_choice BOOLEAN NOT NULL DEFAULT 0,
    paired_reveal BOOLEAN NOT NULL DEFAULT 0,
    safety_check BOOLEAN NOT NULL DEFAULT 0,
    shared_journal BOOLEAN NOT NULL DEFAULT 0,
    archived_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX exercises_counselor ON exercises (counselor_id);

CREATE TABLE exercise_prompts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    exercise_id INTEGER NOT NULL REFERENCES exercises(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    help TEXT NOT NULL DEFAULT '',
    required BOOLEAN NOT NULL DEFAULT 1,
    scale_min INTEGER,
    scale_max INTEGER,
    scale_low_label TEXT,
    scale_high_label TEXT,
    options TEXT NOT NULL DEFAULT '',
    metric TEXT
);
CREATE INDEX exercise_prompts_exercise ON exercise_prompts (exercise_id, position);

CREATE TABLE assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    couple_id INTEGER NOT NULL REFERENCES couples(id),
    exercise_id INTEGER NOT NULL REFERENCES exercises(id),
    assignee TEXT NOT NULL,
    cadence TEXT NOT NULL,
    weekdays INTEGER NOT NULL DEFAULT 0,
    interval_days INTEGER NOT NULL DEFAULT 1,
    start_date DATE NOT NULL,
    end_date DATE,
    due_date DATE,
    note TEXT NOT NULL DEFAULT '',
    reminders BOOLEAN NOT NULL DEFAULT 1,
    status TEXT NOT NULL DEFAULT 'active',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX assignments_couple ON assignments (couple_id, status);

CREATE TABLE assignment_pauses (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    start_date DATE NOT NULL,
    end_date DATE
);
CREATE INDEX assignment_pauses_assignment ON assignment_pauses (assignment_id);

CREATE TABLE entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    couple_id INTEGER NOT NULL REFERENCES couples(id),
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    exercise_id INTEGER NOT NULL REFERENCES exercises(id),
    assignment_id INTEGER REFERENCES assignments(id),
    occurrence_date DATE,
    status TEXT NOT NULL DEFAULT 'draft',
    visibility TEXT NOT NULL,
    flagged_for_session BOOLEAN NOT NULL DEFAULT 0,
    trust_score INTEGER,
    mood_score INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    submitted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX entries_couple_date ON entries (couple_id, occurrence_date);
CREATE INDEX entries_partner_submitted ON entries (partner_id, submitted_at);
CREATE INDEX entries_assignment ON entries (assignment_id, partner_id, occurrence_date);

CREATE TABLE entry_answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    entry_id INTEGER NOT NULL REFERENCES entries(id),
    prompt_id INTEGER NOT NULL REFERENCES exercise_prompts(id),
    value TEXT NOT NULL,
    UNIQUE (entry_id, prompt_id)
);

CREATE TABLE entry_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    entry_id INTEGER NOT NULL REFERENCES entries(id),
    version INTEGER NOT NULL,
    answers_json TEXT NOT NULL,
    visibility TEXT NOT NULL,
    saved_at TIMESTAMP NOT NULL
);
CREATE INDEX entry_versions_entry ON entry_versions (entry_id);

CREATE TABLE entry_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    entry_id INTEGER NOT NULL REFERENCES entries(id),
    counselor_id INTEGER NOT NULL REFERENCES counselors(id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX entry_comments_entry ON entry_comments (entry_id);

CREATE TABLE setbacks (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    couple_id INTEGER NOT NULL REFERENCES couples(id),
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    happened_on DATE NOT NULL,
    what_happened TEXT NOT NULL,
    trigger_text TEXT NOT NULL DEFAULT '',
    reaction TEXT NOT NULL DEFAULT '',
    repair_attempted BOOLEAN NOT NULL DEFAULT 0,
    repair_text TEXT NOT NULL DEFAULT '',
    severity INTEGER NOT NULL,
    do_differently TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL,
    raise_in_session BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX setbacks_couple ON setbacks (couple_id, created_at);

CREATE TABLE therapy_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    couple_id INTEGER NOT NULL REFERENCES couples(id),
    counselor_id INTEGER NOT NULL REFERENCES counselors(id),
    starts_at TIMESTAMP NOT NULL,
    duration_minutes INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'booked',
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX therapy_sessions_couple ON therapy_sessions (couple_id, starts_at);
CREATE INDEX therapy_sessions_counselor ON therapy_sessions (counselor_id, starts_at);

CREATE TABLE email_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    dedupe_key TEXT UNIQUE,
    kind TEXT NOT NULL,
    to_address TEXT NOT NULL,
    to_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    unsubscribe_url TEXT,
    partner_id INTEGER REFERENCES partners(id),
    counselor_id INTEGER REFERENCES counselors(id),
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    lease_owner TEXT,
    last_error TEXT,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);

CREATE TABLE email_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    outbox_id INTEGER NOT NULL REFERENCES email_outbox(id),
    attempted_at TIMESTAMP NOT NULL,
    succeeded BOOLEAN NOT NULL,
    error TEXT
);
CREATE INDEX email_attempts_outbox ON email_attempts (outbox_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id INTEGER,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL DEFAULT '',
    target_id INTEGER,
    couple_id INTEGER,
    request_id TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_couple ON audit_log (couple_id, at);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE web_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    user_kind TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_kind, user_id);

CREATE TABLE sign_in_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    purpose TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX sign_in_tokens_partner ON sign_in_tokens (partner_id);

CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL
);

CREATE TABLE form_submissions (
    token TEXT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL
);
