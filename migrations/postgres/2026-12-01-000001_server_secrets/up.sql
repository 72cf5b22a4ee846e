-- Secrets every server process on this database shares, such as the key that signs the
-- pre-sign-in CSRF cookie. Each row is created once, at start-up, if absent.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
