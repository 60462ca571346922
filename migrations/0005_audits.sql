-- Security audits and their findings (SPEC §3.4). Same conventions as the
-- other records: enterprise_id never null, created/updated timestamps,
-- created_by, and a version that grows by one on every change. Statuses are
-- text with CHECK constraints; the Rust enums in src/domain/audit.rs own them.

CREATE TABLE security_audits (
    id            uuid PRIMARY KEY,
    enterprise_id uuid NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    audit_type    text NOT NULL CHECK (audit_type IN ('internal', 'external')),
    scope         text NOT NULL DEFAULT '',
    auditor       text CHECK (auditor IS NULL OR length(auditor) BETWEEN 1 AND 200),
    scheduled_for date NOT NULL,
    status        text NOT NULL DEFAULT 'scheduled'
                  CHECK (status IN ('scheduled', 'in_progress', 'completed', 'cancelled')),
    started_at    timestamptz,
    completed_at  timestamptz,
    cancelled_at  timestamptz,
    summary       text,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    created_by    uuid REFERENCES users (id),
    -- The automatic timestamps follow the status, whatever path wrote it.
    CHECK (status NOT IN ('in_progress', 'completed') OR started_at IS NOT NULL),
    CHECK (status <> 'scheduled' OR started_at IS NULL),
    CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    -- Lets findings reference (audit, enterprise) so a finding can never sit
    -- in another tenant than its audit.
    UNIQUE (id, enterprise_id)
);
CREATE INDEX security_audits_enterprise_idx ON security_audits (enterprise_id, created_at DESC);
-- "Upcoming audits": scheduled ones by date.
CREATE INDEX security_audits_schedule_idx ON security_audits (enterprise_id, status, scheduled_for);

CREATE TABLE audit_frameworks (
    audit_id     uuid NOT NULL REFERENCES security_audits (id) ON DELETE CASCADE,
    framework_id uuid NOT NULL REFERENCES frameworks (id),
    PRIMARY KEY (audit_id, framework_id)
);
CREATE INDEX audit_frameworks_framework_idx ON audit_frameworks (framework_id);

CREATE TABLE audit_findings (
    id                   uuid PRIMARY KEY,
    audit_id             uuid NOT NULL,
    enterprise_id        uuid NOT NULL,
    title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description          text NOT NULL DEFAULT '',
    severity             text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    remediation_plan     text,
    remediation_deadline date,
    status               text NOT NULL DEFAULT 'open'
                         CHECK (status IN ('open', 'in_remediation', 'resolved')),
    resolved_at          timestamptz,
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    created_by           uuid REFERENCES users (id),
    FOREIGN KEY (audit_id, enterprise_id)
        REFERENCES security_audits (id, enterprise_id) ON DELETE CASCADE,
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
CREATE INDEX audit_findings_audit_idx ON audit_findings (audit_id, created_at);
-- Overdue findings of an enterprise: unresolved ones by deadline.
CREATE INDEX audit_findings_open_deadline_idx ON audit_findings (enterprise_id, remediation_deadline)
    WHERE status <> 'resolved';
