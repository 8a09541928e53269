-- Tube Agency sync schema, version 2: many devices on one account.
--
-- Apply it after 0001_tubeagency_sync.sql (Dashboard → SQL Editor → paste →
-- Run, or `psql "$SUPABASE_DB_URL" -f 0002_devices_and_pull.sql`). Running
-- it again is harmless; to re-apply everything, run the files in order.
-- Projects that have not applied it keep working: the app pulls table by
-- table as before and says so in Settings → Sync, and autopilot hosts
-- cannot be shared between devices.
--
-- What it adds
--   * channels.autopilot_host: the device that runs autopilot for the
--     channel (its device id), synced like every column.
--   * devices: one row per installation signed in to the account (id = the
--     device id every clock value it makes ends with, name, kind desktop or
--     serve, last_seen = its heartbeat in unix ms, version), with the same
--     owner, row-level security, last-writer-wins and sequence rules as the
--     other tables; keyed by (user_id, id), since one device may sign in to
--     several accounts in turn.
--   * Clock bound: a write whose clock value (hlc) is more than a day ahead
--     of the server's clock is refused (check constraint *_clock_not_ahead,
--     23514), and a row stored with such a value before this file was applied
--     (a broken device, or a client writing through the API) is replaced by
--     the next write whatever its clock, so one bad clock cannot pin a row for
--     ever.
--   * public.tubeagency_pull(cursors, page_limit, device): every table's
--     changes above the given per-table cursors in one call
--     (POST /rest/v1/rpc/tubeagency_pull), ordered by server_seq across
--     tables, page_limit rows at most (1–5000, default 1000). It returns
--     {"rows": [{"t": table, "s": server_seq, "r": row}…], "more": bool,
--     "last": server_seq}. Only tables named in cursors are read. Rows whose
--     clock value was made by `device` (the caller, who has them already)
--     are not sent but are covered by "last": the page covers every row of
--     those tables up to "last" (the last row sent when there is more, the
--     user's newest row otherwise), so the caller moves every cursor to it,
--     and a device that is the only writer reaches the head in one request
--     however much it pushed. This holds because one user's writes commit
--     their sequence numbers in order under the per-user lock (see 0001):
--     a row not yet visible will get a number above every visible one.

ALTER TABLE public.channels ADD COLUMN IF NOT EXISTS autopilot_host text NOT NULL DEFAULT '';

-- A device can be signed in to one account, then another: its id is unique
-- per owner, so the key is (user_id, id) and writes name both as their
-- conflict target (on_conflict=user_id,id).
CREATE TABLE IF NOT EXISTS public.devices (
    id          text NOT NULL,
    user_id     uuid NOT NULL DEFAULT auth.uid() REFERENCES auth.users(id) ON DELETE CASCADE,
    name        text NOT NULL DEFAULT '',
    kind        text NOT NULL DEFAULT '' CHECK (kind IN ('', 'desktop', 'serve')),
    last_seen   bigint NOT NULL DEFAULT 0,
    version     text NOT NULL DEFAULT '',
    hlc         text NOT NULL CHECK (hlc ~ '^[0-9]{13}-[0-9]{6}-[0-9a-f]{16}$'),
    deleted     boolean NOT NULL DEFAULT false,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL,
    server_seq  bigint NOT NULL DEFAULT nextval('public.tubeagency_server_seq'),
    synced_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, id)
);
CREATE INDEX IF NOT EXISTS devices_user_seq ON public.devices (user_id, server_seq);

-- The newest clock value the server accepts now: one day ahead of its clock.
-- (No SET clause, and only pg_catalog functions named as such, so PostgreSQL
-- can inline it into the check below instead of calling it for every row.)
CREATE OR REPLACE FUNCTION public.tubeagency_clock_bound() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT pg_catalog.lpad(((pg_catalog.date_part('epoch', pg_catalog.now()) * 1000)::bigint + 86400000)::text, 13, '0')
        OPERATOR(pg_catalog.||) '-999999-ffffffffffffffff'
$$;

-- As in 0001, plus: a stored row whose clock is beyond the bound loses to
-- any write (it was stamped by a broken clock before the bound existed).
CREATE OR REPLACE FUNCTION public.tubeagency_accept_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    owner text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.hlc <= OLD.hlc AND OLD.hlc <= public.tubeagency_clock_bound() THEN
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
    FOREACH t IN ARRAY ARRAY['channels', 'packages', 'activity', 'devices'] LOOP
        -- NOT VALID: rows stored before keep their value until rewritten.
        EXECUTE format('ALTER TABLE public.%I DROP CONSTRAINT IF EXISTS %I', t, t || '_clock_not_ahead');
        EXECUTE format('ALTER TABLE public.%I ADD CONSTRAINT %I CHECK (hlc <= public.tubeagency_clock_bound()) NOT VALID', t, t || '_clock_not_ahead');
    END LOOP;
    -- The devices table gets what 0001 gives the others.
    t := 'devices';
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON public.%I', t || '_lock_writer', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON public.%I', t || '_accept_update', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON public.%I', t || '_accept_insert', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON public.%I FOR EACH STATEMENT EXECUTE FUNCTION public.tubeagency_lock_writer()', t || '_lock_writer', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.tubeagency_accept_write()', t || '_accept_update', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON public.%I FOR EACH ROW WHEN (NEW.user_id::text IS DISTINCT FROM current_setting(''tubeagency.seq_lock'', true)) EXECUTE FUNCTION public.tubeagency_accept_write()', t || '_accept_insert', t);
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_select_own', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_insert_own', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_update_own', t);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid()))', t || '_select_own', t);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR INSERT TO authenticated WITH CHECK (user_id = (SELECT auth.uid()))', t || '_insert_own', t);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR UPDATE TO authenticated USING (user_id = (SELECT auth.uid())) WITH CHECK (user_id = (SELECT auth.uid()))', t || '_update_own', t);
    EXECUTE format('REVOKE ALL ON public.%I FROM anon, authenticated', t);
    EXECUTE format('GRANT SELECT ON public.%I TO authenticated', t);
    -- Writes may name every column but the server's own two; for channels
    -- that now includes autopilot_host.
    FOREACH t IN ARRAY ARRAY['channels', 'devices'] LOOP
        EXECUTE (SELECT format('GRANT INSERT (%1$s), UPDATE (%1$s) ON public.%2$I TO authenticated', string_agg(quote_ident(attname), ', ' ORDER BY attnum), t)
                 FROM pg_attribute
                 WHERE attrelid = ('public.' || t)::regclass AND attnum > 0 AND NOT attisdropped
                   AND attname NOT IN ('server_seq', 'synced_at'));
    END LOOP;
