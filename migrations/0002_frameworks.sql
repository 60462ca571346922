-- Reference data: security frameworks and their requirement catalogues.
-- The nine built-in frameworks are seeded here with stable slugs; their
-- catalogues are loaded from src/catalogues/*.json at start-up by the same
-- code as `rampart frameworks import FILE`.

CREATE TABLE frameworks (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug          text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name          text NOT NULL,
    version       text NOT NULL,
    description   text NOT NULL DEFAULT '',
    issuing_body  text NOT NULL DEFAULT '',
    reference_url text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- A new version of a framework is a new framework, never a rewrite.
    UNIQUE (name, version)
);

CREATE TABLE requirements (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    framework_id     uuid NOT NULL REFERENCES frameworks (id) ON DELETE CASCADE,
    reference        text NOT NULL,
    title            text NOT NULL,
    parent_reference text,
    depth            integer NOT NULL CHECK (depth >= 1),
    assessable       boolean NOT NULL,
    position         integer NOT NULL,
    UNIQUE (framework_id, reference)
);
CREATE INDEX requirements_tree_idx ON requirements (framework_id, position);

INSERT INTO frameworks (slug, name, version, issuing_body) VALUES
    ('nist-csf',     'NIST Cybersecurity Framework', '1.1',   'NIST'),
    ('iso-27001',    'ISO/IEC 27001',                '2022',  'ISO/IEC'),
    ('cis-controls', 'CIS Controls',                 '8.1',   'Center for Internet Security'),
    ('owasp-top-10', 'OWASP Top 10',                 '2021',  'OWASP Foundation'),
    ('pci-dss',      'PCI DSS',                      '3.2.1', 'PCI Security Standards Council'),
    ('hipaa',        'HIPAA Security Rule',          '2013',  'U.S. Department of Health and Human Services'),
    ('gdpr',         'GDPR',                         '2018',  'European Union'),
    ('soc2',         'SOC 2 Type II',                '2022',  'AICPA'),
    ('nist-csf-2',   'NIST Cybersecurity Framework', '2.0',   'NIST')
ON CONFLICT (slug) DO NOTHING;
