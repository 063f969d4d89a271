-- Password-reset and invitation tokens (API.md, Passwords, sessions, invitations): one
-- row per token issued, holding only the token's SHA-256 (never the token), its purpose,
-- expiry and use. The reset limit (3 mails per email per hour) counts these rows, so
-- every process sees the same count.
-- migrate:up
INSERT INTO id_sequences (name, value) VALUES ('password_tokens', 0);
CREATE TABLE password_tokens (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'invite')),
    token_hash TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
-- "Tokens of this user issued in the last hour" (the reset limit) and "this user's
-- outstanding tokens" (consumed together on confirmation).
CREATE INDEX password_tokens_by_user ON password_tokens (tenant_id, user_id, created_at);

-- migrate:down
DROP TABLE password_tokens;
DELETE FROM id_sequences WHERE name = 'password_tokens';
