// Generated from db/migrations by `ats migrate embed`. Do not edit by hand.
// swiftlint:disable all

enum EmbeddedMigrations {
    static let sqlite: [(name: String, contents: String)] = [
        (name: "0001_initial.sql", contents: #"""
-- The initial schema (SQLite). Ids come from id_sequences (one writer at a time makes
-- that safe) so they are unique per table across tenants, as on PostgreSQL. Times are
-- UTC RFC 3339 text with six fraction digits, which sorts correctly as text.
-- migrate:up
CREATE TABLE id_sequences (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO id_sequences (name, value) VALUES
    ('tenants', 1), ('users', 0), ('jobs', 0), ('applications', 0), ('application_events', 0), ('outbox', 0);

CREATE TABLE tenants (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 2 AND 63),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO tenants (id, slug, name, created_at) VALUES (1, 'default', 'Default', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

CREATE TABLE users (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    full_name TEXT,
    role TEXT NOT NULL CHECK (role IN ('candidate', 'recruiter', 'admin')),
    is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
);

CREATE TABLE jobs (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    title TEXT NOT NULL,
    company TEXT NOT NULL,
    description TEXT,
    location TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'draft')),
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
-- GET /api/jobs/: a tenant's jobs by status, newest first.
CREATE INDEX jobs_by_status_newest ON jobs (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX jobs_newest ON jobs (tenant_id, created_at DESC, id DESC);

CREATE TABLE applications (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    job_id INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected')),
    cover_letter TEXT,
    resume_url TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, job_id, candidate_id),
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE RESTRICT,
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX applications_by_job ON applications (tenant_id, job_id, created_at DESC, id DESC);
CREATE INDEX applications_by_candidate ON applications (tenant_id, candidate_id, created_at DESC, id DESC);
CREATE INDEX applications_newest ON applications (tenant_id, created_at DESC, id DESC);

CREATE TABLE application_events (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    application_id INTEGER NOT NULL,
    from_stage TEXT CHECK (from_stage IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected')),
    to_stage TEXT NOT NULL CHECK (to_stage IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected')),
    actor_id INTEGER,
    note TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX application_events_by_application ON application_events (tenant_id, application_id, created_at, id);

CREATE TABLE outbox (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    available_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    PRIMARY KEY (tenant_id, id)
);
-- The relay's scan: rows still to deliver, by when they are due.
CREATE INDEX outbox_due ON outbox (available_at, id) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_newest ON outbox (tenant_id, created_at DESC, id DESC);

-- migrate:down
DROP TABLE outbox;
DROP TABLE application_events;
DROP TABLE applications;
DROP TABLE jobs;
DROP TABLE users;
DROP TABLE tenants;
DROP TABLE id_sequences;

"""#),
        (name: "0002_outbox_queue.sql", contents: #"""
-- The Redis queue (ats worker) and several delivering processes share the outbox:
-- queued_at records when the relay last put a row on the Redis stream (a row queued
-- long ago and still undelivered is queued again: the stream may have been lost), and
-- lease_until is a delivery claim, so two processes never send the same row at once.
-- migrate:up
ALTER TABLE outbox ADD COLUMN queued_at TEXT;
ALTER TABLE outbox ADD COLUMN lease_until TEXT;

-- migrate:down
ALTER TABLE outbox DROP COLUMN lease_until;
ALTER TABLE outbox DROP COLUMN queued_at;

"""#),
        (name: "0003_domain_events.sql", contents: #"""
-- Typed domain events, and the outbox as one delivery per channel of each event: a
-- service records the event, and each channel (mail now; webhooks next) gets its own
-- outbox row, claimed, retried and marked per channel. Rows written before this
-- migration have no event (event_id NULL) and are mail. (SQLite cannot add a composite
-- foreign key to an existing table; the repositories write both in one transaction.)
-- migrate:up
INSERT INTO id_sequences (name, value) VALUES ('events', 0);
CREATE TABLE events (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    type TEXT NOT NULL,
    actor_id INTEGER,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX events_newest ON events (tenant_id, created_at DESC, id DESC);

ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'mail';
ALTER TABLE outbox ADD COLUMN event_id INTEGER;
CREATE INDEX outbox_by_event ON outbox (tenant_id, event_id);

-- migrate:down
DROP INDEX outbox_by_event;
ALTER TABLE outbox DROP COLUMN event_id;
ALTER TABLE outbox DROP COLUMN channel;
DROP TABLE events;
DELETE FROM id_sequences WHERE name = 'events';

"""#),
        (name: "0004_pipelines.sql", contents: #"""
-- Stages as data: a pipeline per job (and a template per tenant, job_id NULL, copied
-- into each new job) with its ordered stages. Every tenant and every existing job gets
-- the default pipeline (applied, screening, interview, offer, hired, and the reserved
-- terminal rejected), and the stage columns lose their fixed CHECK lists (SQLite:
-- by rebuilding applications and application_events).
-- migrate:up
INSERT INTO id_sequences (name, value) VALUES ('pipelines', 0), ('pipeline_stages', 0);
CREATE TABLE pipelines (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    job_id INTEGER,
    allow_skip INTEGER NOT NULL DEFAULT 0,
    allow_back INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX pipelines_one_per_job ON pipelines (tenant_id, job_id) WHERE job_id IS NOT NULL;
CREATE UNIQUE INDEX pipelines_one_template ON pipelines (tenant_id) WHERE job_id IS NULL;

CREATE TABLE pipeline_stages (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    pipeline_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('active', 'hired', 'rejected')),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, pipeline_id, key),
    UNIQUE (tenant_id, pipeline_id, position),
    FOREIGN KEY (tenant_id, pipeline_id) REFERENCES pipelines (tenant_id, id) ON DELETE CASCADE
);

INSERT INTO pipelines (tenant_id, id, job_id, created_at)
SELECT tenant_id, (SELECT value FROM id_sequences WHERE name = 'pipelines') + row_number() OVER (ORDER BY tenant_id, job_id), job_id,
       strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
FROM (SELECT id AS tenant_id, NULL AS job_id FROM tenants UNION ALL SELECT tenant_id, id FROM jobs);
UPDATE id_sequences SET value = (SELECT coalesce(max(id), 0) FROM pipelines) WHERE name = 'pipelines';
INSERT INTO pipeline_stages (tenant_id, id, pipeline_id, key, name, position, kind)
SELECT p.tenant_id, (SELECT value FROM id_sequences WHERE name = 'pipeline_stages') + row_number() OVER (ORDER BY p.id, s.position),
       p.id, s.key, s.name, s.position, s.kind
FROM pipelines p CROSS JOIN (
    SELECT 'applied' AS key, 'Applied' AS name, 1 AS position, 'active' AS kind
    UNION ALL SELECT 'screening', 'Screening', 2, 'active' UNION ALL SELECT 'interview', 'Interview', 3, 'active'
    UNION ALL SELECT 'offer', 'Offer', 4, 'active' UNION ALL SELECT 'hired', 'Hired', 5, 'hired'
    UNION ALL SELECT 'rejected', 'Rejected', 6, 'rejected'
) AS s;
UPDATE id_sequences SET value = (SELECT coalesce(max(id), 0) FROM pipeline_stages) WHERE name = 'pipeline_stages';

CREATE TABLE applications_new (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    job_id INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    stage TEXT NOT NULL,
    cover_letter TEXT,
    resume_url TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, job_id, candidate_id),
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE RESTRICT,
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES users (tenant_id, id)
);
INSERT INTO applications_new SELECT tenant_id, id, job_id, candidate_id, stage, cover_letter, resume_url, version, created_at, updated_at FROM applications;
DROP TABLE applications;
ALTER TABLE applications_new RENAME TO applications;
CREATE INDEX applications_by_job ON applications (tenant_id, job_id, created_at DESC, id DESC);
CREATE INDEX applications_by_candidate ON applications (tenant_id, candidate_id, created_at DESC, id DESC);
CREATE INDEX applications_newest ON applications (tenant_id, created_at DESC, id DESC);

CREATE TABLE application_events_new (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    application_id INTEGER NOT NULL,
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    actor_id INTEGER,
    note TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE
);
INSERT INTO application_events_new SELECT tenant_id, id, application_id, from_stage, to_stage, actor_id, note, created_at FROM application_events;
DROP TABLE application_events;
ALTER TABLE application_events_new RENAME TO application_events;
CREATE INDEX application_events_by_application ON application_events (tenant_id, application_id, created_at, id);

-- migrate:down
DROP TABLE pipeline_stages;
DROP TABLE pipelines;
DELETE FROM id_sequences WHERE name IN ('pipelines', 'pipeline_stages');

"""#),
        (name: "0005_people.sql", contents: #"""
-- People (issue: accounts and people): a user gains a candidate profile (phone,
-- location, links and tags as JSON arrays, source), updated_at, a session epoch (every
-- token carries the epoch it was issued in; a password change, reset or logout bumps it,
-- so older tokens are refused even within the same second), the last sign-in or profile
-- change (retention), and when it was anonymized. A user created by staff without a
-- password has password_hash '' until an invitation or reset sets one. A notification
-- gains the status `cancelled` (anonymized recipients' pending mail): SQLite cannot
-- change a CHECK, so the outbox is rebuilt with the same columns and indexes.
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
CREATE TABLE outbox_rebuilt (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'dead', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    available_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    queued_at TEXT,
    lease_until TEXT,
    channel TEXT NOT NULL DEFAULT 'mail',
    event_id INTEGER,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO outbox_rebuilt (tenant_id, id, kind, recipient, payload, status, attempts, last_error, available_at, created_at, sent_at,
                            queued_at, lease_until, channel, event_id)
SELECT tenant_id, id, kind, recipient, payload, status, attempts, last_error, available_at, created_at, sent_at,
       queued_at, lease_until, channel, event_id FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (available_at, id) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_newest ON outbox (tenant_id, created_at DESC, id DESC);
CREATE INDEX outbox_by_event ON outbox (tenant_id, event_id);

-- migrate:down
UPDATE outbox SET status = 'dead' WHERE status = 'cancelled';
CREATE TABLE outbox_rebuilt (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    available_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    queued_at TEXT,
    lease_until TEXT,
    channel TEXT NOT NULL DEFAULT 'mail',
    event_id INTEGER,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO outbox_rebuilt (tenant_id, id, kind, recipient, payload, status, attempts, last_error, available_at, created_at, sent_at,
                            queued_at, lease_until, channel, event_id)
SELECT tenant_id, id, kind, recipient, payload, status, attempts, last_error, available_at, created_at, sent_at,
       queued_at, lease_until, channel, event_id FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (available_at, id) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_newest ON outbox (tenant_id, created_at DESC, id DESC);
CREATE INDEX outbox_by_event ON outbox (tenant_id, event_id);
ALTER TABLE users DROP COLUMN anonymized_at;
ALTER TABLE users DROP COLUMN last_active_at;
ALTER TABLE users DROP COLUMN session_epoch;
ALTER TABLE users DROP COLUMN updated_at;
ALTER TABLE users DROP COLUMN source;
ALTER TABLE users DROP COLUMN tags;
ALTER TABLE users DROP COLUMN links;
ALTER TABLE users DROP COLUMN location;
ALTER TABLE users DROP COLUMN phone;

"""#),
        (name: "0006_password_tokens.sql", contents: #"""
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

"""#),
        (name: "0007_api_keys_and_settings.sql", contents: #"""
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

"""#),
        (name: "0008_candidates.sql", contents: #"""
-- Candidates (the talent pool): applications gain the source they came from and the
-- résumé document they point at (documents come later: no foreign key yet). The
-- candidate search index: one row per candidate (rowid = the user's id, ids being unique
-- per table) holding its lower-cased name, email, phone and tags (the JSON text),
-- separated by U+001F so a query cannot match across two fields, as an FTS5 table with
-- the trigram tokenizer: `q` and the `tag` prefilter are phrase MATCHes on it (a LIKE
-- scan of 100,000 candidates measured ~80 ms). Triggers on users keep it in step with
-- every write of those columns or of the role, whichever code path makes it.
-- migrate:up
ALTER TABLE applications ADD COLUMN source TEXT;
ALTER TABLE applications ADD COLUMN resume_document_id INTEGER;

CREATE VIRTUAL TABLE candidate_search USING fts5(search_text, tenant_id UNINDEXED, user_id UNINDEXED, tokenize = 'trigram');
-- The `tag` filter: one row per (candidate, tag), kept by the same triggers.
CREATE TABLE candidate_tags (
    tenant_id INTEGER NOT NULL,
    tag TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, tag, user_id)
) WITHOUT ROWID;
CREATE INDEX candidate_tags_by_user ON candidate_tags (tenant_id, user_id);
CREATE INDEX users_candidates_newest ON users (tenant_id, created_at DESC, id DESC) WHERE role = 'candidate';

CREATE TRIGGER candidate_search_insert AFTER INSERT ON users WHEN NEW.role = 'candidate' BEGIN
    INSERT INTO candidate_search (rowid, search_text, tenant_id, user_id)
    VALUES (NEW.id, lower(coalesce(NEW.full_name, '') || char(31) || NEW.email || char(31) || coalesce(NEW.phone, '') || char(31) || NEW.tags),
            NEW.tenant_id, NEW.id);
    INSERT OR IGNORE INTO candidate_tags (tenant_id, tag, user_id) SELECT NEW.tenant_id, value, NEW.id FROM json_each(NEW.tags);
END;
CREATE TRIGGER candidate_search_update AFTER UPDATE OF full_name, email, phone, tags, role ON users BEGIN
    DELETE FROM candidate_search WHERE rowid = OLD.id;
    INSERT INTO candidate_search (rowid, search_text, tenant_id, user_id)
    SELECT NEW.id, lower(coalesce(NEW.full_name, '') || char(31) || NEW.email || char(31) || coalesce(NEW.phone, '') || char(31) || NEW.tags),
           NEW.tenant_id, NEW.id
    WHERE NEW.role = 'candidate';
    DELETE FROM candidate_tags WHERE tenant_id = OLD.tenant_id AND user_id = OLD.id;
    INSERT OR IGNORE INTO candidate_tags (tenant_id, tag, user_id)
    SELECT NEW.tenant_id, value, NEW.id FROM json_each(NEW.tags) WHERE NEW.role = 'candidate';
END;
CREATE TRIGGER candidate_search_delete AFTER DELETE ON users BEGIN
    DELETE FROM candidate_search WHERE rowid = OLD.id;
    DELETE FROM candidate_tags WHERE tenant_id = OLD.tenant_id AND user_id = OLD.id;
END;

INSERT OR IGNORE INTO candidate_tags (tenant_id, tag, user_id)
SELECT u.tenant_id, j.value, u.id FROM users u, json_each(u.tags) j WHERE u.role = 'candidate';
INSERT INTO candidate_search (rowid, search_text, tenant_id, user_id)
SELECT id, lower(coalesce(full_name, '') || char(31) || email || char(31) || coalesce(phone, '') || char(31) || tags), tenant_id, id
FROM users WHERE role = 'candidate';

-- migrate:down
DROP TRIGGER candidate_search_delete;
DROP TRIGGER candidate_search_update;
DROP TRIGGER candidate_search_insert;
DROP TABLE candidate_tags;
DROP TABLE candidate_search;
DROP INDEX users_candidates_newest;
ALTER TABLE applications DROP COLUMN resume_document_id;
ALTER TABLE applications DROP COLUMN source;

"""#),
        (name: "0009_privacy.sql", contents: #"""
-- Privacy: an event names the application it is about (events.application_id), so
-- anonymizing a person finds the events that name them by index instead of by scanning
-- payloads; and tenant_tasks holds each tenant's scheduled maintenance (the daily
-- retention sweep): when it is next due and who holds it now, so that every replica may
-- look and exactly one runs it (a lease in the database, not a timer per process).
-- migrate:up
ALTER TABLE events ADD COLUMN application_id INTEGER;
UPDATE events SET application_id = json_extract(payload, '$.application_id') WHERE json_type(payload, '$.application_id') = 'integer';
CREATE INDEX events_by_application ON events (tenant_id, application_id) WHERE application_id IS NOT NULL;

CREATE TABLE tenant_tasks (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    due_at TEXT NOT NULL,
    leased_until TEXT,
    leased_by TEXT,
    last_run_at TEXT,
    PRIMARY KEY (tenant_id, name)
);

-- migrate:down
DROP TABLE tenant_tasks;
DROP INDEX events_by_application;
ALTER TABLE events DROP COLUMN application_id;

"""#),
        (name: "0010_workflow.sql", contents: #"""
-- The hiring workflow (API.md Part 2: Pipelines, Rejection reasons, Bulk moves).
-- Stage kinds become the API's (applied, screening, interview, offer, hired; rejected
-- stays reserved): existing 'active' stages take the kind of their default key, a
-- custom key the kind 'applied' when first on its path, else 'interview' (SQLite cannot
-- change a CHECK, so pipeline_stages is rebuilt). Rejection reasons per tenant (the three
-- defaults for every tenant), and an application keeps the reason it was rejected with
-- (id, name as it was then, note) until reopened.
-- migrate:up
CREATE TABLE pipeline_stages_rebuilt (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    pipeline_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected')),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, pipeline_id, key),
    UNIQUE (tenant_id, pipeline_id, position),
    FOREIGN KEY (tenant_id, pipeline_id) REFERENCES pipelines (tenant_id, id) ON DELETE CASCADE
);
INSERT INTO pipeline_stages_rebuilt (tenant_id, id, pipeline_id, key, name, position, kind)
SELECT s.tenant_id, s.id, s.pipeline_id, s.key, s.name, s.position, CASE
    WHEN s.kind <> 'active' THEN s.kind
    WHEN s.key IN ('applied', 'screening', 'interview', 'offer') THEN s.key
    WHEN s.position = (SELECT min(f.position) FROM pipeline_stages f WHERE f.tenant_id = s.tenant_id AND f.pipeline_id = s.pipeline_id) THEN 'applied'
    ELSE 'interview' END
FROM pipeline_stages s;
DROP TABLE pipeline_stages;
ALTER TABLE pipeline_stages_rebuilt RENAME TO pipeline_stages;

INSERT INTO id_sequences (name, value) VALUES ('rejection_reasons', 0);
CREATE TABLE rejection_reasons (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind TEXT NOT NULL CHECK (kind IN ('we_rejected', 'candidate_withdrew')),
    archived INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO rejection_reasons (tenant_id, id, name, kind, created_at)
SELECT t.id, row_number() OVER (ORDER BY t.id, r.position), r.name, r.kind, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
FROM tenants t CROSS JOIN (
    SELECT 1 AS position, 'Not a fit' AS name, 'we_rejected' AS kind
    UNION ALL SELECT 2, 'Position filled', 'we_rejected' UNION ALL SELECT 3, 'Withdrew', 'candidate_withdrew'
) AS r;
UPDATE id_sequences SET value = (SELECT coalesce(max(id), 0) FROM rejection_reasons) WHERE name = 'rejection_reasons';

ALTER TABLE applications ADD COLUMN rejection_reason_id INTEGER;
ALTER TABLE applications ADD COLUMN rejection_reason TEXT;
ALTER TABLE applications ADD COLUMN rejection_note TEXT;

-- migrate:down
ALTER TABLE applications DROP COLUMN rejection_note;
ALTER TABLE applications DROP COLUMN rejection_reason;
ALTER TABLE applications DROP COLUMN rejection_reason_id;
DROP TABLE rejection_reasons;
DELETE FROM id_sequences WHERE name = 'rejection_reasons';
CREATE TABLE pipeline_stages_rebuilt (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    pipeline_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('active', 'hired', 'rejected')),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, pipeline_id, key),
    UNIQUE (tenant_id, pipeline_id, position),
    FOREIGN KEY (tenant_id, pipeline_id) REFERENCES pipelines (tenant_id, id) ON DELETE CASCADE
);
INSERT INTO pipeline_stages_rebuilt (tenant_id, id, pipeline_id, key, name, position, kind)
SELECT tenant_id, id, pipeline_id, key, name, position, CASE WHEN kind IN ('hired', 'rejected') THEN kind ELSE 'active' END FROM pipeline_stages;
DROP TABLE pipeline_stages;
ALTER TABLE pipeline_stages_rebuilt RENAME TO pipeline_stages;

"""#),
        (name: "0011_interviews_and_notes.sql", contents: #"""
-- Notes on applications, interviews with their interviewers, and scorecards. Each
-- belongs to an application and goes with it (ON DELETE CASCADE); interviewers are a
-- join table (portable, unlike an array column). An interview keeps its iCalendar
-- SEQUENCE, bumped on every change that sends updated invitations.
-- migrate:up
INSERT INTO id_sequences (name, value) VALUES ('notes', 0), ('interviews', 0), ('scorecards', 0);
CREATE TABLE notes (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    application_id INTEGER NOT NULL,
    author_id INTEGER,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX notes_by_application ON notes (tenant_id, application_id, created_at, id);

CREATE TABLE interviews (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    application_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    location TEXT,
    video_url TEXT,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
    sequence INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CHECK (ends_at > starts_at),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX interviews_by_application ON interviews (tenant_id, application_id, starts_at, id);
CREATE INDEX interviews_by_start ON interviews (tenant_id, starts_at, id);

CREATE TABLE interview_interviewers (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    interview_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, interview_id, user_id),
    FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX interview_interviewers_by_user ON interview_interviewers (tenant_id, user_id, interview_id);

CREATE TABLE scorecards (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    interview_id INTEGER NOT NULL,
    application_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    recommendation TEXT NOT NULL CHECK (recommendation IN ('strong_no', 'no', 'yes', 'strong_yes')),
    ratings TEXT NOT NULL,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, interview_id, author_id),
    FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX scorecards_by_application ON scorecards (tenant_id, application_id, created_at, id);

-- migrate:down
DROP TABLE scorecards;
DROP TABLE interview_interviewers;
DROP TABLE interviews;
DROP TABLE notes;
DELETE FROM id_sequences WHERE name IN ('notes', 'interviews', 'scorecards');

"""#),
        (name: "0012_documents.sql", contents: #"""
-- Documents: a candidate's uploaded files (résumés, cover letters, others), bytes and
-- all, in the database (a BLOB, last in the row: the metadata queries stop before it
-- and never read its overflow pages). `sha256` is the lower-case hex digest, also the
-- download's ETag. An application's resume_document_id is cleared by the repository
-- when its document is deleted (SQLite cannot add a foreign key to an existing table).
-- migrate:up
INSERT INTO id_sequences (name, value) VALUES ('documents', 0);
CREATE TABLE documents (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('resume', 'cover_letter', 'other')),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    sha256 TEXT NOT NULL,
    uploaded_by INTEGER,
    created_at TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, uploaded_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX documents_by_candidate ON documents (tenant_id, candidate_id, created_at, id);

-- migrate:down
DROP TABLE documents;
DELETE FROM id_sequences WHERE name = 'documents';

"""#),
        (name: "0013_webhooks.sql", contents: #"""
-- Webhook subscriptions. Deliveries are outbox rows of channel 'webhook' (recipient:
-- the webhook's id, kind: the event type, payload: the event's data), so they are
-- claimed, retried and relayed through Redis exactly like mail; the outbox gains what
-- the delivery log shows (the receiver's status and the attempt's duration). Secrets
-- are stored sealed with a key derived from SECRET_KEY; after a rotation the previous
-- one keeps signing until previous_secret_until.
-- migrate:up
INSERT INTO id_sequences (name, value) VALUES ('webhooks', 0);
CREATE TABLE webhooks (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    description TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_success_at TEXT,
    last_failure_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX webhooks_active ON webhooks (tenant_id, active, id);
ALTER TABLE outbox ADD COLUMN response_status INTEGER;
ALTER TABLE outbox ADD COLUMN duration_ms INTEGER;
CREATE INDEX outbox_by_recipient ON outbox (tenant_id, channel, recipient, created_at DESC, id DESC);

-- migrate:down
DROP INDEX outbox_by_recipient;
ALTER TABLE outbox DROP COLUMN duration_ms;
ALTER TABLE outbox DROP COLUMN response_status;
DROP TABLE webhooks;
DELETE FROM id_sequences WHERE name = 'webhooks';

"""#),
        (name: "0014_idempotency_and_operator.sql", contents: #"""
-- Idempotency keys and the operator's tenant status (API.md, Idempotency keys and
-- Operators). A key is kept per tenant, caller (user, API key or anonymous client
-- address) and key for 24 hours: the SHA-256 of the first request (method, target,
-- body) and, once it finished below 500, its response. A row without a status is a
-- request still in flight (a repeat is 409); `started_at` lets a later request take
-- over a marker whose process died. Expired rows are removed by the maintenance sweep.
-- A suspended tenant answers every request with 403 and its outbox waits.
-- migrate:up
ALTER TABLE tenants ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended'));

CREATE TABLE idempotency_keys (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    caller TEXT NOT NULL,
    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash TEXT NOT NULL,
    status INTEGER,
    content_type TEXT,
    location TEXT,
    etag TEXT,
    body TEXT,
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, caller, key)
);
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (tenant_id, expires_at);

-- migrate:down
DROP TABLE idempotency_keys;
ALTER TABLE tenants DROP COLUMN status;

"""#),
        (name: "0015_audit_log.sql", contents: #"""
-- The audit log (API.md, Audit log): one row per successful write, login (or failed
-- login), logout, password change and reset, written by the services in the same
-- transaction as what it records. SQLite has no roles, so triggers keep it append-only
-- as PostgreSQL's grants and functions do: no UPDATE ever, and a DELETE only of rows
-- older than 400 days or of a tenant whose row is already gone. No foreign keys: an
-- entry outlives the user, key or resource it names.
-- migrate:up
INSERT INTO id_sequences (name, value) VALUES ('audit_events', 0);
CREATE TABLE audit_events (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    actor_id INTEGER,
    api_key_id INTEGER,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id INTEGER,
    request_id TEXT,
    ip TEXT,
    created_at TEXT NOT NULL,
    changes TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_events_newest ON audit_events (tenant_id, created_at DESC, id DESC);
CREATE INDEX audit_events_by_resource ON audit_events (tenant_id, resource_type, resource_id, created_at DESC, id DESC);
CREATE INDEX audit_events_by_actor ON audit_events (tenant_id, actor_id, created_at DESC, id DESC) WHERE actor_id IS NOT NULL;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- Timestamps are stored as RFC 3339 text (UTC, `Z`), so text order is time order.
CREATE TRIGGER audit_events_kept BEFORE DELETE ON audit_events
WHEN EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) AND OLD.created_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-400 days') BEGIN
    SELECT RAISE(ABORT, 'audit entries are kept 400 days, or until their tenant is deleted');
END;

-- migrate:down
DROP TRIGGER audit_events_kept;
DROP TRIGGER audit_events_append_only;
DROP TABLE audit_events;
DELETE FROM id_sequences WHERE name = 'audit_events';

"""#),
        (name: "0016_reports.sql", contents: #"""
-- Reports (API.md, Reports) read the stage history without joining it to the
-- applications or ordering it per application: each history entry carries what the
-- reports filter and group by, written with the entry (Applications/StageHistory.swift):
--   applied_at    the application's created_at (the report window filters on it)
--   job_id        the application's job
--   first_entry   the first time the application entered to_stage (the funnel's reached)
--   stay_seconds  how long the application stayed in to_stage, set when the next entry
--                 is written (NULL while it is still there: the open stay)
-- and covering indexes for each report's query (tenant_id first).
-- migrate:up
ALTER TABLE application_events ADD COLUMN applied_at TEXT;
ALTER TABLE application_events ADD COLUMN job_id INTEGER;
ALTER TABLE application_events ADD COLUMN stay_seconds INTEGER;
ALTER TABLE application_events ADD COLUMN first_entry INTEGER NOT NULL DEFAULT 1;
UPDATE application_events SET applied_at = a.created_at, job_id = a.job_id
FROM applications a WHERE a.tenant_id = application_events.tenant_id AND a.id = application_events.application_id;
UPDATE application_events SET stay_seconds = x.seconds, first_entry = x.first
FROM (
    SELECT tenant_id, id,
        CAST(round((julianday(lead(created_at) OVER (PARTITION BY tenant_id, application_id ORDER BY created_at, id)) - julianday(created_at)) * 86400) AS INTEGER) AS seconds,
        row_number() OVER (PARTITION BY tenant_id, application_id, to_stage ORDER BY created_at, id) = 1 AS first
    FROM application_events
) x
WHERE x.tenant_id = application_events.tenant_id AND x.id = application_events.id AND (x.seconds IS NOT NULL OR NOT x.first);
CREATE INDEX application_events_report ON application_events (tenant_id, applied_at, to_stage) WHERE first_entry;
CREATE INDEX application_events_report_by_job ON application_events (tenant_id, job_id, applied_at, to_stage, first_entry, stay_seconds);
CREATE INDEX application_events_stays ON application_events (tenant_id, to_stage, stay_seconds, applied_at, job_id) WHERE stay_seconds IS NOT NULL;
CREATE INDEX applications_report ON applications (tenant_id, created_at, job_id, stage, source);

-- migrate:down
DROP INDEX applications_report;
DROP INDEX application_events_stays;
DROP INDEX application_events_report_by_job;
DROP INDEX application_events_report;
ALTER TABLE application_events DROP COLUMN first_entry;
ALTER TABLE application_events DROP COLUMN stay_seconds;
ALTER TABLE application_events DROP COLUMN job_id;
ALTER TABLE application_events DROP COLUMN applied_at;

"""#),
    ]

    static let postgres: [(name: String, contents: String)] = [
        (name: "0001_initial.sql", contents: #"""
-- The initial schema (PostgreSQL). tenant_id leads every primary, unique and foreign
-- key, so the schema can be distributed by tenant_id on Citus. Row-level security is
-- enabled and forced on every tenant table: a transaction sees only the rows of the
-- tenant in `app.tenant_id` (set per transaction with set_config(..., true)).
-- migrate:up
CREATE TABLE tenants (
    id bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 2) PRIMARY KEY,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name text NOT NULL,
    created_at timestamptz NOT NULL
);
INSERT INTO tenants (id, slug, name, created_at) VALUES (1, 'default', 'Default', now());

CREATE TABLE users (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    email text NOT NULL,
    password_hash text NOT NULL,
    full_name text,
    role text NOT NULL CHECK (role IN ('candidate', 'recruiter', 'admin')),
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT users_email_key UNIQUE (tenant_id, email)
);

CREATE TABLE jobs (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    title text NOT NULL,
    company text NOT NULL,
    description text,
    location text,
    status text NOT NULL CHECK (status IN ('open', 'closed', 'draft')),
    created_by bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT jobs_created_by_fkey FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
-- GET /api/jobs/: a tenant's jobs by status, newest first.
CREATE INDEX jobs_by_status_newest ON jobs (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX jobs_newest ON jobs (tenant_id, created_at DESC, id DESC);

CREATE TABLE applications (
    tenant_id bigint NOT NULL,
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    job_id bigint NOT NULL,
    candidate_id bigint NOT NULL,
    stage text NOT NULL CHECK (stage IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected')),
    cover_letter text,
    resume_url text,
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT applications_once_per_job UNIQUE (tenant_id, job_id, candidate_id),
    CONSTRAINT applications_job_fkey FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE RESTRICT,
    CONSTRAINT applications_candidate_fkey FOREIGN KEY (tenant_id, candidate_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX applications_by_job ON applications (tenant_id, job_id, created_at DESC, id DESC);
CREATE INDEX applications_by_candidate ON applications (tenant_id, candidate_id, created_at DESC, id DESC);
CREATE INDEX applications_newest ON applications (tenant_id, created_at DESC, id DESC);

CREATE TABLE application_events (
    tenant_id bigint NOT NULL,
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    application_id bigint NOT NULL,
    from_stage text CHECK (from_stage IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected')),
    to_stage text NOT NULL CHECK (to_stage IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected')),
    actor_id bigint,
    note text,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX application_events_by_application ON application_events (tenant_id, application_id, created_at, id);

CREATE TABLE outbox (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    kind text NOT NULL,
    recipient text NOT NULL,
    payload text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    available_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    sent_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
-- The relay's scan: rows still to deliver, by when they are due.
CREATE INDEX outbox_due ON outbox (available_at, id) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_newest ON outbox (tenant_id, created_at DESC, id DESC);

-- Row-level security: forced, so it binds the table owner too.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobs
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
ALTER TABLE applications ENABLE ROW LEVEL SECURITY;
ALTER TABLE applications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON applications
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
ALTER TABLE application_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE application_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON application_events
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON outbox
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

-- migrate:down
DROP TABLE outbox;
DROP TABLE application_events;
DROP TABLE applications;
DROP TABLE jobs;
DROP TABLE users;
DROP TABLE tenants;

"""#),
        (name: "0002_outbox_queue.sql", contents: #"""
-- The Redis queue (ats worker) and several delivering processes share the outbox:
-- queued_at records when the relay last put a row on the Redis stream (a row queued
-- long ago and still undelivered is queued again: the stream may have been lost), and
-- lease_until is a delivery claim, so two processes never send the same row at once.
-- migrate:up
ALTER TABLE outbox ADD COLUMN queued_at timestamptz;
ALTER TABLE outbox ADD COLUMN lease_until timestamptz;

-- migrate:down
ALTER TABLE outbox DROP COLUMN lease_until;
ALTER TABLE outbox DROP COLUMN queued_at;

"""#),
        (name: "0003_domain_events.sql", contents: #"""
-- Typed domain events, and the outbox as one delivery per channel of each event: a
-- service records the event, and each channel (mail now; webhooks next) gets its own
-- outbox row, claimed, retried and marked per channel. Rows written before this
-- migration have no event (event_id NULL) and are mail.
-- migrate:up
CREATE TABLE events (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    type text NOT NULL,
    actor_id bigint,
    payload text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX events_newest ON events (tenant_id, created_at DESC, id DESC);
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON events
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

ALTER TABLE outbox ADD COLUMN channel text NOT NULL DEFAULT 'mail';
ALTER TABLE outbox ADD COLUMN event_id bigint;
-- NOT VALID: rows before this migration have no event; validating would scan the
-- table, which forced row-level security refuses to the migrating owner.
ALTER TABLE outbox ADD CONSTRAINT outbox_event_fkey FOREIGN KEY (tenant_id, event_id) REFERENCES events (tenant_id, id) NOT VALID;
CREATE INDEX outbox_by_event ON outbox (tenant_id, event_id);

-- migrate:down
DROP INDEX outbox_by_event;
ALTER TABLE outbox DROP CONSTRAINT outbox_event_fkey;
ALTER TABLE outbox DROP COLUMN event_id;
ALTER TABLE outbox DROP COLUMN channel;
DROP TABLE events;

"""#),
        (name: "0004_pipelines.sql", contents: #"""
-- Stages as data: a pipeline per job (and a template per tenant, job_id NULL, copied
-- into each new job) with its ordered stages. Every tenant and every existing job gets
-- the default pipeline (applied, screening, interview, offer, hired, and the reserved
-- terminal rejected), and the stage columns lose their fixed CHECK lists.
-- migrate:up
CREATE TABLE pipelines (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    job_id bigint,
    allow_skip boolean NOT NULL DEFAULT false,
    allow_back boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX pipelines_one_per_job ON pipelines (tenant_id, job_id) WHERE job_id IS NOT NULL;
CREATE UNIQUE INDEX pipelines_one_template ON pipelines (tenant_id) WHERE job_id IS NULL;

CREATE TABLE pipeline_stages (
    tenant_id bigint NOT NULL,
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    pipeline_id bigint NOT NULL,
    key text NOT NULL,
    name text NOT NULL,
    position integer NOT NULL,
    kind text NOT NULL CHECK (kind IN ('active', 'hired', 'rejected')),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, pipeline_id, key),
    UNIQUE (tenant_id, pipeline_id, position),
    FOREIGN KEY (tenant_id, pipeline_id) REFERENCES pipelines (tenant_id, id) ON DELETE CASCADE
);

-- The owner reads jobs here: forced row-level security would refuse it (row_security
-- is off in migrations), so it is lifted for this transaction only.
ALTER TABLE jobs NO FORCE ROW LEVEL SECURITY;
INSERT INTO pipelines (tenant_id, job_id, created_at) SELECT id, NULL, now() FROM tenants;
INSERT INTO pipelines (tenant_id, job_id, created_at) SELECT tenant_id, id, now() FROM jobs;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
INSERT INTO pipeline_stages (tenant_id, pipeline_id, key, name, position, kind)
SELECT p.tenant_id, p.id, s.key, s.name, s.position, s.kind
FROM pipelines p CROSS JOIN (VALUES
    ('applied', 'Applied', 1, 'active'), ('screening', 'Screening', 2, 'active'), ('interview', 'Interview', 3, 'active'),
    ('offer', 'Offer', 4, 'active'), ('hired', 'Hired', 5, 'hired'), ('rejected', 'Rejected', 6, 'rejected')
) AS s (key, name, position, kind);

ALTER TABLE pipelines ENABLE ROW LEVEL SECURITY;
ALTER TABLE pipelines FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pipelines
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
ALTER TABLE pipeline_stages ENABLE ROW LEVEL SECURITY;
ALTER TABLE pipeline_stages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pipeline_stages
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

ALTER TABLE applications DROP CONSTRAINT applications_stage_check;
ALTER TABLE application_events DROP CONSTRAINT application_events_from_stage_check;
ALTER TABLE application_events DROP CONSTRAINT application_events_to_stage_check;

-- migrate:down
-- Only rows in the default stages fit the old CHECKs; the constraints are added back
-- NOT VALID (forced row-level security keeps the owner from scanning the rows).
ALTER TABLE applications ADD CONSTRAINT applications_stage_check
    CHECK (stage IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected')) NOT VALID;
ALTER TABLE application_events ADD CONSTRAINT application_events_from_stage_check
    CHECK (from_stage IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected')) NOT VALID;
ALTER TABLE application_events ADD CONSTRAINT application_events_to_stage_check
    CHECK (to_stage IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected')) NOT VALID;
DROP TABLE pipeline_stages;
DROP TABLE pipelines;

"""#),
        (name: "0005_people.sql", contents: #"""
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

"""#),
        (name: "0006_password_tokens.sql", contents: #"""
-- Password-reset and invitation tokens (API.md, Passwords, sessions, invitations): one
-- row per token issued, holding only the token's SHA-256 (never the token), its purpose,
-- expiry and use. The reset limit (3 mails per email per hour) counts these rows, so
-- every replica sees the same count.
-- migrate:up
CREATE TABLE password_tokens (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    user_id bigint NOT NULL,
    purpose text NOT NULL CHECK (purpose IN ('reset', 'invite')),
    token_hash text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
-- "Tokens of this user issued in the last hour" (the reset limit) and "this user's
-- outstanding tokens" (consumed together on confirmation).
CREATE INDEX password_tokens_by_user ON password_tokens (tenant_id, user_id, created_at);

ALTER TABLE password_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE password_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON password_tokens
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

-- migrate:down
DROP TABLE password_tokens;

"""#),
        (name: "0007_api_keys_and_settings.sql", contents: #"""
-- API keys and tenant settings (API.md Part 2, Accounts). A key is stored as its public
-- prefix (looked up, unique per tenant, never reused) and the SHA-256 of the whole key
-- (compared in constant time); the key itself is shown once, at creation. A revoked key
-- keeps its row (revoked_at set) so the audit log's api_key_id still names something.
-- A tenant gains its settings: candidate retention (30-3650 days, NULL = keep), whether
-- a rejection needs a reason, and the From display name and Reply-To of its mail.
-- migrate:up
ALTER TABLE tenants
    ADD COLUMN candidate_retention_days integer CHECK (candidate_retention_days BETWEEN 30 AND 3650),
    ADD COLUMN require_rejection_reason boolean NOT NULL DEFAULT false,
    ADD COLUMN mail_from_name text CHECK (char_length(mail_from_name) <= 100),
    ADD COLUMN reply_to text CHECK (char_length(reply_to) <= 254);

CREATE TABLE api_keys (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('recruiter', 'admin')),
    prefix text NOT NULL,
    key_hash text NOT NULL,
    created_by bigint NOT NULL,
    created_at timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT api_keys_prefix_key UNIQUE (tenant_id, prefix),
    CONSTRAINT api_keys_created_by_fkey FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

-- migrate:down
DROP TABLE api_keys;
ALTER TABLE tenants
    DROP COLUMN reply_to,
    DROP COLUMN mail_from_name,
    DROP COLUMN require_rejection_reason,
    DROP COLUMN candidate_retention_days;

"""#),
        (name: "0008_candidates.sql", contents: #"""
-- Candidates (the talent pool): applications gain the source they came from and the
-- résumé document they point at (documents come later: no foreign key yet). The
-- candidate search index: one row per candidate holding its lower-cased name, email,
-- phone and tags (the JSON text), separated by U+001F so a query cannot match across two
-- fields, under a trigram index (pg_trgm) that serves `q` and the `tag` prefilter as
-- substring LIKEs. A trigger on users keeps it in step with every write of those columns
-- or of the role, whichever code path makes it (create, PATCH, merge, anonymize).
-- Row-level security would make that index useless: LIKE is not leakproof, so under a
-- policy PostgreSQL never uses it as an index condition (a 100,000-row scan instead of a
-- 3 ms lookup). So the index lives in the schema ats_private, which the application role
-- cannot read at all, and is reached only through candidate_search_matches(), a
-- SECURITY DEFINER function that answers for the tenant in app.tenant_id alone.
-- The `tag` filter has its own exact index, candidate_tags (row-level security as usual:
-- equality is leakproof), kept by the same trigger. SQLite keeps the same indexes as an
-- FTS5 trigram table and a plain table.
-- migrate:up
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

ALTER TABLE applications
    ADD COLUMN source text,
    ADD COLUMN resume_document_id bigint;

CREATE SCHEMA ats_private;
REVOKE ALL ON SCHEMA ats_private FROM PUBLIC;

CREATE TABLE ats_private.candidate_search (
    tenant_id bigint NOT NULL,
    user_id bigint NOT NULL,
    search_text text NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES public.users (tenant_id, id) ON DELETE CASCADE
);
-- tenant_id first (btree_gin): a tenant's matches are found in the index, never
-- rechecked against other tenants' rows.
CREATE INDEX candidate_search_text ON ats_private.candidate_search USING gin (tenant_id, search_text gin_trgm_ops);
-- The `tag` filter: one row per (candidate, tag), kept by the same trigger. Equality is
-- leakproof, so this one keeps row-level security and its index (and the planner joins
-- it like any table).
CREATE TABLE candidate_tags (
    tenant_id bigint NOT NULL,
    tag text NOT NULL,
    user_id bigint NOT NULL,
    PRIMARY KEY (tenant_id, tag, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX candidate_tags_by_user ON candidate_tags (tenant_id, user_id);
-- The candidates list, newest first, and its count (index-only).
CREATE INDEX users_candidates_newest ON users (tenant_id, created_at DESC, id DESC) WHERE role = 'candidate';

CREATE FUNCTION candidate_search_sync() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND NEW.role <> 'candidate') THEN
        DELETE FROM ats_private.candidate_search WHERE tenant_id = OLD.tenant_id AND user_id = OLD.id;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM public.candidate_tags WHERE tenant_id = OLD.tenant_id AND user_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.role = 'candidate' THEN
        INSERT INTO ats_private.candidate_search (tenant_id, user_id, search_text)
        VALUES (NEW.tenant_id, NEW.id, lower(coalesce(NEW.full_name, '') || chr(31) || NEW.email || chr(31) || coalesce(NEW.phone, '') || chr(31) || NEW.tags))
        ON CONFLICT (tenant_id, user_id) DO UPDATE SET search_text = EXCLUDED.search_text;
        INSERT INTO public.candidate_tags (tenant_id, tag, user_id)
        SELECT DISTINCT NEW.tenant_id, t, NEW.id FROM jsonb_array_elements_text(NEW.tags::jsonb) AS t;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER candidate_search_sync AFTER INSERT OR DELETE OR UPDATE OF full_name, email, phone, tags, role ON users
    FOR EACH ROW EXECUTE FUNCTION candidate_search_sync();

-- The ids of `tenant`'s candidates whose search text is LIKE `pattern` (backslash escapes):
-- nothing unless `tenant` is the transaction's tenant, so the function cannot reach
-- across tenants any more than a policy would.
CREATE FUNCTION candidate_search_matches(tenant bigint, pattern text) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT user_id FROM ats_private.candidate_search
    WHERE tenant_id = tenant AND tenant = NULLIF(current_setting('app.tenant_id', true), '')::bigint
      AND search_text LIKE pattern ESCAPE '\'
$$;

-- The owner fills the index from the existing candidates: forced row-level security
-- would hide the users from it.
ALTER TABLE users NO FORCE ROW LEVEL SECURITY;
INSERT INTO ats_private.candidate_search (tenant_id, user_id, search_text)
SELECT tenant_id, id, lower(coalesce(full_name, '') || chr(31) || email || chr(31) || coalesce(phone, '') || chr(31) || tags)
FROM users WHERE role = 'candidate';
INSERT INTO candidate_tags (tenant_id, tag, user_id)
SELECT DISTINCT u.tenant_id, t, u.id FROM users u, jsonb_array_elements_text(u.tags::jsonb) AS t WHERE u.role = 'candidate';
ALTER TABLE users FORCE ROW LEVEL SECURITY;

ALTER TABLE candidate_tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE candidate_tags FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON candidate_tags
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

-- migrate:down
DROP TRIGGER candidate_search_sync ON users;
DROP FUNCTION candidate_search_sync();
DROP FUNCTION candidate_search_matches(bigint, text);
DROP TABLE candidate_tags;
DROP TABLE ats_private.candidate_search;
DROP SCHEMA ats_private;
DROP INDEX users_candidates_newest;
ALTER TABLE applications
    DROP COLUMN resume_document_id,
    DROP COLUMN source;

"""#),
        (name: "0009_privacy.sql", contents: #"""
-- Privacy: an event names the application it is about (events.application_id), so
-- anonymizing a person finds the events that name them by index instead of by scanning
-- payloads; and tenant_tasks holds each tenant's scheduled maintenance (the daily
-- retention sweep): when it is next due and who holds it now, so that every replica may
-- look and exactly one runs it (a lease in the database, not a timer per process).
-- migrate:up
ALTER TABLE events ADD COLUMN application_id bigint;
ALTER TABLE events NO FORCE ROW LEVEL SECURITY;
UPDATE events SET application_id = (payload::jsonb ->> 'application_id')::bigint WHERE payload::jsonb ? 'application_id';
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE INDEX events_by_application ON events (tenant_id, application_id) WHERE application_id IS NOT NULL;

CREATE TABLE tenant_tasks (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    name text NOT NULL,
    due_at timestamptz NOT NULL,
    leased_until timestamptz,
    leased_by text,
    last_run_at timestamptz,
    PRIMARY KEY (tenant_id, name)
);
ALTER TABLE tenant_tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_tasks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_tasks
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

-- migrate:down
DROP TABLE tenant_tasks;
DROP INDEX events_by_application;
ALTER TABLE events DROP COLUMN application_id;

"""#),
        (name: "0010_workflow.sql", contents: #"""
-- The hiring workflow (API.md Part 2: Pipelines, Rejection reasons, Bulk moves).
-- Stage kinds become the API's (applied, screening, interview, offer, hired; rejected
-- stays reserved): existing 'active' stages take the kind of their default key, a
-- custom key the kind 'applied' when first on its path, else 'interview'. Rejection
-- reasons per tenant (the three defaults for every tenant), and an application keeps
-- the reason it was rejected with (id, name as it was then, note) until reopened.
-- migrate:up
ALTER TABLE pipeline_stages DROP CONSTRAINT pipeline_stages_kind_check;
ALTER TABLE pipeline_stages NO FORCE ROW LEVEL SECURITY;
UPDATE pipeline_stages s SET kind = CASE
    WHEN s.key IN ('applied', 'screening', 'interview', 'offer') THEN s.key
    WHEN s.position = (SELECT min(f.position) FROM pipeline_stages f WHERE f.tenant_id = s.tenant_id AND f.pipeline_id = s.pipeline_id) THEN 'applied'
    ELSE 'interview' END
WHERE s.kind = 'active';
ALTER TABLE pipeline_stages FORCE ROW LEVEL SECURITY;
ALTER TABLE pipeline_stages ADD CONSTRAINT pipeline_stages_kind_check
    CHECK (kind IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected'));

CREATE TABLE rejection_reasons (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    kind text NOT NULL CHECK (kind IN ('we_rejected', 'candidate_withdrew')),
    archived boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO rejection_reasons (tenant_id, name, kind, created_at)
SELECT t.id, r.name, r.kind, now() FROM tenants t CROSS JOIN (VALUES
    (1, 'Not a fit', 'we_rejected'), (2, 'Position filled', 'we_rejected'), (3, 'Withdrew', 'candidate_withdrew')
) AS r (position, name, kind) ORDER BY t.id, r.position;
ALTER TABLE rejection_reasons ENABLE ROW LEVEL SECURITY;
ALTER TABLE rejection_reasons FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rejection_reasons
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

ALTER TABLE applications
    ADD COLUMN rejection_reason_id bigint,
    ADD COLUMN rejection_reason text,
    ADD COLUMN rejection_note text;

-- migrate:down
ALTER TABLE applications
    DROP COLUMN rejection_note,
    DROP COLUMN rejection_reason,
    DROP COLUMN rejection_reason_id;
DROP TABLE rejection_reasons;
ALTER TABLE pipeline_stages DROP CONSTRAINT pipeline_stages_kind_check;
ALTER TABLE pipeline_stages NO FORCE ROW LEVEL SECURITY;
UPDATE pipeline_stages SET kind = 'active' WHERE kind NOT IN ('hired', 'rejected');
ALTER TABLE pipeline_stages FORCE ROW LEVEL SECURITY;
ALTER TABLE pipeline_stages ADD CONSTRAINT pipeline_stages_kind_check CHECK (kind IN ('active', 'hired', 'rejected'));

"""#),
        (name: "0011_interviews_and_notes.sql", contents: #"""
-- Notes on applications, interviews with their interviewers, and scorecards. Each
-- belongs to an application and goes with it (ON DELETE CASCADE); interviewers are a
-- join table (portable to SQLite, unlike an array column). An interview keeps its
-- iCalendar SEQUENCE, bumped on every change that sends updated invitations.
-- migrate:up
CREATE TABLE notes (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    application_id bigint NOT NULL,
    author_id bigint,
    body text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX notes_by_application ON notes (tenant_id, application_id, created_at, id);

CREATE TABLE interviews (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    application_id bigint NOT NULL,
    title text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    location text,
    video_url text,
    status text NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
    sequence integer NOT NULL DEFAULT 0,
    created_by bigint,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CHECK (ends_at > starts_at),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX interviews_by_application ON interviews (tenant_id, application_id, starts_at, id);
CREATE INDEX interviews_by_start ON interviews (tenant_id, starts_at, id);

CREATE TABLE interview_interviewers (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    interview_id bigint NOT NULL,
    user_id bigint NOT NULL,
    position integer NOT NULL,
    PRIMARY KEY (tenant_id, interview_id, user_id),
    FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX interview_interviewers_by_user ON interview_interviewers (tenant_id, user_id, interview_id);

CREATE TABLE scorecards (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    interview_id bigint NOT NULL,
    application_id bigint NOT NULL,
    author_id bigint NOT NULL,
    recommendation text NOT NULL CHECK (recommendation IN ('strong_no', 'no', 'yes', 'strong_yes')),
    ratings text NOT NULL,
    notes text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, interview_id, author_id),
    FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX scorecards_by_application ON scorecards (tenant_id, application_id, created_at, id);

ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notes
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
ALTER TABLE interviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE interviews FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON interviews
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
ALTER TABLE interview_interviewers ENABLE ROW LEVEL SECURITY;
ALTER TABLE interview_interviewers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON interview_interviewers
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
ALTER TABLE scorecards ENABLE ROW LEVEL SECURITY;
ALTER TABLE scorecards FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scorecards
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

-- migrate:down
DROP TABLE scorecards;
DROP TABLE interview_interviewers;
DROP TABLE interviews;
DROP TABLE notes;

"""#),
        (name: "0012_documents.sql", contents: #"""
-- Documents: a candidate's uploaded files (résumés, cover letters, others), bytes and
-- all, in the database (bytea, stored out of line by TOAST; the content column is last
-- and never read by the metadata queries). `sha256` is the lower-case hex digest, also
-- the download's ETag. An application's resume_document_id is cleared by the
-- repository when its document is deleted (portable to SQLite, which cannot add a
-- foreign key to an existing table).
-- migrate:up
CREATE TABLE documents (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    candidate_id bigint NOT NULL,
    kind text NOT NULL CHECK (kind IN ('resume', 'cover_letter', 'other')),
    filename text NOT NULL,
    content_type text NOT NULL,
    size bigint NOT NULL CHECK (size >= 0),
    sha256 text NOT NULL,
    uploaded_by bigint,
    created_at timestamptz NOT NULL,
    content bytea NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, uploaded_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX documents_by_candidate ON documents (tenant_id, candidate_id, created_at, id);
-- Out of line, never compressed: the accepted formats are mostly compressed already.
ALTER TABLE documents ALTER COLUMN content SET STORAGE EXTERNAL;

ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON documents
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

-- migrate:down
DROP TABLE documents;

"""#),
        (name: "0013_webhooks.sql", contents: #"""
-- Webhook subscriptions. Deliveries are outbox rows of channel 'webhook' (recipient:
-- the webhook's id, kind: the event type, payload: the event's data), so they are
-- claimed, retried and relayed through Redis exactly like mail; the outbox gains what
-- the delivery log shows (the receiver's status and the attempt's duration). Secrets
-- are stored sealed with a key derived from SECRET_KEY; after a rotation the previous
-- one keeps signing until previous_secret_until.
-- migrate:up
CREATE TABLE webhooks (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    url text NOT NULL,
    events text NOT NULL,
    description text,
    active boolean NOT NULL DEFAULT true,
    secret text NOT NULL,
    previous_secret text,
    previous_secret_until timestamptz,
    consecutive_failures integer NOT NULL DEFAULT 0,
    last_success_at timestamptz,
    last_failure_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX webhooks_active ON webhooks (tenant_id, active, id);
ALTER TABLE outbox ADD COLUMN response_status integer;
ALTER TABLE outbox ADD COLUMN duration_ms integer;
CREATE INDEX outbox_by_recipient ON outbox (tenant_id, channel, recipient, created_at DESC, id DESC);

ALTER TABLE webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhooks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhooks
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

-- migrate:down
DROP INDEX outbox_by_recipient;
ALTER TABLE outbox DROP COLUMN duration_ms;
ALTER TABLE outbox DROP COLUMN response_status;
DROP TABLE webhooks;

"""#),
        (name: "0014_idempotency_and_operator.sql", contents: #"""
-- Idempotency keys and the operator's tenant status (API.md, Idempotency keys and
-- Operators). A key is kept per tenant, caller (user, API key or anonymous client
-- address) and key for 24 hours: the SHA-256 of the first request (method, target,
-- body) and, once it finished below 500, its response. A row without a status is a
-- request still in flight (a repeat is 409); `started_at` lets a later request take
-- over a marker whose process died. Expired rows are removed by the maintenance sweep.
-- A suspended tenant answers every request with 403 and its outbox waits.
-- migrate:up
-- The CHECK as a statement of its own: Citus refuses ADD COLUMN … CHECK on a
-- distributed (reference) table (deploy/SCALING.md).
ALTER TABLE tenants ADD COLUMN status text NOT NULL DEFAULT 'active';
ALTER TABLE tenants ADD CONSTRAINT tenants_status_check CHECK (status IN ('active', 'suspended'));

CREATE TABLE idempotency_keys (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    caller text NOT NULL,
    key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash text NOT NULL,
    status integer,
    content_type text,
    location text,
    etag text,
    body text,
    started_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, caller, key)
);
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (tenant_id, expires_at);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

-- migrate:down
DROP TABLE idempotency_keys;
ALTER TABLE tenants DROP COLUMN status;

"""#),
        (name: "0015_audit_log.sql", contents: #"""
-- The audit log (API.md, Audit log): one row per successful write, login (or failed
-- login), logout, password change and reset, written by the services in the same
-- transaction as what it records. Append-only for the application: the app role gets
-- INSERT and SELECT on it and nothing else (PostgresDatabase.grantApplicationRole
-- revokes UPDATE and DELETE). Rows leave only through two SECURITY DEFINER functions
-- (owned by the table owner), each allowed one thing: audit_events_expire removes what
-- is older than 400 days, audit_events_purge_tenant removes a deleted tenant's rows;
-- both only in the transaction's own tenant (app.tenant_id). A trigger refuses UPDATE to
-- everyone, the owner included. No foreign keys: an entry outlives the user, key or
-- resource it names, and goes with its tenant only after the tenant row is gone.
-- migrate:up
CREATE TABLE audit_events (
    tenant_id bigint NOT NULL,
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    actor_id bigint,
    api_key_id bigint,
    action text NOT NULL,
    resource_type text NOT NULL,
    resource_id bigint,
    request_id text,
    ip text,
    created_at timestamptz NOT NULL,
    changes text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- The list, newest first (also the 400-day expiry's range), and its two common filters.
CREATE INDEX audit_events_newest ON audit_events (tenant_id, created_at DESC, id DESC);
CREATE INDEX audit_events_by_resource ON audit_events (tenant_id, resource_type, resource_id, created_at DESC, id DESC);
CREATE INDEX audit_events_by_actor ON audit_events (tenant_id, actor_id, created_at DESC, id DESC) WHERE actor_id IS NOT NULL;

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

CREATE FUNCTION audit_events_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_update();

-- Removes `tenant`'s entries older than `cutoff` and older than 400 days, whichever is
-- earlier (the caller cannot shorten the retention); the number removed.
CREATE FUNCTION audit_events_expire(tenant bigint, cutoff timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    removed bigint;
BEGIN
    DELETE FROM public.audit_events
    WHERE tenant_id = tenant AND tenant = NULLIF(current_setting('app.tenant_id', true), '')::bigint
      AND created_at < LEAST(cutoff, now() - interval '400 days');
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END
$$;

-- Removes every entry of `tenant` once its tenant row is gone (ats tenant delete, in
-- the same transaction); refused while the tenant exists.
CREATE FUNCTION audit_events_purge_tenant(tenant bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    removed bigint;
BEGIN
    IF EXISTS (SELECT 1 FROM public.tenants WHERE id = tenant) THEN
        RAISE EXCEPTION 'the audit log of tenant % goes only with the tenant', tenant USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM public.audit_events
    WHERE tenant_id = tenant AND tenant = NULLIF(current_setting('app.tenant_id', true), '')::bigint;
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END
$$;
REVOKE ALL ON FUNCTION audit_events_expire(bigint, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_events_purge_tenant(bigint) FROM PUBLIC;

-- migrate:down
DROP FUNCTION audit_events_purge_tenant(bigint);
DROP FUNCTION audit_events_expire(bigint, timestamptz);
DROP TABLE audit_events;
DROP FUNCTION audit_events_refuse_update();

"""#),
        (name: "0016_reports.sql", contents: #"""
-- Reports (API.md, Reports) read the stage history without joining it to the
-- applications or ordering it per application: each history entry carries what the
-- reports filter and group by, written with the entry (Applications/StageHistory.swift):
--   applied_at    the application's created_at (the report window filters on it)
--   job_id        the application's job
--   first_entry   the first time the application entered to_stage (the funnel's reached)
--   stay_seconds  how long the application stayed in to_stage, set when the next entry
--                 is written (NULL while it is still there: the open stay)
-- and the indexes cover each report's query (index-only scans, tenant_id first).
-- migrate:up
ALTER TABLE application_events
    ADD COLUMN applied_at timestamptz,
    ADD COLUMN job_id bigint,
    ADD COLUMN stay_seconds bigint,
    ADD COLUMN first_entry boolean NOT NULL DEFAULT true;
ALTER TABLE application_events NO FORCE ROW LEVEL SECURITY;
ALTER TABLE applications NO FORCE ROW LEVEL SECURITY;
UPDATE application_events e SET applied_at = a.created_at, job_id = a.job_id
FROM applications a WHERE a.tenant_id = e.tenant_id AND a.id = e.application_id;
UPDATE application_events e SET stay_seconds = x.seconds, first_entry = x.first
FROM (
    SELECT tenant_id, id,
        CAST(EXTRACT(EPOCH FROM (lead(created_at) OVER (PARTITION BY tenant_id, application_id ORDER BY created_at, id) - created_at)) AS bigint) AS seconds,
        row_number() OVER (PARTITION BY tenant_id, application_id, to_stage ORDER BY created_at, id) = 1 AS first
    FROM application_events
) x
WHERE x.tenant_id = e.tenant_id AND x.id = e.id AND (x.seconds IS NOT NULL OR NOT x.first);
ALTER TABLE applications FORCE ROW LEVEL SECURITY;
ALTER TABLE application_events FORCE ROW LEVEL SECURITY;
CREATE INDEX application_events_report ON application_events (tenant_id, applied_at) INCLUDE (to_stage) WHERE first_entry;
CREATE INDEX application_events_report_by_job ON application_events (tenant_id, job_id, applied_at) INCLUDE (to_stage, first_entry, stay_seconds);
CREATE INDEX application_events_stays ON application_events (tenant_id, to_stage, stay_seconds) INCLUDE (applied_at, job_id)
    WHERE stay_seconds IS NOT NULL;
CREATE INDEX applications_report ON applications (tenant_id, created_at) INCLUDE (job_id, stage, source);

-- migrate:down
DROP INDEX applications_report;
DROP INDEX application_events_stays;
DROP INDEX application_events_report_by_job;
DROP INDEX application_events_report;
ALTER TABLE application_events
    DROP COLUMN first_entry,
    DROP COLUMN stay_seconds,
    DROP COLUMN job_id,
    DROP COLUMN applied_at;

"""#),
    ]
}
