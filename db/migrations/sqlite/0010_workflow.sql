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
