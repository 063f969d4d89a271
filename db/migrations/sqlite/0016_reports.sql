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
