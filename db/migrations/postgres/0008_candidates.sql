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
