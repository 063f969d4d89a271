-- People (issue: accounts and people): a user gains a candidate profile (phone,
-- location, links and tags as JSON arrays, source), updated_at, a session epoch (every
-- token carries the epoch it was issued in; a password change, reset or logout bumps it,
-- so older tokens are refused even within the same second), the last sign-in or profile
-- change (retention), and when it was anonymized. A user created by staff without a
-- password has password_hash '' until an invitation or reset sets one.
-- migrate:up
ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN location TEXT;
ALTER TABLE users ADD COLUMN links TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN source TEXT;
ALTER TABLE users ADD COLUMN updated_at TEXT;
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_active_at TEXT;
ALTER TABLE users ADD COLUMN anonymized_at TEXT;
UPDATE users SET updated_at = created_at;

-- migrate:down
ALTER TABLE users DROP COLUMN anonymized_at;
ALTER TABLE users DROP COLUMN last_active_at;
ALTER TABLE users DROP COLUMN session_epoch;
ALTER TABLE users DROP COLUMN updated_at;
ALTER TABLE users DROP COLUMN source;
ALTER TABLE users DROP COLUMN tags;
ALTER TABLE users DROP COLUMN links;
ALTER TABLE users DROP COLUMN location;
ALTER TABLE users DROP COLUMN phone;
