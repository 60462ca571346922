//! `GET /api/openapi.json`: the OpenAPI 3.1 document of the REST API.
//!
//! Schemas are generated (schemars) from the very types the handlers send
//! and receive; the operations come from `ENDPOINTS`. A test reads the route
//! declarations in `src/api/` and fails when a served route is missing here,
//! and another calls every documented operation to prove it is served.

use axum::Json;
use schemars::gen::{SchemaGenerator, SchemaSettings};
use schemars::schema::Schema;
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

use crate::domain::audit::{Audit, Finding};
use crate::domain::dashboard::{AuditsDashboard, IncidentsDashboard, Overview};
use crate::domain::enterprise::{EnterpriseSummary, Member};
use crate::domain::error::AppError;
use crate::domain::framework::{CatalogueRequirement, Framework};
use crate::domain::incident::{Incident, IncidentEvent, SeverityCounts};
use crate::domain::policy_rules::ComplianceSummary;
use crate::domain::records::{
    AuditLogEntry, Checklist, ComplianceItem, ComplianceScores, Control, Policy,
};
use crate::domain::server::controls::FrameworkControls;
use crate::domain::server::tokens::{CreatedToken, TokenInfo};
use crate::domain::user::{SessionUser, UserRecord};

type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

fn schema_list<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<Vec<T>>()
}

#[derive(Clone, Copy)]
pub enum Body {
    /// A JSON object of the record's writable fields (see the schema).
    Record(SchemaFn),
    /// No body.
    None,
}

#[derive(Clone, Copy)]
pub enum Answer {
    /// 200/201 with one value of this schema.
    One(u16, SchemaFn),
    /// 200 with the paged envelope of this schema.
    Page(SchemaFn),
    /// 204.
    Empty,
    /// A file download.
    File,
}

#[derive(Clone, Copy)]
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub tag: &'static str,
    pub query: &'static [&'static str],
    pub body: Body,
    pub answer: Answer,
}

macro_rules! endpoints {
    ($($method:literal $path:literal $tag:literal $summary:literal, query $query:expr, body $body:expr, answer $answer:expr;)+) => {
        pub const ENDPOINTS: &[Endpoint] = &[
            $(Endpoint { method: $method, path: $path, tag: $tag, summary: $summary, query: $query, body: $body, answer: $answer },)+
        ];
    };
}

use Answer::{Empty, One, Page};
use Body::Record;

