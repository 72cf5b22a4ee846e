-- Counselor accounts: second factor, recovery codes, the practice's two-factor rule,
-- pending second-factor sign-ins, remembered browsers, password reset and invitation
-- links, login throttles, session details, and the audit log's hash chain.

CREATE TABLE two_factor (
    counselor_id INTEGER PRIMARY KEY NOT NULL REFERENCES counselors(id),
    secret TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    counselor_id INTEGER NOT NULL REFERENCES counselors(id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX recovery_codes_counselor ON recovery_codes (counselor_id);

-- One row (id 1). A practice set up before two-factor existed keeps working as it did
-- (requirement off) until its admin turns it on; a new practice gets the row at setup.
CREATE TABLE practice_security (
    id INTEGER PRIMARY KEY NOT NULL,
    require_two_factor BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO practice_security (id, require_two_factor, updated_at)
    SELECT 1, 0, CURRENT_TIMESTAMP WHERE EXISTS (SELECT 1 FROM counselors);

CREATE TABLE login_challenges (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    counselor_id INTEGER NOT NULL REFERENCES counselors(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE remembered_browsers (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    counselor_id INTEGER NOT NULL REFERENCES counselors(id),
    user_agent TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX remembered_browsers_counselor ON remembered_browsers (counselor_id);

CREATE TABLE password_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    counselor_id INTEGER NOT NULL REFERENCES counselors(id),
    purpose TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX password_tokens_counselor ON password_tokens (counselor_id);

CREATE TABLE login_throttles (
    key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    first_failure_at TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP NOT NULL
);

ALTER TABLE web_sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE web_sessions ADD COLUMN authenticated_at TIMESTAMP;

ALTER TABLE audit_log ADD COLUMN row_hash TEXT NOT NULL DEFAULT '';
-- The chain's head: every append locks this row first, so appends from every server
-- on the database are serialised and each row links to the one before it.
CREATE TABLE audit_chain (
    id INTEGER PRIMARY KEY NOT NULL,
    last_hash TEXT NOT NULL,
    appended BIGINT NOT NULL
);
INSERT INTO audit_chain (id, last_hash, appended) VALUES (1, '', 0);

ALTER TABLE email_outbox ADD COLUMN content_removed BOOLEAN NOT NULL DEFAULT 0;
