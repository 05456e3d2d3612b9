-- Alerts in: monitoring's integrations (keys kept only as SHA-256), the services' maintenance
-- windows, the heartbeats' last beats, and finding the incident an alert group maps to.

-- Every integration ever made. One active integration per name; a revoked one stays listed.
CREATE TABLE integrations (
    made bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    sha256 text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz,
    -- The whole record as esctui encodes it (kind, service, settings).
    record jsonb NOT NULL
);
CREATE UNIQUE INDEX integrations_active_name ON integrations (name) WHERE revoked_at IS NULL;

-- When each heartbeat last beat.
CREATE TABLE heartbeats (
    name text PRIMARY KEY,
    beat_at timestamptz NOT NULL
);

-- One maintenance window per service at most (an ended one may stay until the next).
CREATE TABLE maintenance (
    service text PRIMARY KEY,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    record jsonb NOT NULL
);

-- The incidents monitoring's alerts opened, by the integration and key they came under
-- (`state.alerts`, set by their `alerts-received` events): a notification finds its incident
-- without reading the others.
CREATE INDEX incidents_alerted ON incidents (
    (state -> 'alerts' ->> 'integration'), (state -> 'alerts' ->> 'key'), number DESC
) WHERE state -> 'alerts' ->> 'key' IS NOT NULL;
