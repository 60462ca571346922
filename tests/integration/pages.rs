//! Server-rendered pages: redirects for anonymous visitors, 403 for
//! outsiders, and the security page shell with the tab from the URL.

use rampart::domain::enterprise::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

use super::common::{client, spawn_app};

#[sqlx::test(migrations = false)]
async fn anonymous_visitors_go_to_login_with_next(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = client()
        .get(app.url("/enterprise/0190c0de-0000-7000-8000-000000000000/security?tab=audits"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        "/login?next=%2Fenterprise%2F0190c0de-0000-7000-8000-000000000000%2Fsecurity%3Ftab%3Daudits"
    );
    let response = client().get(app.url("/")).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/login?next=%2F");
    let login = client().get(app.url("/login")).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let html = login.text().await.unwrap();
    assert!(
        html.contains("name=\"email\""),
        "the login form renders on the server"
    );
}

#[sqlx::test(migrations = false)]
async fn the_security_page_renders_for_members_and_403s_for_others(pool: PgPool) {
    let app = spawn_app(pool).await;
    let acme = app.enterprise("acme").await;
    let globex = app.enterprise("globex").await;
    let viewer = app.user("viewer@example.com", false).await;
    app.member(acme, viewer, Role::Viewer).await;
    let browser = app.login("viewer@example.com").await;

    let page = browser
        .get(app.url(&format!("/enterprise/{acme}/security?tab=incidents")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for expected in [
        "Policies Active",
        "Controls Verified",
        "Active Incidents",
        "Compliance Score",
        "<h2>Incidents</h2>",
    ] {
        assert!(html.contains(expected), "{expected} missing");
    }
    assert!(html.contains("viewer"), "the header shows the user");

    let forbidden = browser
        .get(app.url(&format!("/enterprise/{globex}/security")))
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    assert!(forbidden.text().await.unwrap().contains("Access denied"));

    // With one enterprise, `/` goes straight to its page.
    let home = browser
        .get(app.url("/"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(home.status().is_redirection(), "{}", home.status());
    assert_eq!(
        home.headers()["location"],
        format!("/enterprise/{acme}/security").as_str()
    );
}
