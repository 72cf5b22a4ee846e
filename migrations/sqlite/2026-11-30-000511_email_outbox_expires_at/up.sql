-- When the link an outbox message carries (a sign-in or invitation token) stops working.
-- The worker does not send a message after this time; it marks the row 'expired' instead.
-- NULL for messages without an expiring link.
ALTER TABLE email_outbox ADD COLUMN expires_at TIMESTAMP;