endpoints! {
    "post" "/api/auth/login" "auth" "Sign in; sets the session cookie", query &[], body Record(schema::<LoginBody>), answer One(200, schema::<SessionUser>);
    "post" "/api/auth/logout" "auth" "Sign out; deletes the session", query &[], body Body::None, answer Empty;
    "get" "/api/auth/me" "auth" "The signed-in user", query &[], body Body::None, answer One(200, schema::<SessionUser>);
    "post" "/api/auth/password" "auth" "Change your own password", query &[], body Record(schema::<PasswordBody>), answer Empty;
    "get" "/api/auth/tokens" "auth" "Your API tokens", query &[], body Body::None, answer One(200, schema_list::<TokenInfo>);
    "post" "/api/auth/tokens" "auth" "Create an API token (shown once)", query &[], body Record(schema::<NameBody>), answer One(201, schema::<CreatedToken>);
    "delete" "/api/auth/tokens/{id}" "auth" "Revoke an API token", query &[], body Body::None, answer Empty;
    "get" "/api/users" "users" "Users (staff)", query &["page", "page_size"], body Body::None, answer Page(schema::<UserRecord>);
    "post" "/api/users" "users" "Create a user (staff)", query &[], body Record(schema::<NewUserBody>), answer One(201, schema::<UserRecord>);
    "get" "/api/enterprises" "enterprises" "Enterprises you can see", query &[], body Body::None, answer One(200, schema_list::<EnterpriseSummary>);
    "post" "/api/enterprises" "enterprises" "Create an enterprise (staff)", query &[], body Record(schema::<NewEnterpriseBody>), answer One(201, schema::<EnterpriseSummary>);
    "get" "/api/enterprises/{id}" "enterprises" "One enterprise", query &[], body Body::None, answer One(200, schema::<EnterpriseSummary>);
    "get" "/api/enterprises/{id}/members" "enterprises" "Members (admins)", query &[], body Body::None, answer One(200, schema_list::<Member>);
    "post" "/api/enterprises/{id}/members" "enterprises" "Add a member (admins)", query &[], body Record(schema::<NewMemberBody>), answer One(201, schema::<Member>);
    "delete" "/api/enterprises/{id}/members/{user_id}" "enterprises" "Remove a member (admins)", query &[], body Body::None, answer Empty;

    "get" "/api/security/frameworks" "frameworks" "Frameworks", query &["name"], body Body::None, answer One(200, schema_list::<Framework>);
    "get" "/api/security/frameworks/{id}" "frameworks" "One framework by id or slug", query &[], body Body::None, answer One(200, schema::<Framework>);
    "get" "/api/security/frameworks/{id}/requirements" "frameworks" "The catalogue in tree order", query &[], body Body::None, answer One(200, schema_list::<CatalogueRequirement>);

    "get" "/api/security/policies" "policies" "Policies", query &["enterprise", "framework", "page", "page_size", "ordering"], body Body::None, answer Page(schema::<Policy>);
    "post" "/api/security/policies" "policies" "Create the enterprise's policy (admins)", query &[], body Record(schema::<Policy>), answer One(201, schema::<Policy>);
    "get" "/api/security/policies/{id}" "policies" "One policy", query &[], body Body::None, answer One(200, schema::<Policy>);
    "put" "/api/security/policies/{id}" "policies" "Change settings (as PATCH)", query &[], body Record(schema::<Policy>), answer One(200, schema::<Policy>);
    "patch" "/api/security/policies/{id}" "policies" "Change settings", query &[], body Record(schema::<Policy>), answer One(200, schema::<Policy>);
    "delete" "/api/security/policies/{id}" "policies" "Delete the policy", query &[], body Body::None, answer Empty;
    "get" "/api/security/policies/{id}/compliance-summary" "policies" "Baseline rules per committed framework", query &[], body Body::None, answer One(200, schema::<ComplianceSummary>);

    "get" "/api/security/checklists" "checklists" "Hardening checklists", query &["enterprise", "system_type", "status", "page", "page_size", "ordering"], body Body::None, answer Page(schema::<Checklist>);
    "post" "/api/security/checklists" "checklists" "Create a checklist (optionally from the template)", query &[], body Record(schema::<Checklist>), answer One(201, schema::<Checklist>);
    "get" "/api/security/checklists/{id}" "checklists" "One checklist", query &[], body Body::None, answer One(200, schema::<Checklist>);
    "put" "/api/security/checklists/{id}" "checklists" "Rename / retype (as PATCH)", query &[], body Record(schema::<Checklist>), answer One(200, schema::<Checklist>);
    "patch" "/api/security/checklists/{id}" "checklists" "Rename / retype", query &[], body Record(schema::<Checklist>), answer One(200, schema::<Checklist>);
    "delete" "/api/security/checklists/{id}" "checklists" "Delete a checklist", query &[], body Body::None, answer Empty;
    "post" "/api/security/checklists/{id}/items" "checklists" "Add an item", query &[], body Record(schema::<crate::domain::records::ChecklistItem>), answer One(201, schema::<Checklist>);
    "patch" "/api/security/checklists/{id}/items/{item}" "checklists" "Tick, untick or edit an item", query &[], body Record(schema::<crate::domain::records::ChecklistItem>), answer One(200, schema::<Checklist>);
    "delete" "/api/security/checklists/{id}/items/{item}" "checklists" "Remove an item", query &[], body Body::None, answer One(200, schema::<Checklist>);
    "post" "/api/security/checklists/{id}/verify" "checklists" "Sign off (only at 100 %)", query &[], body Body::None, answer One(200, schema::<Checklist>);

    "get" "/api/security/controls" "controls" "Security controls", query &["enterprise", "framework", "priority", "status", "stale", "page", "page_size", "ordering"], body Body::None, answer Page(schema::<Control>);
    "post" "/api/security/controls" "controls" "Create a control", query &[], body Record(schema::<Control>), answer One(201, schema::<Control>);
    "get" "/api/security/controls/by-framework" "controls" "Controls grouped by framework", query &["enterprise"], body Body::None, answer One(200, schema_list::<FrameworkControls>);
    "get" "/api/security/controls/{id}" "controls" "One control", query &[], body Body::None, answer One(200, schema::<Control>);
    "put" "/api/security/controls/{id}" "controls" "Edit (as PATCH)", query &[], body Record(schema::<Control>), answer One(200, schema::<Control>);
    "patch" "/api/security/controls/{id}" "controls" "Edit; implementation changes drop verification", query &[], body Record(schema::<Control>), answer One(200, schema::<Control>);
    "delete" "/api/security/controls/{id}" "controls" "Delete a control", query &[], body Body::None, answer Empty;
    "post" "/api/security/controls/{id}/verify" "controls" "Verify (only from implemented)", query &[], body Body::None, answer One(200, schema::<Control>);
    "post" "/api/security/controls/{id}/evidence" "controls" "Add evidence: JSON with a URL, or multipart with a file (≤ 10 MiB)", query &[], body Record(schema::<crate::domain::records::Evidence>), answer One(201, schema::<Control>);
    "delete" "/api/security/controls/{id}/evidence/{evidence_id}" "controls" "Remove evidence", query &[], body Body::None, answer One(200, schema::<Control>);
    "get" "/api/security/controls/{id}/evidence/{evidence_id}/download" "controls" "Download an evidence file (attachment)", query &[], body Body::None, answer Answer::File;

    "get" "/api/security/compliance" "compliance" "Tracked compliance requirements", query &["enterprise", "framework", "status", "overdue", "page", "page_size", "ordering"], body Body::None, answer Page(schema::<ComplianceItem>);
    "post" "/api/security/compliance" "compliance" "Track a requirement", query &[], body Record(schema::<ComplianceItem>), answer One(201, schema::<ComplianceItem>);
    "get" "/api/security/compliance/overdue" "compliance" "Overdue requirements", query &["enterprise", "page", "page_size"], body Body::None, answer Page(schema::<ComplianceItem>);
    "get" "/api/security/compliance/scores" "compliance" "Compliance score overall and per framework", query &["enterprise"], body Body::None, answer One(200, schema::<ComplianceScores>);
    "post" "/api/security/compliance/track-catalogue" "compliance" "Track every assessable requirement of a catalogue", query &[], body Record(schema::<TrackBody>), answer One(201, schema::<CreatedCount>);
    "get" "/api/security/compliance/{id}" "compliance" "One requirement", query &[], body Body::None, answer One(200, schema::<ComplianceItem>);
    "put" "/api/security/compliance/{id}" "compliance" "Edit (as PATCH)", query &[], body Record(schema::<ComplianceItem>), answer One(200, schema::<ComplianceItem>);
    "patch" "/api/security/compliance/{id}" "compliance" "Edit", query &[], body Record(schema::<ComplianceItem>), answer One(200, schema::<ComplianceItem>);
    "delete" "/api/security/compliance/{id}" "compliance" "Stop tracking", query &[], body Body::None, answer Empty;
    "post" "/api/security/compliance/{id}/complete" "compliance" "Mark completed", query &[], body Body::None, answer One(200, schema::<ComplianceItem>);

    "get" "/api/security/audits" "audits" "Security audits", query &["enterprise", "status", "audit_type", "page", "page_size", "ordering"], body Body::None, answer Page(schema::<Audit>);
    "post" "/api/security/audits" "audits" "Schedule an audit", query &[], body Record(schema::<Audit>), answer One(201, schema::<Audit>);
    "get" "/api/security/audits/upcoming" "audits" "Audits scheduled in the next days", query &["enterprise", "days", "page", "page_size"], body Body::None, answer Page(schema::<Audit>);
    "get" "/api/security/audits/{id}" "audits" "One audit", query &[], body Body::None, answer One(200, schema::<Audit>);
    "put" "/api/security/audits/{id}" "audits" "Edit (as PATCH)", query &[], body Record(schema::<Audit>), answer One(200, schema::<Audit>);
    "patch" "/api/security/audits/{id}" "audits" "Edit", query &[], body Record(schema::<Audit>), answer One(200, schema::<Audit>);
    "delete" "/api/security/audits/{id}" "audits" "Delete an audit and its findings", query &[], body Body::None, answer Empty;
    "post" "/api/security/audits/{id}/start" "audits" "Start (scheduled → in progress)", query &[], body Body::None, answer One(200, schema::<Audit>);
    "post" "/api/security/audits/{id}/complete" "audits" "Complete (only from in progress)", query &[], body Body::None, answer One(200, schema::<Audit>);
    "post" "/api/security/audits/{id}/cancel" "audits" "Cancel (from scheduled or in progress)", query &[], body Body::None, answer One(200, schema::<Audit>);
    "get" "/api/security/audits/{id}/findings" "audits" "Findings of an audit", query &["status", "severity", "overdue", "page", "page_size", "ordering"], body Body::None, answer Page(schema::<Finding>);
    "post" "/api/security/audits/{id}/findings" "audits" "Record a finding", query &[], body Record(schema::<Finding>), answer One(201, schema::<Finding>);
    "get" "/api/security/audits/{id}/findings/{finding_id}" "audits" "One finding", query &[], body Body::None, answer One(200, schema::<Finding>);
    "put" "/api/security/audits/{id}/findings/{finding_id}" "audits" "Edit a finding (as PATCH)", query &[], body Record(schema::<Finding>), answer One(200, schema::<Finding>);
    "patch" "/api/security/audits/{id}/findings/{finding_id}" "audits" "Edit a finding", query &[], body Record(schema::<Finding>), answer One(200, schema::<Finding>);
    "delete" "/api/security/audits/{id}/findings/{finding_id}" "audits" "Delete a finding", query &[], body Body::None, answer Empty;
    "get" "/api/security/findings/overdue" "audits" "Findings past their remediation deadline", query &["enterprise", "page", "page_size"], body Body::None, answer Page(schema::<Finding>);

    "get" "/api/security/incidents" "incidents" "Security incidents", query &["enterprise", "severity", "status", "active", "page", "page_size", "ordering"], body Body::None, answer Page(schema::<Incident>);
    "post" "/api/security/incidents" "incidents" "Report an incident", query &[], body Record(schema::<Incident>), answer One(201, schema::<Incident>);
    "get" "/api/security/incidents/active" "incidents" "Active (unresolved) incidents", query &["enterprise", "page", "page_size"], body Body::None, answer Page(schema::<Incident>);
    "get" "/api/security/incidents/by-severity" "incidents" "Active incidents by severity", query &["enterprise"], body Body::None, answer One(200, schema::<SeverityCounts>);
    "get" "/api/security/incidents/{id}" "incidents" "One incident", query &[], body Body::None, answer One(200, schema::<Incident>);
    "put" "/api/security/incidents/{id}" "incidents" "Edit (as PATCH)", query &[], body Record(schema::<Incident>), answer One(200, schema::<Incident>);
    "patch" "/api/security/incidents/{id}" "incidents" "Edit impact and analysis", query &[], body Record(schema::<Incident>), answer One(200, schema::<Incident>);
    "delete" "/api/security/incidents/{id}" "incidents" "Delete an incident", query &[], body Body::None, answer Empty;
    "post" "/api/security/incidents/{id}/status" "incidents" "Change status (compare-and-set on version)", query &[], body Record(schema::<StatusBody>), answer One(200, schema::<Incident>);
    "get" "/api/security/incidents/{id}/events" "incidents" "The incident's timeline", query &[], body Body::None, answer One(200, schema_list::<IncidentEvent>);
    "post" "/api/security/incidents/{id}/clocks/{key}/done" "incidents" "Mark a regulatory notification as done", query &[], body Body::None, answer One(200, schema::<Incident>);

    "get" "/api/dashboard/security/overview" "dashboard" "The four headline figures", query &["enterprise"], body Body::None, answer One(200, schema::<Overview>);
    "get" "/api/dashboard/security/compliance" "dashboard" "Compliance per framework", query &["enterprise"], body Body::None, answer One(200, schema::<ComplianceScores>);
    "get" "/api/dashboard/security/incidents" "dashboard" "Incident figures, MTTC/MTTR over ?days= (default 90)", query &["enterprise", "days"], body Body::None, answer One(200, schema::<IncidentsDashboard>);
    "get" "/api/dashboard/security/audits" "dashboard" "Upcoming and recent audits, overdue findings", query &["enterprise", "days"], body Body::None, answer One(200, schema::<AuditsDashboard>);
    "get" "/api/security/audit-log" "audit-log" "The audit trail (admins, staff)", query &["enterprise", "entity_type", "actor", "since", "until", "page", "page_size"], body Body::None, answer Page(schema::<AuditLogEntry>);
    "get" "/api/openapi.json" "meta" "This document", query &[], body Body::None, answer One(200, schema::<Value>);
}

