-- Enterprise security records of SPEC §3.1–3.3 and §3.6. Every record has
-- enterprise_id (never null), created/updated timestamps, created_by and a
-- version that grows by one on every change (optimistic concurrency).
-- Enumerations are text with CHECK constraints; the Rust enums own them.

CREATE TABLE security_policies (
    id            uuid PRIMARY KEY,
    enterprise_id uuid NOT NULL UNIQUE REFERENCES enterprises (id) ON DELETE CASCADE,
    settings      jsonb NOT NULL,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    created_by    uuid REFERENCES users (id)
);

CREATE TABLE policy_frameworks (
    policy_id    uuid NOT NULL REFERENCES security_policies (id) ON DELETE CASCADE,
    framework_id uuid NOT NULL REFERENCES frameworks (id),
    PRIMARY KEY (policy_id, framework_id)
);

CREATE TABLE hardening_checklists (
    id            uuid PRIMARY KEY,
    enterprise_id uuid NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    system_type   text NOT NULL CHECK (system_type IN ('linux', 'windows', 'container', 'kubernetes', 'database', 'application', 'network')),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    verified_by   uuid REFERENCES users (id),
    verified_at   timestamptz,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    created_by    uuid REFERENCES users (id),
    CHECK ((verified_by IS NULL) = (verified_at IS NULL))
);
CREATE INDEX hardening_checklists_enterprise_idx ON hardening_checklists (enterprise_id, created_at DESC);

CREATE TABLE checklist_items (
    id           uuid PRIMARY KEY,
    checklist_id uuid NOT NULL REFERENCES hardening_checklists (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description  text NOT NULL DEFAULT '',
    priority     text NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    completed    boolean NOT NULL DEFAULT false,
    completed_by uuid REFERENCES users (id),
    completed_at timestamptz,
    note         text
);
CREATE INDEX checklist_items_checklist_idx ON checklist_items (checklist_id, position);

CREATE TABLE security_controls (
    id             uuid PRIMARY KEY,
    enterprise_id  uuid NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    framework_id   uuid NOT NULL REFERENCES frameworks (id),
    reference      text NOT NULL CHECK (length(reference) BETWEEN 1 AND 100),
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description    text NOT NULL DEFAULT '',
    priority       text NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    status         text NOT NULL CHECK (status IN ('not_implemented', 'in_progress', 'implemented', 'verified', 'not_applicable')),
    justification  text,
    owner_id       uuid REFERENCES users (id),
    test_results   text NOT NULL DEFAULT '',
    last_tested_at timestamptz,
    verified_by    uuid REFERENCES users (id),
    verified_at    timestamptz,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    created_by     uuid REFERENCES users (id),
    CHECK (status <> 'not_applicable' OR length(coalesce(justification, '')) > 0)
);
CREATE INDEX security_controls_enterprise_idx ON security_controls (enterprise_id, created_at DESC);

CREATE TABLE control_requirements (
    control_id     uuid NOT NULL REFERENCES security_controls (id) ON DELETE CASCADE,
    requirement_id uuid NOT NULL REFERENCES requirements (id),
    PRIMARY KEY (control_id, requirement_id)
);

-- Uploaded evidence files live in the database: backed up with the records
-- and served only as attachments.
CREATE TABLE evidence_files (
    id            uuid PRIMARY KEY,
    enterprise_id uuid NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    filename      text NOT NULL,
    content_type  text NOT NULL,
    size_bytes    integer NOT NULL,
    sha256        text NOT NULL,
    data          bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    uuid REFERENCES users (id)
);

CREATE TABLE control_evidence (
    id            uuid PRIMARY KEY,
    control_id    uuid NOT NULL REFERENCES security_controls (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    url           text,
    file_id       uuid REFERENCES evidence_files (id),
    collected_on  date NOT NULL,
    valid_until   date,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((url IS NULL) <> (file_id IS NULL)),
    CHECK (valid_until IS NULL OR valid_until >= collected_on)
);
CREATE INDEX control_evidence_control_idx ON control_evidence (control_id);

CREATE TABLE compliance_requirements (
    id              uuid PRIMARY KEY,
    enterprise_id   uuid NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    framework_id    uuid NOT NULL REFERENCES frameworks (id),
    requirement_ref text,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description     text NOT NULL DEFAULT '',
    owner_id        uuid REFERENCES users (id),
    deadline        date,
    status          text NOT NULL CHECK (status IN ('not_started', 'in_progress', 'completed', 'not_applicable')),
    evidence        text NOT NULL DEFAULT '',
    completed_at    timestamptz,
    completed_by    uuid REFERENCES users (id),
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    created_by      uuid REFERENCES users (id)
);
CREATE INDEX compliance_requirements_enterprise_idx ON compliance_requirements (enterprise_id, framework_id, status);
