//! The access matrix of §1 on the enterprise endpoints: staff, admin,
//! member, viewer, team member, outsider and anonymous.

use rampart::domain::enterprise::Role;
use reqwest::{Client, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::common::{client, read, spawn_app, TestApp};

struct World {
    app: TestApp,
    a: Uuid,
    b: Uuid,
    staff: Client,
    admin: Client,
    member: Client,
    viewer: Client,
    team_member: Client,
    outsider: Client,
    anonymous: Client,
    viewer_id: Uuid,
}

async fn world(pool: PgPool) -> World {
    let app = spawn_app(pool).await;
    let a = app.enterprise("acme").await;
    let b = app.enterprise("globex").await;
    app.user("staff@example.com", true).await;
    let admin = app.user("admin@example.com", false).await;
    let member = app.user("member@example.com", false).await;
    let viewer_id = app.user("viewer@example.com", false).await;
    let team_member = app.user("team@example.com", false).await;
    let outsider = app.user("outsider@example.com", false).await;
    app.member(a, admin, Role::Admin).await;
    app.member(a, member, Role::Member).await;
    app.member(a, viewer_id, Role::Viewer).await;
    app.member(b, outsider, Role::Admin).await;
    let team: Uuid = sqlx::query_scalar(
        "INSERT INTO teams (id, enterprise_id, name, role) VALUES ($1, $2, 'blue team', 'member') RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(a)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)")
        .bind(team)
        .bind(team_member)
        .execute(&app.pool)
        .await
        .unwrap();
    World {
        staff: app.login("staff@example.com").await,
        admin: app.login("admin@example.com").await,
        member: app.login("member@example.com").await,
        viewer: app.login("viewer@example.com").await,
        team_member: app.login("team@example.com").await,
        outsider: app.login("outsider@example.com").await,
        anonymous: client(),
        app,
        a,
        b,
        viewer_id,
    }
}

impl World {
    fn everyone(&self) -> [(&'static str, &Client); 7] {
        [
            ("staff", &self.staff),
            ("admin", &self.admin),
            ("member", &self.member),
            ("viewer", &self.viewer),
            ("team member", &self.team_member),
            ("outsider", &self.outsider),
            ("anonymous", &self.anonymous),
        ]
    }
}

async fn status_of(request: reqwest::RequestBuilder) -> StatusCode {
    let (status, body) = read(request.send().await.unwrap()).await;
    if !status.is_success() {
        assert!(body["error"]["code"].is_string(), "error shape: {body}");
    }
    status
}

#[sqlx::test(migrations = false)]
async fn reading_an_enterprise(pool: PgPool) {
    let w = world(pool).await;
    let expected = [
        StatusCode::OK,
        StatusCode::OK,
        StatusCode::OK,
        StatusCode::OK,
        StatusCode::OK,
        StatusCode::FORBIDDEN,
        StatusCode::UNAUTHORIZED,
    ];
    for ((who, client), want) in w.everyone().into_iter().zip(expected) {
        let got = status_of(client.get(w.app.url(&format!("/api/enterprises/{}/", w.a)))).await;
        assert_eq!(got, want, "{who} GET enterprise");
    }
    // Staff asking for an enterprise that does not exist.
    let got = status_of(
        w.staff
            .get(w.app.url(&format!("/api/enterprises/{}", Uuid::now_v7()))),
    )
    .await;
    assert_eq!(
        got,
        StatusCode::NOT_FOUND,
        "staff asking for a missing enterprise"
    );
}

#[sqlx::test(migrations = false)]
async fn listing_enterprises_shows_only_ones_own(pool: PgPool) {
    let w = world(pool).await;
    let names = |body: serde_json::Value| -> Vec<String> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|e| e["slug"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, staff) = read(
        w.staff
            .get(w.app.url("/api/enterprises/"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(names(staff), ["acme", "globex"]);
    let (_, outsider) = read(
        w.outsider
            .get(w.app.url("/api/enterprises"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(names(outsider.clone()), ["globex"]);
    assert_eq!(outsider[0]["role"], "admin");
    let (_, team) = read(
        w.team_member
            .get(w.app.url("/api/enterprises"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(names(team.clone()), ["acme"]);
    assert_eq!(team[0]["role"], "member");
    let status = status_of(w.anonymous.get(w.app.url("/api/enterprises"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = false)]
async fn only_staff_create_enterprises(pool: PgPool) {
    let w = world(pool).await;
    for (who, client) in w.everyone() {
        let (status, body) = read(
            client
                .post(w.app.url("/api/enterprises/"))
                .json(&json!({"name": format!("New {who}"), "slug": format!("new-{}", who.replace(' ', "-"))}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let want = match who {
            "staff" => StatusCode::CREATED,
            "anonymous" => StatusCode::UNAUTHORIZED,
            _ => StatusCode::FORBIDDEN,
        };
        assert_eq!(status, want, "{who} POST enterprise: {body}");
    }
    let (status, body) = read(
        w.staff
            .post(w.app.url("/api/enterprises/"))
            .json(&json!({"name": "Dup", "slug": "acme"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["slug"].is_string());
    let (status, body) = read(
        w.staff
            .post(w.app.url("/api/enterprises/"))
            .json(&json!({"name": "Bad", "slug": "Not A Slug"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["slug"].is_string());
    let created: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity_type = 'enterprise' AND action = 'create' AND actor_id IS NOT NULL")
        .fetch_one(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(created, 1, "one audited creation, none for refusals");
}

#[sqlx::test(migrations = false)]
async fn members_are_managed_by_admins_and_staff(pool: PgPool) {
    let w = world(pool).await;
    let members_url = w.app.url(&format!("/api/enterprises/{}/members/", w.a));
    let expected = [
        StatusCode::OK,
        StatusCode::OK,
        StatusCode::FORBIDDEN,
        StatusCode::FORBIDDEN,
        StatusCode::FORBIDDEN,
        StatusCode::FORBIDDEN,
        StatusCode::UNAUTHORIZED,
    ];
    for ((who, client), want) in w.everyone().into_iter().zip(expected) {
        assert_eq!(
            status_of(client.get(&members_url)).await,
            want,
            "{who} GET members"
        );
    }
    let (_, listed) = read(w.admin.get(&members_url).send().await.unwrap()).await;
    let team_row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "team@example.com")
        .expect("team members are listed");
    assert_eq!(team_row["role"], serde_json::Value::Null);
    assert_eq!(team_row["effective_role"], "member");

    let newcomer = w.app.user("newcomer@example.com", false).await;
    for (who, client) in [
        ("member", &w.member),
        ("viewer", &w.viewer),
        ("outsider", &w.outsider),
    ] {
        let status = status_of(
            client
                .post(&members_url)
                .json(&json!({"user_id": newcomer, "role": "viewer"})),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} adds a member");
    }
    let (status, body) = read(
        w.admin
            .post(&members_url)
            .json(&json!({"email": "NEWCOMER@example.com", "role": "member"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["user_id"], newcomer.to_string());
    let again = status_of(
        w.admin
            .post(&members_url)
            .json(&json!({"user_id": newcomer, "role": "member"})),
    )
    .await;
    assert_eq!(again, StatusCode::CONFLICT);
    let (status, body) = read(
        w.admin
            .post(&members_url)
            .json(&json!({"user_id": newcomer, "role": "owner"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["role"].is_string());

    // The newcomer now reads the enterprise; removing them takes it away.
    let newcomer_client = w.app.login("newcomer@example.com").await;
    let enterprise_url = w.app.url(&format!("/api/enterprises/{}", w.a));
    assert_eq!(
        status_of(newcomer_client.get(&enterprise_url)).await,
        StatusCode::OK
    );
    let remove = w
        .app
        .url(&format!("/api/enterprises/{}/members/{}/", w.a, newcomer));
    assert_eq!(
        status_of(w.member.delete(&remove)).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.admin.delete(&remove).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        status_of(newcomer_client.get(&enterprise_url)).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status_of(w.admin.delete(&remove)).await,
        StatusCode::NOT_FOUND
    );

    // Staff manage members of any enterprise.
    let viewer_remove = w
        .app
        .url(&format!("/api/enterprises/{}/members/{}", w.a, w.viewer_id));
    assert_eq!(
        w.staff
            .delete(&viewer_remove)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NO_CONTENT
    );
}

#[sqlx::test(migrations = false)]
async fn the_last_admin_stays(pool: PgPool) {
    let w = world(pool).await;
    let admin_id: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'outsider@example.com'")
            .fetch_one(&w.app.pool)
            .await
            .unwrap();
    let url = w
        .app
        .url(&format!("/api/enterprises/{}/members/{}", w.b, admin_id));
    assert_eq!(
        status_of(w.outsider.delete(&url)).await,
        StatusCode::CONFLICT
    );
}

#[sqlx::test(migrations = false)]
async fn users_are_staff_business(pool: PgPool) {
    let w = world(pool).await;
    for (who, client) in w.everyone() {
        let want = match who {
            "staff" => StatusCode::OK,
            "anonymous" => StatusCode::UNAUTHORIZED,
            _ => StatusCode::FORBIDDEN,
        };
        assert_eq!(
            status_of(client.get(w.app.url("/api/users/"))).await,
            want,
            "{who} lists users"
        );
    }
    let (status, page) = read(
        w.staff
            .get(w.app.url("/api/users?page_size=2"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["count"], 6);
    assert_eq!(page["results"].as_array().unwrap().len(), 2);
    assert!(page["next"].as_str().unwrap().contains("page=2"));
    assert!(page["previous"].is_null());
    assert!(page["results"][0].get("password_hash").is_none());
    let (status, body) = read(
        w.staff
            .get(w.app.url("/api/users?page_size=500"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["page_size"].is_string());

    let (status, body) = read(
        w.staff
            .post(w.app.url("/api/users/"))
            .json(&json!({"email": "not-an-email", "name": "", "password": "short"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in ["email", "name", "password"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field} named: {body}"
        );
    }
    let (status, created) = read(
        w.staff
            .post(w.app.url("/api/users/"))
            .json(&json!({"email": "Auditor@Example.com", "name": "Ext Auditor", "password": "long enough secret"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["email"], "auditor@example.com");
    let (status, body) = read(
        w.staff
            .post(w.app.url("/api/users/"))
            .json(&json!({"email": "auditor@example.com", "name": "Again", "password": "long enough secret"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["email"].is_string());
    let status =
        status_of(w.admin.post(w.app.url("/api/users/")).json(
            &json!({"email": "x@example.com", "name": "X", "password": "long enough secret"}),
        ))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
