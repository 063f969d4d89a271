-- People (issue: accounts and people): a user gains a candidate profile (phone,
-- location, links and tags as JSON arrays, source), updated_at, a session epoch (every
-- token carries the epoch it was issued in; a password change, reset or logout bumps it,
-- so older tokens are refused even within the same second), the last sign-in or profile
-- change (retention), and when it was anonymized. A user created by staff without a
-- password has password_hash '' until an invitation or reset sets one. A notification
-- gains the status `cancelled` (anonymized recipients' pending mail).
-- migrate:up
ALTER TABLE users
    ADD COLUMN phone text,
    ADD COLUMN location text,
    ADD COLUMN links text NOT NULL DEFAULT '[]',
    ADD COLUMN tags text NOT NULL DEFAULT '[]',
    ADD COLUMN source text,
    ADD COLUMN updated_at timestamptz,
    ADD COLUMN session_epoch bigint NOT NULL DEFAULT 0,
    ADD COLUMN last_active_at timestamptz,
    ADD COLUMN anonymized_at timestamptz;
-- The owner fills updated_at: forced row-level security would hide the rows from it.
ALTER TABLE users NO FORCE ROW LEVEL SECURITY;
UPDATE users SET updated_at = created_at;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
ALTER TABLE users ALTER COLUMN updated_at SET NOT NULL;
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'failed', 'dead', 'cancelled'));

-- migrate:down
-- Cancelled rows become dead (never delivered) to fit the old CHECK, added back NOT VALID
-- (forced row-level security keeps the owner from scanning the rows).
ALTER TABLE outbox NO FORCE ROW LEVEL SECURITY;
UPDATE outbox SET status = 'dead' WHERE status = 'cancelled';
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'failed', 'dead')) NOT VALID;
ALTER TABLE users
    DROP COLUMN anonymized_at,
    DROP COLUMN last_active_at,
    DROP COLUMN session_epoch,
    DROP COLUMN updated_at,
    DROP COLUMN source,
    DROP COLUMN tags,
    DROP COLUMN links,
    DROP COLUMN location,
    DROP COLUMN phone;