// Request bodies of the auth and admin routes, for the document only: the
// handlers' own structs are private to their modules.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct LoginBody {
    email: String,
    password: String,
}
#[derive(JsonSchema)]
#[allow(dead_code)]
struct PasswordBody {
    current_password: String,
    new_password: String,
}
#[derive(JsonSchema)]
#[allow(dead_code)]
struct NameBody {
    name: String,
}
#[derive(JsonSchema)]
#[allow(dead_code)]
struct NewUserBody {
    email: String,
    name: String,
    password: String,
    is_staff: Option<bool>,
}
#[derive(JsonSchema)]
#[allow(dead_code)]
struct NewEnterpriseBody {
    name: String,
    slug: String,
}
#[derive(JsonSchema)]
#[allow(dead_code)]
struct NewMemberBody {
    user_id: Option<uuid::Uuid>,
    email: Option<String>,
    role: crate::domain::enterprise::Role,
}
#[derive(JsonSchema)]
#[allow(dead_code)]
struct TrackBody {
    enterprise_id: uuid::Uuid,
    framework: String,
}
#[derive(JsonSchema)]
#[allow(dead_code)]
struct CreatedCount {
    created: u64,
}
#[derive(JsonSchema)]
#[allow(dead_code)]
struct StatusBody {
    status: crate::domain::incident::IncidentStatus,
    note: Option<String>,
    version: Option<i32>,
}

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect()
}

