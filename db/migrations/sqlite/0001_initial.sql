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
