-- API keys and tenant settings (API.md Part 2, Accounts). A key is stored as its public
-- prefix (looked up, unique per tenant, never reused) and the SHA-256 of the whole key
-- (compared in constant time); the key itself is shown once, at creation. A revoked key
-- keeps its row (revoked_at set) so the audit log's api_key_id still names something.
-- A tenant gains its settings: candidate retention (30-3650 days, NULL = keep), whether
-- a rejection needs a reason, and the From display name and Reply-To of its mail.
-- migrate:up
ALTER TABLE tenants ADD COLUMN candidate_retention_days INTEGER CHECK (candidate_retention_days BETWEEN 30 AND 3650);
ALTER TABLE tenants ADD COLUMN require_rejection_reason INTEGER NOT NULL DEFAULT 0 CHECK (require_rejection_reason IN (0, 1));
ALTER TABLE tenants ADD COLUMN mail_from_name TEXT CHECK (length(mail_from_name) <= 100);
ALTER TABLE tenants ADD COLUMN reply_to TEXT CHECK (length(reply_to) <= 254);

INSERT INTO id_sequences (name, value) VALUES ('api_keys', 0);
CREATE TABLE api_keys (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('recruiter', 'admin')),
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, prefix),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);

-- migrate:down
DROP TABLE api_keys;
DELETE FROM id_sequences WHERE name = 'api_keys';
ALTER TABLE tenants DROP COLUMN reply_to;
ALTER TABLE tenants DROP COLUMN mail_from_name;
ALTER TABLE tenants DROP COLUMN require_rejection_reason;
ALTER TABLE tenants DROP COLUMN candidate_retention_days;