fn to_value(schema: Schema) -> Value {
    serde_json::to_value(schema).unwrap_or(Value::Null)
}

/// The whole document.
pub fn document() -> Value {
    let mut settings = SchemaSettings::draft2019_09();
    settings.definitions_path = "#/components/schemas/".to_string();
    settings.option_add_null_type = true;
    let mut generator = SchemaGenerator::new(settings);
    let error = to_value(generator.subschema_for::<AppError>());
    let mut paths: Map<String, Value> = Map::new();
    for endpoint in ENDPOINTS {
        let mut operation = Map::new();
        operation.insert("summary".into(), json!(endpoint.summary));
        operation.insert("tags".into(), json!([endpoint.tag]));
        operation.insert(
            "operationId".into(),
            json!(format!(
                "{}_{}",
                endpoint.method,
                endpoint
                    .path
                    .trim_start_matches("/api/")
                    .replace(['/', '{', '}', '-', '.'], "_")
            )),
        );
        let mut parameters = path_parameters(endpoint.path);
        for name in endpoint.query {
            parameters.push(json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}}));
        }
        if !parameters.is_empty() {
            operation.insert("parameters".into(), Value::Array(parameters));
        }
        if let Body::Record(schema) = endpoint.body {
            operation.insert(
                "requestBody".into(),
                json!({"required": true, "content": {"application/json": {"schema": to_value(schema(&mut generator))}}}),
            );
        }
        let mut responses = Map::new();
        match endpoint.answer {
            Answer::One(status, schema) => {
                responses.insert(
                    status.to_string(),
                    json!({"description": "OK", "content": {"application/json": {"schema": to_value(schema(&mut generator))}}}),
                );
            }
            Answer::Page(schema) => {
                let item = to_value(schema(&mut generator));
                responses.insert(
                    "200".into(),
                    json!({"description": "A page of results", "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["count", "next", "previous", "results"],
                        "properties": {
                            "count": {"type": "integer"},
                            "next": {"type": ["string", "null"]},
                            "previous": {"type": ["string", "null"]},
                            "results": {"type": "array", "items": item}
                        }
                    }}}}),
                );
            }
            Answer::Empty => {
                responses.insert("204".into(), json!({"description": "Done"}));
            }
            Answer::File => {
                responses.insert(
                    "200".into(),
                    json!({"description": "The file, as an attachment", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}),
                );
            }
        }
        responses.insert(
            "default".into(),
            json!({"description": "An error (400, 401, 403, 404, 409, 413, 415, 429)", "content": {"application/json": {"schema": {
                "type": "object", "required": ["error"], "properties": {"error": error.clone()}
            }}}}),
        );
        operation.insert("responses".into(), Value::Object(responses));
        let item = paths
            .entry(format!("{}/", endpoint.path.trim_end_matches('/')))
            .or_insert_with(|| json!({}));
        if let Some(item) = item.as_object_mut() {
            item.insert(endpoint.method.into(), Value::Object(operation));
        }
    }
    let schemas: Map<String, Value> = generator
        .take_definitions()
        .into_iter()
        .map(|(name, schema)| (name, to_value(schema)))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Rampart API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Enterprise security and compliance records. Paths accept a trailing slash or none. Authenticate with the session cookie from POST /api/auth/login or with Authorization: Bearer <token>."
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": crate::server::startup::SESSION_COOKIE},
                "bearer": {"type": "http", "scheme": "bearer"}
            }
        },
        "security": [{"session": []}, {"bearer": []}],
        "paths": paths,
    })
}

pub async fn serve() -> Json<Value> {
    Json(document())
}
