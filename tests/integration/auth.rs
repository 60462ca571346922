use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use super::common::{client, read, session_cookie, spawn_app, PASSWORD};

#[sqlx::test(migrations = false)]
async fn login_sets_a_hardened_cookie_and_me_answers(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.user("ada@example.com", false).await;
    let client = client();
    let response = client
        .post(app.url("/api/auth/login"))
        .json(&json!({"email": "ADA@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let (status, me) = read(client.get(app.url("/api/auth/me")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "ada@example.com");
    assert!(me.get("password_hash").is_none());
    let last_login: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT last_login_at FROM users WHERE email = 'ada@example.com'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(last_login.is_some());
}

#[sqlx::test(migrations = false)]
async fn wrong_password_and_unknown_user_are_the_same_401(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.user("ada@example.com", false).await;
    for (email, password) in [
        ("ada@example.com", "wrong password!"),
        ("nobody@example.com", PASSWORD),
    ] {
        let client = client();
        let response = client
            .post(app.url("/api/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert!(session_cookie(&response).is_none());
        let (status, body) = read(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "unauthenticated");
        assert_eq!(
            body["error"]["message"],
            "The e-mail address or password is not correct."
        );
        let (status, _) = read(client.get(app.url("/api/auth/me")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

#[sqlx::test(migrations = false)]
async fn deactivated_users_cannot_sign_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.user("gone@example.com", false).await;
    sqlx::query("UPDATE users SET is_active = false WHERE email = 'gone@example.com'")
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, _) = read(
        client()
            .post(app.url("/api/auth/login"))
            .json(&json!({"email": "gone@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = false)]
async fn the_session_id_changes_at_login(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.user("ada@example.com", false).await;
    let login = |client: reqwest::Client| {
        let url = app.url("/api/auth/login");
        async move {
            client
                .post(url)
                .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
                .send()
                .await
                .unwrap()
        }
    };
    let client = client();
    let first = session_cookie(&login(client.clone()).await).expect("first session");
    let second = session_cookie(&login(client.clone()).await).expect("second session");
    assert_ne!(first, second, "the id must change at login");
    // The id from before the second login no longer authenticates anyone.
    let stale = super::common::client();
    let response = stale
        .get(app.url("/api/auth/me"))
        .header("cookie", &first)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let fresh = stale
        .get(app.url("/api/auth/me"))
        .header("cookie", &second)
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), StatusCode::OK);
}

#[sqlx::test(migrations = false)]
async fn logout_deletes_the_session_on_the_server(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.user("ada@example.com", false).await;
    let client = client();
    let response = client
        .post(app.url("/api/auth/login"))
        .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&response).unwrap();
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 1);

    let response = client
        .post(app.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "logout must delete the stored session");
    // Replaying the old cookie does not work.
    let replay = super::common::client()
        .get(app.url("/api/auth/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = false)]
async fn password_change_needs_the_current_password(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.user("ada@example.com", false).await;
    let client = app.login("ada@example.com").await;
    let (status, body) = read(
        client
            .post(app.url("/api/auth/password"))
            .json(&json!({"current_password": "not it at all", "new_password": "a brand new passphrase"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["current_password"].is_string());

    let (status, body) = read(
        client
            .post(app.url("/api/auth/password"))
            .json(&json!({"current_password": PASSWORD, "new_password": "short"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["new_password"].is_string());

    let response = client
        .post(app.url("/api/auth/password"))
        .json(&json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let old = super::common::client()
        .post(app.url("/api/auth/login"))
        .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = super::common::client()
        .post(app.url("/api/auth/login"))
        .json(&json!({"email": "ada@example.com", "password": "a brand new passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(new.status(), StatusCode::OK);
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'change_password' AND changes::text NOT LIKE '%brand new%'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test(migrations = false)]
async fn api_tokens_work_until_revoked(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.user("bot-owner@example.com", false).await;
    let client = app.login("bot-owner@example.com").await;
    let (status, created) = read(
        client
            .post(app.url("/api/auth/tokens"))
            .json(&json!({"name": "nightly export"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = created["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 4 + 64, "256 random bits, hex, with prefix");
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_ne!(stored, token.as_bytes(), "only a hash is stored");

    let bearer = super::common::client();
    let (status, me) = read(
        bearer
            .get(app.url("/api/auth/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "bot-owner@example.com");
    let (_, listed) = read(
        client
            .get(app.url("/api/auth/tokens"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(listed[0]["last_used_at"].is_string());
    assert!(
        listed[0].get("token").is_none(),
        "the token is shown once only"
    );

    let id = created["id"].as_str().unwrap();
    let response = client
        .delete(app.url(&format!("/api/auth/tokens/{id}/")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = bearer
        .get(app.url("/api/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let garbage = bearer
        .get(app.url("/api/auth/me"))
        .bearer_auth("rmp_nonsense")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::UNAUTHORIZED);
}
