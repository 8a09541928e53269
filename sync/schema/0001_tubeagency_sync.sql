-- Tube Agency sync schema, version 1.
--
-- Apply this file once to your Supabase project (Dashboard → SQL Editor →
-- paste → Run, or `psql "$SUPABASE_DB_URL" -f 0001_tubeagency_sync.sql`).
-- Running it again is harmless.
--
-- What it creates
--   * channels, packages, activity: mirrors of the app's synced tables. Each
--     row belongs to the user who wrote it (user_id defaults to auth.uid()),
--     carries the writer's hybrid-logical-clock value (hlc), a deleted flag
--     (deletes are tombstones, so other devices can pull them), the
--     client's created_at/updated_at (unix ms), a server sequence
--     (server_seq) and the server time of the last accepted write
--     (synced_at).
--   * Row-level security: a signed-in user sees, inserts and updates only
--     their own rows. Nobody deletes rows through the API. Policies read
--     (SELECT auth.uid()) so it is evaluated once per statement, not per row.
--   * A last-writer-wins trigger: a write whose clock is not newer than the
--     stored row is skipped, so a retried or stale upsert is a no-op.
--   * server_seq and synced_at are the server's: clients may not write
--     them (column privileges), so a request naming them is refused with
--     42501.
--   * Pull ordering: devices pull "rows with server_seq above my cursor".
--     Sequence values can commit out of order (a transaction holding N+1 may
--     commit before the one holding N), which would make a puller skip N for
--     ever. The trigger therefore takes a per-user transaction-scoped
--     advisory lock before drawing server_seq: writes of one user assign and
--     commit their sequence numbers one transaction at a time, so once a
--     puller sees N+1 it can never later discover an N. Pulls only see the
--     puller's own rows, so a per-user order is all a cursor needs. Gaps
--     (numbers drawn by skipped writes or by other users) are harmless.
--
--     Cost: a push inserts hundreds of rows per statement, so the common
--     path does no per-row trigger work. A statement-level trigger takes
--     the signed-in writer's lock before any row is built; a new row then
--     draws server_seq from its column default. A row-level trigger runs
--     only where it must: on updates (last-writer-wins) and on inserts of a
--     row owned by someone other than the locked writer (service-role
--     writes), where it takes that owner's lock and draws again.

CREATE SEQUENCE IF NOT EXISTS public.tubeagency_server_seq;

