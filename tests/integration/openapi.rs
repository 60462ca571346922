//! The OpenAPI document matches the router: every route declared in
//! `src/api/` is documented, and every documented operation is served.

use std::collections::BTreeSet;
use std::path::Path;

use rampart::api::openapi::ENDPOINTS;
use rampart::api::NO_SUCH_ROUTE;
use reqwest::{Method, StatusCode};
use sqlx::PgPool;

use super::common::{read, spawn_app};

/// (method, path) pairs declared with `.route("…", get(…).post(…))` in the
/// API's source files, with the prefix each file is nested under.
fn declared_routes() -> BTreeSet<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut found = BTreeSet::new();
    let mut files = vec![
        (root.join("mod.rs"), "/api".to_string()),
        (
            root.join("dashboard.rs"),
            "/api/dashboard/security".to_string(),
        ),
    ];
    for entry in std::fs::read_dir(root.join("security")).unwrap() {
        files.push((entry.unwrap().path(), "/api/security".to_string()));
    }
    for (file, prefix) in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for chunk in text.split(".route(").skip(1) {
            let Some(path) = chunk
                .trim_start()
                .strip_prefix('"')
                .and_then(|rest| rest.split('"').next())
            else {
                continue;
            };
            // The method router ends where the next builder call begins.
            let body = chunk.split("\n        .").next().unwrap_or(chunk);
            let body = body.split("\n}").next().unwrap_or(body);
            let bytes = body.as_bytes();
            for method in ["get", "post", "put", "patch", "delete"] {
                let needle = format!("{method}(");
                let mut start = 0;
                while let Some(at) = body[start..].find(&needle) {
                    let index = start + at;
                    let before = if index == 0 { b' ' } else { bytes[index - 1] };
                    if !(before.is_ascii_alphanumeric() || before == b'_' || before == b':') {
                        found.insert((method.to_string(), format!("{prefix}{path}")));
                    }
                    start = index + needle.len();
                }
            }
        }
    }
    found
}

#[test]
fn every_declared_route_is_documented() {
    let documented: BTreeSet<(String, String)> = ENDPOINTS
        .iter()
        .map(|e| (e.method.to_string(), e.path.to_string()))
        .collect();
    let declared = declared_routes();
    assert!(
        declared.len() > 60,
        "the scan found only {} routes",
        declared.len()
    );
    let missing: Vec<_> = declared.difference(&documented).collect();
    assert!(missing.is_empty(), "served but not documented: {missing:?}");
    let extra: Vec<_> = documented.difference(&declared).collect();
    assert!(extra.is_empty(), "documented but not declared: {extra:?}");
}

#[sqlx::test(migrations = false)]
async fn every_documented_operation_is_served(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.user("staff@rampart.test", true).await;
    let staff = app.login("staff@rampart.test").await;
    let placeholder = uuid::Uuid::now_v7().to_string();
    for endpoint in ENDPOINTS {
        if endpoint.path.ends_with("/logout") || endpoint.path.ends_with("/password") {
            continue; // would end or change the session used here; covered in auth tests
        }
        let path = endpoint
            .path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    placeholder.as_str()
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(endpoint.method.to_uppercase().as_bytes()).unwrap();
        let response = staff
            .request(method, app.url(&format!("{path}/")))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        let (status, body) = read(response).await;
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{} {}",
            endpoint.method,
            endpoint.path
        );
        assert_ne!(
            body["error"]["message"], NO_SUCH_ROUTE,
            "{} {}",
            endpoint.method, endpoint.path
        );
        assert_ne!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{} {}: {body}",
            endpoint.method,
            endpoint.path
        );
    }

    let (status, document) = read(reqwest::get(app.url("/api/openapi.json")).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["openapi"], "3.1.0");
    assert!(
        document["paths"]["/api/security/incidents/{id}/status/"]["post"]["requestBody"]
            .is_object()
    );
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for name in [
        "Policy",
        "Control",
        "Incident",
        "Audit",
        "Finding",
        "ComplianceItem",
        "Checklist",
        "AppError",
    ] {
        assert!(schemas.contains_key(name), "{name} schema missing");
    }
    // The schemas come from the types: a field of the Control record is there.
    assert!(schemas["Control"]["properties"]["stale"].is_object());
}
