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