CREATE TABLE IF NOT EXISTS public.channels (
    id          text PRIMARY KEY,
    user_id     uuid NOT NULL DEFAULT auth.uid() REFERENCES auth.users(id) ON DELETE CASCADE,
    name        text NOT NULL DEFAULT '',
    niche       text NOT NULL DEFAULT '',
    language    text NOT NULL DEFAULT '',
    audience    text NOT NULL DEFAULT '',
    format      text NOT NULL DEFAULT '',
    cadence     double precision NOT NULL DEFAULT 0,
    youtube_id  text NOT NULL DEFAULT '',
    autopilot   boolean NOT NULL DEFAULT false,
    hlc         text NOT NULL CHECK (hlc ~ '^[0-9]{13}-[0-9]{6}-[0-9a-f]{16}$'),
    deleted     boolean NOT NULL DEFAULT false,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL,
    server_seq  bigint NOT NULL DEFAULT nextval('public.tubeagency_server_seq'),
    synced_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS public.packages (
    id          text PRIMARY KEY,
    user_id     uuid NOT NULL DEFAULT auth.uid() REFERENCES auth.users(id) ON DELETE CASCADE,
    channel_id  text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT '',
    topic       text NOT NULL DEFAULT '',
    title       text NOT NULL DEFAULT '',
    content     jsonb NOT NULL DEFAULT '{}'::jsonb,
    hlc         text NOT NULL CHECK (hlc ~ '^[0-9]{13}-[0-9]{6}-[0-9a-f]{16}$'),
    deleted     boolean NOT NULL DEFAULT false,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL,
    server_seq  bigint NOT NULL DEFAULT nextval('public.tubeagency_server_seq'),
    synced_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS public.activity (
    id          text PRIMARY KEY,
    user_id     uuid NOT NULL DEFAULT auth.uid() REFERENCES auth.users(id) ON DELETE CASCADE,
    channel_id  text NOT NULL DEFAULT '',
    kind        text NOT NULL DEFAULT '',
    message     text NOT NULL DEFAULT '',
    data        jsonb NOT NULL DEFAULT '{}'::jsonb,
    hlc         text NOT NULL CHECK (hlc ~ '^[0-9]{13}-[0-9]{6}-[0-9a-f]{16}$'),
    deleted     boolean NOT NULL DEFAULT false,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL,
    server_seq  bigint NOT NULL DEFAULT nextval('public.tubeagency_server_seq'),
    synced_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS channels_user_seq ON public.channels (user_id, server_seq);
CREATE INDEX IF NOT EXISTS packages_user_seq ON public.packages (user_id, server_seq);
CREATE INDEX IF NOT EXISTS activity_user_seq ON public.activity (user_id, server_seq);

-- Both trigger functions take the per-user lock at most once per
-- transaction: a transaction-local setting remembers whose lock is held, and
-- both revert together on rollback. (They are trigger functions, so the API
-- cannot call them as remote procedures.)

-- Before any row of a write is built, lock the signed-in writer.
CREATE OR REPLACE FUNCTION public.tubeagency_lock_writer() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    owner text := auth.uid()::text;
BEGIN
    IF owner IS NOT NULL AND current_setting('tubeagency.seq_lock', true) IS DISTINCT FROM owner THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('tubeagency:' || owner, 0));
        PERFORM set_config('tubeagency.seq_lock', owner, true);
    END IF;
    RETURN NULL;
END
$$;

-- Last writer wins, and an accepted write draws its server_seq under its
-- owner's lock (see "Pull ordering" above). Runs for every update, and for
-- inserts whose owner is not the locked writer.
CREATE OR REPLACE FUNCTION public.tubeagency_accept_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    owner text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.hlc <= OLD.hlc THEN
            RETURN NULL; -- stale or retried write: keep the stored row
        END IF;
        NEW.user_id := OLD.user_id; -- a row never changes owner
    END IF;
    owner := NEW.user_id::text;
    IF current_setting('tubeagency.seq_lock', true) IS DISTINCT FROM owner THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('tubeagency:' || owner, 0));
        PERFORM set_config('tubeagency.seq_lock', owner, true);
    END IF;
    NEW.server_seq := nextval('public.tubeagency_server_seq');
    NEW.synced_at := now();
    RETURN NEW;
END
$$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['channels', 'packages', 'activity'] LOOP
        -- Re-running the file on a project that applied an earlier copy.
        EXECUTE format('ALTER TABLE public.%I ALTER COLUMN server_seq SET DEFAULT nextval(''public.tubeagency_server_seq'')', t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON public.%I', t || '_accept_write', t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON public.%I', t || '_accept_update', t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON public.%I', t || '_accept_insert', t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON public.%I', t || '_lock_writer', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON public.%I FOR EACH STATEMENT EXECUTE FUNCTION public.tubeagency_lock_writer()', t || '_lock_writer', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.tubeagency_accept_write()', t || '_accept_update', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON public.%I FOR EACH ROW WHEN (NEW.user_id::text IS DISTINCT FROM current_setting(''tubeagency.seq_lock'', true)) EXECUTE FUNCTION public.tubeagency_accept_write()', t || '_accept_insert', t);
    END LOOP;
END
$$;

ALTER TABLE public.channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.packages ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.activity ENABLE ROW LEVEL SECURITY;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['channels', 'packages', 'activity'] LOOP
        EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_select_own', t);
        EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_insert_own', t);
        EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_update_own', t);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid()))', t || '_select_own', t);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR INSERT TO authenticated WITH CHECK (user_id = (SELECT auth.uid()))', t || '_insert_own', t);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR UPDATE TO authenticated USING (user_id = (SELECT auth.uid())) WITH CHECK (user_id = (SELECT auth.uid()))', t || '_update_own', t);
        EXECUTE format('REVOKE ALL ON public.%I FROM anon, authenticated', t);
        EXECUTE format('GRANT SELECT ON public.%I TO authenticated', t);
        -- Writes may name every column but the server's own two.
        EXECUTE (SELECT format('GRANT INSERT (%1$s), UPDATE (%1$s) ON public.%2$I TO authenticated', string_agg(quote_ident(attname), ', ' ORDER BY attnum), t)
                 FROM pg_attribute
                 WHERE attrelid = ('public.' || t)::regclass AND attnum > 0 AND NOT attisdropped
                   AND attname NOT IN ('server_seq', 'synced_at'));
    END LOOP;
END
$$;

REVOKE ALL ON SEQUENCE public.tubeagency_server_seq FROM anon;
GRANT USAGE ON SEQUENCE public.tubeagency_server_seq TO authenticated;
