ALTER TABLE email_outbox DROP COLUMN expires_at;