END
$$;

-- One request for every table's changes (see the top of this file). It runs
-- as the caller (SECURITY INVOKER), so row-level security applies as for a
-- plain read; the user_id filters only let the (user_id, server_seq)
-- indexes serve it.
CREATE OR REPLACE FUNCTION public.tubeagency_pull(cursors jsonb DEFAULT '{}'::jsonb, page_limit integer DEFAULT 1000, device text DEFAULT '')
RETURNS jsonb
LANGUAGE sql STABLE SET search_path = '' AS $$
    WITH p AS (
        SELECT greatest(1, least(coalesce(page_limit, 1000), 5000)) AS lim,
               (SELECT auth.uid()) AS uid,
               CASE WHEN device ~ '^[0-9a-f]{16}$' THEN '%-' || device END AS own
    ),
    changes AS (
        (SELECT 'channels'::text AS t, x.server_seq AS s, x.id FROM public.channels x, p
          WHERE cursors ? 'channels' AND x.user_id = p.uid AND x.server_seq > (cursors ->> 'channels')::bigint
            AND (p.own IS NULL OR x.hlc NOT LIKE p.own)
          ORDER BY x.server_seq LIMIT (SELECT lim + 1 FROM p))
        UNION ALL
        (SELECT 'packages', x.server_seq, x.id FROM public.packages x, p
          WHERE cursors ? 'packages' AND x.user_id = p.uid AND x.server_seq > (cursors ->> 'packages')::bigint
            AND (p.own IS NULL OR x.hlc NOT LIKE p.own)
          ORDER BY x.server_seq LIMIT (SELECT lim + 1 FROM p))
        UNION ALL
        (SELECT 'activity', x.server_seq, x.id FROM public.activity x, p
          WHERE cursors ? 'activity' AND x.user_id = p.uid AND x.server_seq > (cursors ->> 'activity')::bigint
            AND (p.own IS NULL OR x.hlc NOT LIKE p.own)
          ORDER BY x.server_seq LIMIT (SELECT lim + 1 FROM p))
        UNION ALL
        (SELECT 'devices', x.server_seq, x.id FROM public.devices x, p
          WHERE cursors ? 'devices' AND x.user_id = p.uid AND x.server_seq > (cursors ->> 'devices')::bigint
            AND (p.own IS NULL OR x.hlc NOT LIKE p.own)
          ORDER BY x.server_seq LIMIT (SELECT lim + 1 FROM p))
    ),
    page AS (
        SELECT c.*, row_number() OVER (ORDER BY c.s) AS n FROM changes c ORDER BY c.s LIMIT (SELECT lim + 1 FROM p)
    ),
    head AS (
        SELECT max(h) AS h FROM (
            SELECT (SELECT max(x.server_seq) FROM public.channels x WHERE x.user_id = p.uid) AS h FROM p WHERE cursors ? 'channels'
            UNION ALL SELECT (SELECT max(x.server_seq) FROM public.packages x WHERE x.user_id = p.uid) FROM p WHERE cursors ? 'packages'
            UNION ALL SELECT (SELECT max(x.server_seq) FROM public.activity x WHERE x.user_id = p.uid) FROM p WHERE cursors ? 'activity'
            UNION ALL SELECT (SELECT max(x.server_seq) FROM public.devices x WHERE x.user_id = p.uid) FROM p WHERE cursors ? 'devices'
        ) heads
    )
    SELECT jsonb_build_object(
        'rows', coalesce(jsonb_agg(jsonb_build_object('t', page.t, 's', page.s, 'r', (CASE page.t
                WHEN 'channels' THEN (SELECT to_jsonb(x) FROM public.channels x WHERE x.id = page.id)
                WHEN 'packages' THEN (SELECT to_jsonb(x) FROM public.packages x WHERE x.id = page.id)
                WHEN 'activity' THEN (SELECT to_jsonb(x) FROM public.activity x WHERE x.id = page.id)
                WHEN 'devices' THEN (SELECT to_jsonb(x) FROM public.devices x, p WHERE x.user_id = p.uid AND x.id = page.id)
                END) - 'user_id' - 'server_seq' - 'synced_at') ORDER BY page.s) FILTER (WHERE page.n <= p.lim), '[]'::jsonb),
        'more', count(page.s) > min(p.lim),
        'last', CASE WHEN count(page.s) > min(p.lim) THEN max(page.s) FILTER (WHERE page.n <= p.lim)
                     ELSE coalesce(min(head.h), 0) END)
    FROM p CROSS JOIN head LEFT JOIN page ON true
    GROUP BY p.own
$$;

REVOKE ALL ON FUNCTION public.tubeagency_pull(jsonb, integer, text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.tubeagency_pull(jsonb, integer, text) TO authenticated;

-- PostgREST (and so Supabase) reads new columns, tables and functions after
-- it reloads its schema cache.
NOTIFY pgrst, 'reload schema';
