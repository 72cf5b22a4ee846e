-- One-click unsubscribe links in reminder emails. Only the SHA-256 of a token is stored.
-- Separate from sign_in_tokens so an unsubscribe link can never sign anyone in.
CREATE TABLE unsubscribe_tokens (
    id SERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX unsubscribe_tokens_expiry ON unsubscribe_tokens (expires_at);
