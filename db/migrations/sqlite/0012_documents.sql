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
