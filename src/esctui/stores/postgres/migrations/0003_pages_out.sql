-- Pages out: every page owed with its tries, where the page sender is in the events, and the
-- outbound webhooks.

-- One row per page owed. `page` is the page as esctui encodes it; `attempts` its tries so far
-- (a JSON array); `next_at` when a pending page is next tried. A page is never owed twice: its
-- id says what it is for.
CREATE TABLE pages (
    id text PRIMARY KEY,
    made bigint GENERATED ALWAYS AS IDENTITY,
    incident text NOT NULL,
    owed_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'cancelled', 'gave-up')),
    next_at timestamptz NOT NULL,
    why text NOT NULL DEFAULT '',
    page jsonb NOT NULL,
    attempts jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX pages_pending ON pages (next_at) WHERE status = 'pending';
CREATE INDEX pages_owed_at ON pages (owed_at);
CREATE INDEX pages_incident ON pages (incident);

-- One row: when paging began (NULL before the first sender ran), and the last revision the
-- sender looked at (with the time of its event).
CREATE TABLE paging (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    started timestamptz,
    revision bigint,
    at timestamptz
);
INSERT INTO paging DEFAULT VALUES;

-- Outbound webhooks. The secret itself is kept (signing needs it): whoever can read this table
-- can sign as esctui.
CREATE TABLE webhooks (
    id text PRIMARY KEY,
    made bigint GENERATED ALWAYS AS IDENTITY,
    url text NOT NULL,
    events text[] NOT NULL,
    secret text NOT NULL,
    created_at timestamptz NOT NULL
);
