//! The API's envelope: error shape, 413/415/400, trailing slashes, health,
//! and the append-only audit trail.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use super::common::{client, read, spawn_app};

#[sqlx::test(migrations = false)]
async fn health_and_readiness(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (status, body) = read(client().get(app.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, body) = read(client().get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );
}

#[sqlx::test(migrations = false)]
async fn bodies_must_be_json_and_small(pool: PgPool) {
    let app = spawn_app(pool).await;
    let url = app.url("/api/auth/login");
    let (status, body) = read(
        client()
            .post(&url)
            .body("email=a&password=b")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["error"]["code"], "unsupported_media_type");

    let (status, body) = read(
        client()
            .post(&url)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid");

    let (status, body) = read(
        client()
            .post(&url)
            .json(&json!({"email": "a@b.co"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["fields"]["password"],
        "This field is required."
    );

    let (status, body) = read(
        client()
            .post(&url)
            .json(&json!({"email": "a@b.co", "password": 12}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["password"].is_string(), "{body}");

    let huge = json!({"email": "a@b.co", "password": "x".repeat(1024 * 1024 + 10)});
    let (status, body) = read(client().post(&url).json(&huge).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["code"], "payload_too_large");
}

#[sqlx::test(migrations = false)]
async fn unknown_routes_and_methods_answer_in_json(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (status, body) = read(
        client()
            .get(app.url("/api/no/such/thing"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let (status, body) = read(
        client()
            .delete(app.url("/api/auth/me"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(body["error"]["message"].is_string());
    // A malformed id in a path is simply not found.
    app.user("staff@example.com", true).await;
    let staff = app.login("staff@example.com").await;
    let (status, _) = read(
        staff
            .get(app.url("/api/enterprises/not-a-uuid/"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = false)]
async fn both_slash_forms_reach_the_same_route(pool: PgPool) {
    let app = spawn_app(pool).await;
    for path in ["/api/auth/me", "/api/auth/me/"] {
        let (status, body) = read(client().get(app.url(path)).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(body["error"]["code"], "unauthenticated");
    }
}

#[sqlx::test(migrations = false)]
async fn responses_carry_a_request_id_that_reaches_the_audit_trail(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.user("staff@example.com", true).await;
    let staff = app.login("staff@example.com").await;
    let response = staff
        .post(app.url("/api/enterprises"))
        .json(&json!({"name": "Acme", "slug": "acme"}))
        .send()
        .await
        .unwrap();
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(response.status(), StatusCode::CREATED);
    let row: (String, String, serde_json::Value) = sqlx::query_as(
        "SELECT request_id, client_ip, changes FROM audit_log WHERE entity_type = 'enterprise'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(row.0, request_id);
    assert_eq!(row.1, "127.0.0.1");
    assert_eq!(row.2["slug"]["after"], "acme");
}

#[sqlx::test(migrations = false)]
async fn the_audit_log_refuses_update_and_delete(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.user("someone@example.com", false).await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(count >= 1);
    for statement in [
        "UPDATE audit_log SET action = 'tampered'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let error = sqlx::query(statement).execute(&app.pool).await.unwrap_err();
        assert!(
            error.to_string().contains("append-only"),
            "{statement}: {error}"
        );
    }
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(after, count);
}
