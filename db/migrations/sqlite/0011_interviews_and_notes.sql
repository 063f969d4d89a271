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
