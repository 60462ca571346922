//! Reading the audit trail: admins of the enterprise and staff only.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use super::common::{client, read};
use super::policies::tenants;

#[sqlx::test(migrations = false)]
async fn admins_and_staff_read_the_trail_members_do_not(pool: PgPool) {
    let t = tenants(pool).await;
    let (status, item) = read(
        t.member
            .post(t.app.url("/api/security/compliance/"))
            .json(&json!({"enterprise_id": t.a, "framework": "gdpr", "title": "Records of processing"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let url = t
        .app
        .url(&format!("/api/security/audit-log/?enterprise={}", t.a));
    for (who, client, want) in [
        ("member", &t.member, StatusCode::FORBIDDEN),
        ("viewer", &t.viewer, StatusCode::FORBIDDEN),
        ("other admin", &t.other_admin, StatusCode::FORBIDDEN),
    ] {
        assert_eq!(
            client.get(&url).send().await.unwrap().status(),
            want,
            "{who}"
        );
    }
    assert_eq!(
        client().get(&url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    let (status, page) = read(
        t.admin
            .get(format!("{url}&entity_type=compliance_requirement"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["count"], 1);
    let row = &page["results"][0];
    assert_eq!(row["action"], "create");
    assert_eq!(row["entity_id"], item["id"]);
    assert_eq!(row["changes"]["title"]["after"], "Records of processing");
    assert!(row["request_id"].is_string());
    let member_id: String =
        sqlx::query_scalar("SELECT id::text FROM users WHERE email = 'member@acme.test'")
            .fetch_one(&t.app.pool)
            .await
            .unwrap();
    assert_eq!(row["actor_id"], member_id.as_str());

    // Filters: by actor, and a date range that excludes everything.
    let (_, by_actor) = read(
        t.admin
            .get(format!("{url}&actor={member_id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(by_actor["count"], 1);
    let (_, future) = read(
        t.admin
            .get(format!("{url}&since=2999-01-01T00:00:00Z"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(future["count"], 0);
    let (status, body) = read(
        t.admin
            .get(format!("{url}&since=yesterday"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["since"].is_string(), "{body}");

    // Staff read across enterprises; admins must name theirs.
    let (status, all) = read(
        t.staff
            .get(t.app.url("/api/security/audit-log/"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(all["count"].as_i64().unwrap() >= 1);
    let (status, _) = read(
        t.admin
            .get(t.app.url("/api/security/audit-log/"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
