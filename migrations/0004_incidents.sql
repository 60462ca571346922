-- Security incidents (SPEC §3.5) and their timeline. The status workflow
-- lives in src/domain/incident.rs; the CHECK constraints below are the
-- backstop that keeps the stored timestamps consistent with the status
-- whatever writes the row.

CREATE TABLE security_incidents (
    id                               uuid PRIMARY KEY,
    enterprise_id                    uuid NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    title                            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description                      text NOT NULL DEFAULT '',
    severity                         text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    status                           text NOT NULL DEFAULT 'reported'
                                     CHECK (status IN ('reported', 'investigating', 'contained', 'resolved')),
    -- Set automatically, in UTC: reported_at on creation, the others by the
    -- status changes (a skip forward fills every skipped one with the same
    -- instant; a reopen clears resolved_at, the events keep the history).
    reported_at                      timestamptz NOT NULL,
    investigation_started_at         timestamptz,
    contained_at                     timestamptz,
    resolved_at                      timestamptz,
    -- Impact.
    detected_at                      timestamptz NOT NULL,
    systems_affected                 text[] NOT NULL DEFAULT '{}',
    data_affected                    boolean NOT NULL DEFAULT false,
    data_categories                  text[] NOT NULL DEFAULT '{}'
                                     CHECK (data_categories <@ ARRAY['personal', 'financial', 'health', 'credentials',
                                                                     'intellectual_property', 'other']::text[]),
    users_affected                   integer NOT NULL DEFAULT 0 CHECK (users_affected >= 0),
    -- Analysis.
    root_cause                       text,
    lessons_learned                  text,
    -- Regulatory: which notification regimes apply, and when each clock
    -- (gdpr_authority, nis2_early_warning, …) was marked done:
    -- {"clock_key": "RFC 3339 timestamp"}.
    regulatory_notification_required boolean NOT NULL DEFAULT false,
    regulator                        text,
    regimes                          text[] NOT NULL DEFAULT '{}'
                                     CHECK (regimes <@ ARRAY['gdpr', 'nis2', 'hipaa']::text[]),
    notifications_done               jsonb NOT NULL DEFAULT '{}'::jsonb
                                     CHECK (jsonb_typeof(notifications_done) = 'object'),
    version                          integer NOT NULL DEFAULT 1,
    created_at                       timestamptz NOT NULL DEFAULT now(),
    updated_at                       timestamptz NOT NULL DEFAULT now(),
    created_by                       uuid REFERENCES users (id),
    CHECK (detected_at <= reported_at),
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL)),
    CHECK (status = 'reported' OR investigation_started_at IS NOT NULL),
    CHECK (status NOT IN ('contained', 'resolved') OR contained_at IS NOT NULL),
    CHECK (data_affected OR cardinality(data_categories) = 0)
);
CREATE INDEX security_incidents_status_idx ON security_incidents (enterprise_id, status);
CREATE INDEX security_incidents_detected_idx ON security_incidents (enterprise_id, detected_at DESC);
CREATE INDEX security_incidents_created_idx ON security_incidents (enterprise_id, created_at DESC);
CREATE INDEX security_incidents_resolved_idx ON security_incidents (enterprise_id, resolved_at)
    WHERE resolved_at IS NOT NULL;

-- The timeline: one row per status change (the first one from NULL to
-- 'reported' on creation). Rows are only ever inserted.
CREATE TABLE incident_events (
    id            uuid PRIMARY KEY,
    incident_id   uuid NOT NULL REFERENCES security_incidents (id) ON DELETE CASCADE,
    enterprise_id uuid NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    from_status   text CHECK (from_status IN ('reported', 'investigating', 'contained', 'resolved')),
    to_status     text NOT NULL CHECK (to_status IN ('reported', 'investigating', 'contained', 'resolved')),
    actor_id      uuid REFERENCES users (id),
    note          text,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, at, id);
CREATE INDEX incident_events_enterprise_idx ON incident_events (enterprise_id, at DESC);
