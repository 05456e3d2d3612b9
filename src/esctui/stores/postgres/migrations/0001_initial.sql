-- esctui's first schema: events, the state of every incident, the directory, the idempotency
-- keys of requests, the server's tokens, and the counter that gives revisions.

-- One row: the last revision given. A transaction that appends takes it with
-- `UPDATE ... RETURNING`, which holds the row until that transaction ends: revisions are dense
-- and grow in the order transactions commit.
CREATE TABLE counters (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    revision bigint NOT NULL DEFAULT 0
);
INSERT INTO counters DEFAULT VALUES;

-- Incident numbers: INC-1001, INC-1002, ... A number taken by a transaction that rolled back
-- is not given again (gaps are allowed; nobody waits on another's trigger).
CREATE SEQUENCE incident_numbers START 1001;

-- Every event, never changed once written. `event` is the whole event as esctui encodes it;
-- the other columns are what queries look for.
CREATE TABLE events (
    revision bigint PRIMARY KEY,
    incident text NOT NULL,
    version integer NOT NULL,
    type text NOT NULL,
    actor text,
    at timestamptz NOT NULL,
    request text,
    event jsonb NOT NULL,
    UNIQUE (incident, version)
);

CREATE FUNCTION events_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'esctui''s events are never changed or removed';
END $$;
CREATE TRIGGER events_are_kept BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_kept();

-- The state of every incident (the fold of its events) as of its latest event.
CREATE TABLE incidents (
    id text PRIMARY KEY,
    number integer NOT NULL,
    version integer NOT NULL,
    service text NOT NULL,
    is_open boolean NOT NULL,
    created_at timestamptz NOT NULL,
    resolved_at timestamptz,
    -- When esctui next escalates it by itself (NULL: never, as things stand).
    escalate_at timestamptz,
    state jsonb NOT NULL
);
CREATE INDEX incidents_open ON incidents (number) WHERE is_open;
CREATE INDEX incidents_resolved_at ON incidents (resolved_at);
CREATE INDEX incidents_created_at ON incidents (created_at);
CREATE INDEX incidents_escalate_at ON incidents (escalate_at) WHERE escalate_at IS NOT NULL;

-- One row: the directory in force. `snapshot` names it; a new directory gets a new one.
CREATE TABLE directory (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    generation bigint NOT NULL DEFAULT 0,
    snapshot text NOT NULL DEFAULT 'g0',
    directory jsonb NOT NULL DEFAULT '{}'
);
INSERT INTO directory DEFAULT VALUES;

-- What each request sent with an idempotency key recorded: the revisions of its events.
CREATE TABLE requests (
    key text PRIMARY KEY,
    fingerprint text NOT NULL,
    revisions bigint[] NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- The server's tokens: never the token, only its SHA-256.
CREATE TABLE tokens (
    id text PRIMARY KEY,
    made bigint GENERATED ALWAYS AS IDENTITY,
    responder text NOT NULL,
    sha256 text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz,
    admin boolean NOT NULL DEFAULT false
);
CREATE INDEX tokens_responder ON tokens (responder) WHERE revoked_at IS NULL;
