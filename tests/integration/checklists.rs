//! Hardening checklists (SPEC §3.2): templates, the derived completion
//! figure and status, sign-off, optimistic concurrency, filters, the access
//! matrix and the audit trail.

use rampart::domain::checklist::{template, SystemType};
use reqwest::{Client, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use super::common::{client, read};
use super::policies::{audit_rows, tenants, Tenants};

const ENTITY: &str = "hardening_checklist";

fn url(t: &Tenants, path: &str) -> String {
    t.app.url(&format!("/api/security/checklists/{path}"))
}

fn record_url(t: &Tenants, checklist: &Value) -> String {
    url(t, &format!("{}/", id(checklist)))
}

fn items_url(t: &Tenants, checklist: &Value) -> String {
    url(t, &format!("{}/items/", id(checklist)))
}

/// The URL of the checklist's `index`-th item.
fn item_url(t: &Tenants, checklist: &Value, index: usize) -> String {
    let item = checklist["items"][index]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no item {index} in {checklist}"));
    url(t, &format!("{}/items/{item}/", id(checklist)))
}

fn verify_url(t: &Tenants, checklist: &Value) -> String {
    url(t, &format!("{}/verify/", id(checklist)))
}

fn id(record: &Value) -> &str {
    record["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {record}"))
}

async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    read(request.send().await.unwrap()).await
}

/// The signed-in user's id.
async fn me(t: &Tenants, who: &Client) -> String {
    let (_, user) = send(who.get(t.app.url("/api/auth/me"))).await;
    user["id"].as_str().unwrap().to_string()
}

fn three_items(enterprise: Uuid, name: &str) -> Value {
    json!({
        "enterprise_id": enterprise,
        "system_type": "linux",
        "name": name,
        "items": [
            {"title": "Disable root SSH login", "priority": "critical"},
            {"title": "Enable auditd", "priority": "high", "description": "Forward to the SIEM."},
            {"title": "Set up NTP", "priority": "low", "note": "chrony"},
        ],
    })
}

async fn create(t: &Tenants, body: Value) -> Value {
    let (status, checklist) = send(t.member.post(url(t, "")).json(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{checklist}");
    checklist
}

/// Ticks (or unticks) the checklist's `index`-th item as `who`.
async fn tick(t: &Tenants, who: &Client, checklist: &Value, index: usize, done: bool) -> Value {
    let (status, updated) = send(
        who.patch(item_url(t, checklist, index))
            .json(&json!({"completed": done})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    updated
}

async fn actions(t: &Tenants, checklist: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity_type = $1 AND entity_id = $2 ORDER BY id",
    )
    .bind(ENTITY)
    .bind(checklist)
    .fetch_all(&t.app.pool)
    .await
    .unwrap()
}

async fn last_changes(t: &Tenants, checklist: &str) -> Value {
    sqlx::query_scalar(
        "SELECT changes FROM audit_log WHERE entity_type = $1 AND entity_id = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(ENTITY)
    .bind(checklist)
    .fetch_one(&t.app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = false)]
async fn every_system_type_has_a_template(pool: PgPool) {
    let t = tenants(pool).await;
    for system in SystemType::ALL {
        let checklist = create(
            &t,
            json!({"enterprise_id": t.a, "system_type": system.as_str(),
                   "name": format!("{} baseline", system.label()), "from_template": true}),
        )
        .await;
        let items = checklist["items"].as_array().unwrap();
        assert!(
            items.len() >= 8,
            "{}: {} items",
            system.as_str(),
            items.len()
        );
        let titles: Vec<&str> = items.iter().map(|i| i["title"].as_str().unwrap()).collect();
        let expected: Vec<&str> = template(system).iter().map(|i| i.title).collect();
        assert_eq!(titles, expected, "{}", system.as_str());
        assert_eq!(items[0]["priority"], template(system)[0].priority.as_str());
        assert!(items.iter().all(|i| i["completed"] == false
            && i["completed_by"].is_null()
            && i["description"].as_str().is_some_and(|d| !d.is_empty())));
        assert_eq!(checklist["system_type"], system.as_str());
        assert_eq!(checklist["status"], "not_started");
        assert_eq!(checklist["completion_percentage"], 0.0);
        assert_eq!(checklist["version"], 1);
        assert_eq!(checklist["enterprise_id"], t.a.to_string());
        assert!(checklist["verified_by"].is_null() && checklist["verified_at"].is_null());
        // Reading it back gives the same record.
        let (status, read_back) = send(t.viewer.get(record_url(&t, &checklist))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(read_back, checklist);
    }
    // Template items come first, then the given ones.
    let mixed = create(
        &t,
        json!({"enterprise_id": t.a, "system_type": "database", "name": "Billing DB",
               "from_template": true, "items": [{"title": "Rotate the replication password", "priority": "high"}]}),
    )
    .await;
    let items = mixed["items"].as_array().unwrap();
    assert_eq!(items.len(), template(SystemType::Database).len() + 1);
    assert_eq!(
        items.last().unwrap()["title"],
        "Rotate the replication password"
    );
    // Without the template, only the given items (here none).
    let empty = create(
        &t,
        json!({"enterprise_id": t.a, "system_type": "network", "name": "Edge routers"}),
    )
    .await;
    assert_eq!(empty["items"], json!([]));
    assert_eq!(empty["status"], "not_started");
    assert_eq!(empty["completion_percentage"], 0.0);
    assert_eq!(audit_rows(&t.app, ENTITY).await, 9);
}

#[sqlx::test(migrations = false)]
async fn ticking_items_drives_percentage_and_status(pool: PgPool) {
    let t = tenants(pool).await;
    let member_id = me(&t, &t.member).await;
    let checklist = create(&t, three_items(t.a, "Web servers")).await;
    assert_eq!(checklist["items"][1]["description"], "Forward to the SIEM.");
    assert_eq!(checklist["items"][2]["note"], "chrony");
    assert_eq!(checklist["items"][0]["note"], Value::Null);

    let one = tick(&t, &t.member, &checklist, 0, true).await;
    assert_eq!(one["completion_percentage"], 33.3);
    assert_eq!(one["status"], "in_progress");
    assert_eq!(one["version"], 2, "an item change bumps the checklist");
    assert_ne!(one["updated_at"], checklist["updated_at"]);
    let item = &one["items"][0];
    assert_eq!(item["completed"], true);
    assert_eq!(item["completed_by"], member_id.as_str());
    assert!(item["completed_at"].is_string());

    // Completing an already completed item keeps who and when.
    let again = tick(&t, &t.admin, &one, 0, true).await;
    assert_eq!(again["items"][0]["completed_by"], member_id.as_str());
    assert_eq!(again["items"][0]["completed_at"], item["completed_at"]);

    let two = tick(&t, &t.member, &again, 1, true).await;
    assert_eq!(two["completion_percentage"], 66.7);
    let all = tick(&t, &t.member, &two, 2, true).await;
    assert_eq!(all["completion_percentage"], 100.0);
    assert_eq!(all["status"], "completed", "100 % but not signed off");

    // Un-completing clears who and when.
    let back = tick(&t, &t.member, &all, 0, false).await;
    assert_eq!(back["status"], "in_progress");
    assert_eq!(back["items"][0]["completed"], false);
    assert!(back["items"][0]["completed_by"].is_null());
    assert!(back["items"][0]["completed_at"].is_null());

    // Other fields of an item change; blank text clears the note.
    let (status, edited) = send(t.member.patch(item_url(&t, &back, 2)).json(
        &json!({"title": "Synchronise time", "priority": "medium", "note": "  ", "description": "Use chrony."}),
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let item = &edited["items"][2];
    assert_eq!(item["title"], "Synchronise time");
    assert_eq!(item["priority"], "medium");
    assert!(item["note"].is_null());
    assert_eq!(item["description"], "Use chrony.");
    assert_eq!(item["completed"], true, "untouched fields stay");

    // Deleting an item answers with the updated checklist.
    let (status, fewer) = send(t.member.delete(item_url(&t, &edited, 0))).await;
    assert_eq!(status, StatusCode::OK, "{fewer}");
    assert_eq!(fewer["items"].as_array().unwrap().len(), 2);
    assert_eq!(fewer["completion_percentage"], 100.0);
    assert_eq!(fewer["status"], "completed");
    assert_eq!(
        fewer["version"].as_i64().unwrap(),
        edited["version"].as_i64().unwrap() + 1
    );
    // The deleted item is gone: 404 when addressed again.
    let (status, _) = send(
        t.member
            .patch(item_url(&t, &edited, 0))
            .json(&json!({"completed": true})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // An item of another checklist is not found through this one.
    let other = create(&t, three_items(t.a, "Mail servers")).await;
    let foreign = format!(
        "{}{}/",
        items_url(&t, &fewer),
        other["items"][0]["id"].as_str().unwrap()
    );
    let (status, _) = send(t.member.patch(&foreign).json(&json!({"completed": true}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(t.member.delete(&foreign)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = false)]
async fn verification_only_at_full_completion(pool: PgPool) {
    let t = tenants(pool).await;
    let admin_id = me(&t, &t.admin).await;
    let checklist = create(&t, three_items(t.a, "Web servers")).await;
    let partly = tick(&t, &t.member, &checklist, 0, true).await;
    let audits = audit_rows(&t.app, ENTITY).await;

    let (status, body) = send(t.admin.post(verify_url(&t, &partly))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        body["error"]["message"],
        "Only a fully completed checklist can be verified: 2 of 3 items are still open."
    );
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits, "no audit row");
    let (_, unchanged) = send(t.viewer.get(record_url(&t, &partly))).await;
    assert_eq!(unchanged, partly);

    // An empty checklist cannot be signed off either.
    let empty = create(
        &t,
        json!({"enterprise_id": t.a, "system_type": "windows", "name": "Empty"}),
    )
    .await;
    let (status, body) = send(t.admin.post(verify_url(&t, &empty))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("without items"));

    let two = tick(&t, &t.member, &partly, 1, true).await;
    let all = tick(&t, &t.member, &two, 2, true).await;
    let audits = audit_rows(&t.app, ENTITY).await;
    let (status, verified) = send(
        t.admin
            .post(verify_url(&t, &all))
            .json(&json!({"version": all["version"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{verified}");
    assert_eq!(verified["status"], "verified");
    assert_eq!(verified["verified_by"], admin_id.as_str());
    assert!(verified["verified_at"].is_string());
    assert_eq!(verified["version"], all["version"].as_i64().unwrap() + 1);
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits + 1);
    assert_eq!(
        actions(&t, id(&all)).await.last().map(String::as_str),
        Some("verify")
    );
    let changes = last_changes(&t, id(&all)).await;
    assert_eq!(changes["status"]["before"], "completed");
    assert_eq!(changes["status"]["after"], "verified");
    assert_eq!(changes["verified_by"]["after"], admin_id.as_str());

    // Signing off twice is refused.
    let (status, _) = send(t.admin.post(verify_url(&t, &verified))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits + 1);

    // Verified checklists are found by the derived status.
    let (_, page) = send(t.viewer.get(format!(
        "{}?enterprise={}&status=verified",
        url(&t, ""),
        t.a
    )))
    .await;
    assert_eq!(page["count"], 1);
    assert_eq!(page["results"][0]["id"], verified["id"]);
}

#[sqlx::test(migrations = false)]
async fn uncompleting_an_item_clears_the_verification(pool: PgPool) {
    let t = tenants(pool).await;
    let mut checklist = create(&t, three_items(t.a, "Web servers")).await;
    for index in 0..3 {
        checklist = tick(&t, &t.member, &checklist, index, true).await;
    }
    let (status, verified) = send(t.admin.post(verify_url(&t, &checklist))).await;
    assert_eq!(status, StatusCode::OK, "{verified}");

    let reopened = tick(&t, &t.member, &verified, 1, false).await;
    assert_eq!(reopened["status"], "in_progress");
    assert_eq!(reopened["completion_percentage"], 66.7);
    assert!(reopened["verified_by"].is_null());
    assert!(reopened["verified_at"].is_null());
    // Stored, not only derived: completing it again does not bring the old
    // sign-off back.
    let done = tick(&t, &t.member, &reopened, 1, true).await;
    assert_eq!(done["status"], "completed");
    assert!(done["verified_by"].is_null());
    let stored: Option<Uuid> =
        sqlx::query_scalar("SELECT verified_by FROM hardening_checklists WHERE id = $1")
            .bind(Uuid::parse_str(id(&done)).unwrap())
            .fetch_one(&t.app.pool)
            .await
            .unwrap();
    assert_eq!(stored, None);
    let changes: Value = sqlx::query_scalar(
        "SELECT changes FROM audit_log WHERE entity_type = $1 AND entity_id = $2 AND action = 'update_item' ORDER BY id DESC OFFSET 1 LIMIT 1",
    )
    .bind(ENTITY)
    .bind(id(&done))
    .fetch_one(&t.app.pool)
    .await
    .unwrap();
    assert_eq!(changes["status"]["before"], "verified");
    assert_eq!(changes["status"]["after"], "in_progress");
    assert!(changes["verified_at"]["after"].is_null());
    assert_eq!(changes["item"]["before"]["completed"], true);
    assert_eq!(changes["item"]["after"]["completed"], false);
}

#[sqlx::test(migrations = false)]
async fn adding_an_item_clears_the_verification(pool: PgPool) {
    let t = tenants(pool).await;
    let mut checklist = create(&t, three_items(t.a, "Web servers")).await;
    for index in 0..3 {
        checklist = tick(&t, &t.member, &checklist, index, true).await;
    }
    let (_, verified) = send(t.admin.post(verify_url(&t, &checklist))).await;
    assert_eq!(verified["status"], "verified");

    let (status, grown) = send(t.member.post(items_url(&t, &verified)).json(&json!({
        "title": "Enable SELinux", "priority": "medium", "description": "Enforcing.", "note": "check the web app"
    })))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{grown}");
    assert_eq!(grown["status"], "in_progress");
    assert_eq!(grown["completion_percentage"], 75.0);
    assert!(grown["verified_by"].is_null() && grown["verified_at"].is_null());
    assert_eq!(grown["version"], verified["version"].as_i64().unwrap() + 1);
    let added = &grown["items"][3];
    assert_eq!(added["title"], "Enable SELinux");
    assert_eq!(added["description"], "Enforcing.");
    assert_eq!(added["note"], "check the web app");
    assert_eq!(added["priority"], "medium");
    assert_eq!(added["completed"], false);
    let changes = last_changes(&t, id(&grown)).await;
    assert!(changes["item"]["before"].is_null());
    assert_eq!(changes["item"]["after"]["title"], "Enable SELinux");
    assert_eq!(changes["status"]["before"], "verified");

    // Deleting the only item of a verified checklist clears it too.
    let single = create(
        &t,
        json!({"enterprise_id": t.a, "system_type": "container", "name": "Base image",
               "items": [{"title": "Run as non-root", "priority": "critical"}]}),
    )
    .await;
    let single = tick(&t, &t.member, &single, 0, true).await;
    let (_, single) = send(t.admin.post(verify_url(&t, &single))).await;
    assert_eq!(single["status"], "verified");
    let (status, emptied) = send(t.member.delete(item_url(&t, &single, 0))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(emptied["status"], "not_started");
    assert!(emptied["verified_at"].is_null());
}

#[sqlx::test(migrations = false)]
async fn stale_versions_conflict_and_change_nothing(pool: PgPool) {
    let t = tenants(pool).await;
    let checklist = create(&t, three_items(t.a, "Web servers")).await;
    let record = record_url(&t, &checklist);
    let (status, renamed) = send(
        t.member
            .patch(&record)
            .json(&json!({"version": 1, "name": "Front-end servers"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["name"], "Front-end servers");
    assert_eq!(renamed["version"], 2);
    // PUT changes the same fields, here with If-Match.
    let (status, retyped) = send(
        t.member
            .put(&record)
            .header("if-match", "\"2\"")
            .json(&json!({"name": "Front-end servers", "system_type": "application"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{retyped}");
    assert_eq!(retyped["system_type"], "application");
    assert_eq!(retyped["version"], 3);
    assert_eq!(retyped["items"], renamed["items"], "items untouched");

    let audits = audit_rows(&t.app, ENTITY).await;
    let stale: Vec<RequestBuilder> = vec![
        t.member
            .patch(&record)
            .json(&json!({"version": 1, "name": "Lost update"})),
        t.member
            .put(&record)
            .header("if-match", "1")
            .json(&json!({"name": "Lost update"})),
        t.member.delete(&record).header("if-match", "\"2\""),
        t.member
            .post(items_url(&t, &checklist))
            .json(&json!({"version": 2, "title": "Lost", "priority": "low"})),
        t.member
            .patch(item_url(&t, &checklist, 0))
            .json(&json!({"version": 1, "completed": true})),
        t.member
            .delete(item_url(&t, &checklist, 0))
            .header("if-match", "2"),
        t.admin
            .post(verify_url(&t, &checklist))
            .json(&json!({"version": 2})),
    ];
    for request in stale {
        let (status, body) = send(request).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["code"], "conflict");
        assert_eq!(body["error"]["current"]["name"], "Front-end servers");
        assert_eq!(body["error"]["current"]["version"], 3);
    }
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits, "no audit rows");
    let (_, now) = send(t.viewer.get(&record)).await;
    assert_eq!(now, retyped, "nothing changed");

    // Body and If-Match naming different versions is a bad request.
    let (status, body) = send(
        t.member
            .patch(&record)
            .header("if-match", "3")
            .json(&json!({"version": 2, "name": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["version"].is_string());

    // The current version goes through.
    let (status, ticked) = send(
        t.member
            .patch(item_url(&t, &checklist, 0))
            .header("if-match", "\"3\"")
            .json(&json!({"completed": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ticked}");
    assert_eq!(ticked["version"], 4);
    let (status, _) = send(t.member.delete(&record).header("if-match", "4")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = send(t.member.get(&record)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = false)]
async fn invalid_input_names_each_field(pool: PgPool) {
    let t = tenants(pool).await;
    let list = url(&t, "");
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({"enterprise_id": t.a, "system_type": "bsd", "name": "Jails"}),
            vec!["system_type"],
        ),
        (json!({}), vec!["enterprise_id", "system_type", "name"]),
        (
            json!({"enterprise_id": "acme", "system_type": 3, "name": "  ", "from_template": "yes",
                   "colour": "red"}),
            vec![
                "enterprise_id",
                "system_type",
                "name",
                "from_template",
                "colour",
            ],
        ),
        (
            json!({"enterprise_id": t.a, "system_type": "linux", "name": "x".repeat(201),
                   "items": [{"title": "Fine", "priority": "low"},
                             {"title": "", "priority": "urgent", "note": "n".repeat(2001)},
                             {"priority": "low", "description": 5}]}),
            vec![
                "name",
                "items[1].title",
                "items[1].priority",
                "items[1].note",
                "items[2].title",
                "items[2].description",
            ],
        ),
        (
            json!({"enterprise_id": t.a, "system_type": "linux", "name": "Two\nlines", "items": "none"}),
            vec!["name", "items"],
        ),
    ];
    for (body, fields) in cases {
        let (status, answer) = send(t.member.post(&list).json(&body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        let named = answer["error"]["fields"].as_object().unwrap();
        for field in &fields {
            assert!(named.contains_key(*field), "{field} not named: {answer}");
        }
        assert_eq!(named.len(), fields.len(), "{answer}");
    }
    let (status, body) = send(
        t.member
            .post(&list)
            .json(&json!({"enterprise_id": t.a, "system_type": "bsd", "name": "Jails"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["fields"]["system_type"],
        "System type must be one of: linux, windows, container, kubernetes, database, application, network."
    );

    let checklist = create(&t, three_items(t.a, "Web servers")).await;
    let record = record_url(&t, &checklist);
    for (request, fields) in [
        (
            t.member
                .patch(&record)
                .json(&json!({"name": "", "system_type": "bsd", "version": "one"})),
            vec!["name", "system_type", "version"],
        ),
        (
            t.member.patch(&record).json(&json!({"name": null})),
            vec!["name"],
        ),
        (
            t.member
                .post(items_url(&t, &checklist))
                .json(&json!({"description": "No title"})),
            vec!["title", "priority"],
        ),
        (
            t.member
                .post(items_url(&t, &checklist))
                .json(&json!({"title": "x", "priority": "low", "owner": "me"})),
            vec!["owner"],
        ),
        (
            t.member
                .patch(item_url(&t, &checklist, 0))
                .json(&json!({"completed": "yes", "priority": "urgent", "title": ""})),
            vec!["completed", "priority", "title"],
        ),
        (
            t.admin
                .post(verify_url(&t, &checklist))
                .json(&json!({"force": true})),
            vec!["force"],
        ),
    ] {
        let (status, answer) = send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        let named = answer["error"]["fields"].as_object().unwrap();
        for field in &fields {
            assert!(named.contains_key(*field), "{field} not named: {answer}");
        }
    }
    // Bad list filters are named too.
    let (status, body) = send(t.member.get(format!(
        "{list}?enterprise={}&system_type=bsd&status=done&ordering=password",
        t.a
    )))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in ["system_type", "status", "ordering"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    let (status, body) = send(t.member.get(format!("{list}?enterprise=acme"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["enterprise"].is_string(), "{body}");
    // Malformed JSON and ids are not server errors.
    let (status, _) = send(
        t.member
            .post(&list)
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = send(t.member.get(url(&t, "not-a-uuid/"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(
        t.member
            .patch(url(&t, &format!("{}/items/nope/", id(&checklist))))
            .json(&json!({"completed": true})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Only the one successful create left an audit row; nothing changed.
    assert_eq!(audit_rows(&t.app, ENTITY).await, 1);
    let (_, now) = send(t.viewer.get(&record)).await;
    assert_eq!(now, checklist);
}

#[sqlx::test(migrations = false)]
async fn filters_by_system_type_and_derived_status(pool: PgPool) {
    let t = tenants(pool).await;
    // not_started (linux, from template)
    create(
        &t,
        json!({"enterprise_id": t.a, "system_type": "linux", "name": "Bastion", "from_template": true}),
    )
    .await;
    // not_started (windows, no items)
    create(
        &t,
        json!({"enterprise_id": t.a, "system_type": "windows", "name": "Domain controllers"}),
    )
    .await;
    // in_progress (linux, 2 of 3: one short of completed)
    let web = create(&t, three_items(t.a, "Web servers")).await;
    let web = tick(&t, &t.member, &web, 0, true).await;
    tick(&t, &t.member, &web, 2, true).await;
    // completed (database)
    let db = create(
        &t,
        json!({"enterprise_id": t.a, "system_type": "database", "name": "Analytics DB",
               "items": [{"title": "TLS only", "priority": "high"}]}),
    )
    .await;
    tick(&t, &t.member, &db, 0, true).await;
    // verified (container)
    let image = create(
        &t,
        json!({"enterprise_id": t.a, "system_type": "container", "name": "API image",
               "items": [{"title": "Non-root user", "priority": "critical"}]}),
    )
    .await;
    let image = tick(&t, &t.member, &image, 0, true).await;
    let (status, _) = send(t.member.post(verify_url(&t, &image))).await;
    assert_eq!(status, StatusCode::OK);
    // Another tenant's checklist never shows up in A's lists.
    let (status, _) = send(
        t.other_admin
            .post(url(&t, ""))
            .json(&three_items(t.b, "Globex web")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let list = url(&t, "");
    let query = |filters: &str| format!("{list}?enterprise={}{filters}", t.a);
    for (filters, count) in [
        ("", 5),
        ("&system_type=linux", 2),
        ("&system_type=windows", 1),
        ("&system_type=kubernetes", 0),
        ("&status=not_started", 2),
        ("&status=in_progress", 1),
        ("&status=completed", 1),
        ("&status=verified", 1),
        ("&system_type=linux&status=not_started", 1),
        ("&system_type=linux&status=in_progress", 1),
        ("&system_type=database&status=in_progress", 0),
        ("&system_type=&status=", 5),
    ] {
        let (status, page) = send(t.viewer.get(query(filters))).await;
        assert_eq!(status, StatusCode::OK, "{filters}: {page}");
        assert_eq!(page["count"], count, "{filters}: {page}");
        let results = page["results"].as_array().unwrap();
        assert_eq!(results.len() as i64, count, "{filters}");
        for row in results {
            assert_eq!(row["enterprise_id"], t.a.to_string());
            if let Some(status) = filters
                .split('&')
                .find_map(|f| f.strip_prefix("status="))
                .filter(|s| !s.is_empty())
            {
                assert_eq!(row["status"], status, "{filters}");
            }
            if let Some(system) = filters
                .split('&')
                .find_map(|f| f.strip_prefix("system_type="))
                .filter(|s| !s.is_empty())
            {
                assert_eq!(row["system_type"], system, "{filters}");
            }
        }
    }
    // Rows carry their items and figures.
    let (_, page) = send(t.viewer.get(query("&status=in_progress"))).await;
    assert_eq!(page["results"][0]["items"].as_array().unwrap().len(), 3);
    assert_eq!(page["results"][0]["completion_percentage"], 66.7);

    // Ordering: newest first by default; by name either way.
    let names = |page: &Value| -> Vec<String> {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, page) = send(t.viewer.get(query(""))).await;
    assert_eq!(names(&page)[0], "API image");
    assert_eq!(names(&page)[4], "Bastion");
    let (_, page) = send(t.viewer.get(query("&ordering=name"))).await;
    assert_eq!(
        names(&page),
        [
            "API image",
            "Analytics DB",
            "Bastion",
            "Domain controllers",
            "Web servers"
        ]
    );
    let (_, page) = send(t.viewer.get(query("&ordering=-name"))).await;
    assert_eq!(names(&page)[0], "Web servers");
    let (_, page) = send(t.viewer.get(query("&ordering=system_type"))).await;
    assert_eq!(names(&page)[0], "API image", "container sorts first");
    let (_, page) = send(t.viewer.get(query("&ordering=created_at"))).await;
    assert_eq!(names(&page)[0], "Bastion");

    // Pagination keeps the filtered count and carries the filters.
    let (_, page) = send(t.viewer.get(query("&status=not_started&page_size=1"))).await;
    assert_eq!(page["count"], 2);
    assert_eq!(page["results"].as_array().unwrap().len(), 1);
    let next = page["next"].as_str().unwrap();
    assert!(
        next.contains("status=not_started") && next.contains("page=2"),
        "{next}"
    );
    let (_, second) = send(t.viewer.get(t.app.url(next))).await;
    assert_eq!(second["count"], 2);
    assert_eq!(second["results"].as_array().unwrap().len(), 1);
    assert!(second["next"].is_null());
    assert_ne!(second["results"][0]["id"], page["results"][0]["id"]);

    // Staff see every enterprise without naming one.
    let (_, all) = send(t.staff.get(&list)).await;
    assert_eq!(all["count"], 6);
    let (_, linux) = send(t.staff.get(format!("{list}?system_type=linux"))).await;
    assert_eq!(linux["count"], 3);
}

#[sqlx::test(migrations = false)]
async fn access_matrix(pool: PgPool) {
    let t = tenants(pool).await;
    let checklist = create(&t, three_items(t.a, "Web servers")).await;
    let record = record_url(&t, &checklist);
    let audits = audit_rows(&t.app, ENTITY).await;

    // A member of another enterprise: 404 on every verb and action.
    let other = &t.other_admin;
    for (what, request) in [
        ("GET", other.get(&record)),
        ("PATCH", other.patch(&record).json(&json!({"name": "Mine"}))),
        ("PUT", other.put(&record).json(&json!({"name": "Mine"}))),
        ("DELETE", other.delete(&record)),
        (
            "POST items",
            other
                .post(items_url(&t, &checklist))
                .json(&json!({"title": "x", "priority": "low"})),
        ),
        (
            "PATCH item",
            other
                .patch(item_url(&t, &checklist, 0))
                .json(&json!({"completed": true})),
        ),
        ("DELETE item", other.delete(item_url(&t, &checklist, 0))),
        ("verify", other.post(verify_url(&t, &checklist))),
    ] {
        let (status, body) = send(request).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{what}: {body}");
        assert_eq!(body["error"]["code"], "not_found", "{what}");
    }
    // … exactly as for an id that does not exist.
    let missing = url(&t, &format!("{}/", Uuid::now_v7()));
    let (status, _) = send(t.member.get(&missing)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Creating in, or listing, an enterprise one is not a member of → 403.
    let (status, _) = send(other.post(url(&t, "")).json(&three_items(t.a, "Mine"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(other.get(format!("{}?enterprise={}", url(&t, ""), t.a))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Non-staff must name the enterprise.
    let (status, body) = send(t.member.get(url(&t, ""))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["enterprise"].is_string());

    // A viewer reads but never writes.
    let (status, read_back) = send(t.viewer.get(&record)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read_back, checklist);
    let (status, page) = send(t.viewer.get(format!("{}?enterprise={}", url(&t, ""), t.a))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["count"], 1);
    let viewer = &t.viewer;
    for (what, request) in [
        (
            "POST",
            viewer.post(url(&t, "")).json(&three_items(t.a, "Mine")),
        ),
        (
            "PATCH",
            viewer.patch(&record).json(&json!({"name": "Mine"})),
        ),
        ("PUT", viewer.put(&record).json(&json!({"name": "Mine"}))),
        ("DELETE", viewer.delete(&record)),
        (
            "POST items",
            viewer
                .post(items_url(&t, &checklist))
                .json(&json!({"title": "x", "priority": "low"})),
        ),
        (
            "PATCH item",
            viewer
                .patch(item_url(&t, &checklist, 0))
                .json(&json!({"completed": true})),
        ),
        ("DELETE item", viewer.delete(item_url(&t, &checklist, 0))),
        ("verify", viewer.post(verify_url(&t, &checklist))),
    ] {
        let (status, body) = send(request).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
    }

    // Anonymous callers get 401 everywhere.
    let anonymous = client();
    for (what, request) in [
        (
            "list",
            anonymous.get(format!("{}?enterprise={}", url(&t, ""), t.a)),
        ),
        (
            "create",
            anonymous.post(url(&t, "")).json(&three_items(t.a, "x")),
        ),
        ("GET", anonymous.get(&record)),
        (
            "PATCH",
            anonymous.patch(&record).json(&json!({"name": "x"})),
        ),
        ("DELETE", anonymous.delete(&record)),
        (
            "PATCH item",
            anonymous
                .patch(item_url(&t, &checklist, 0))
                .json(&json!({"completed": true})),
        ),
        ("verify", anonymous.post(verify_url(&t, &checklist))),
    ] {
        let (status, body) = send(request).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert_eq!(body["error"]["code"], "unauthenticated", "{what}");
    }

    // None of the refused requests changed anything or left an audit row.
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits);
    let (_, now) = send(t.viewer.get(&record)).await;
    assert_eq!(now, checklist);

    // Admins write like members; staff see and change every enterprise.
    let (status, _) = send(t.admin.patch(&record).json(&json!({"name": "By admin"}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, staff_view) = send(t.staff.get(&record)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(staff_view["name"], "By admin");
    let (status, _) = send(t.staff.delete(&record)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[sqlx::test(migrations = false)]
async fn one_audit_row_per_write(pool: PgPool) {
    let t = tenants(pool).await;
    let member_id = me(&t, &t.member).await;
    let checklist = create(&t, three_items(t.a, "Web servers")).await;
    let checklist_id = id(&checklist).to_string();
    let record = record_url(&t, &checklist);
    let created = last_changes(&t, &checklist_id).await;
    assert_eq!(created["name"]["after"], "Web servers");
    assert_eq!(
        created["items"]["after"].as_array().map(Vec::len),
        Some(3),
        "the creation records the items"
    );

    let (status, _) = send(t.member.patch(&record).json(&json!({"name": "Front-end"}))).await;
    assert_eq!(status, StatusCode::OK);
    let changes = last_changes(&t, &checklist_id).await;
    assert_eq!(
        changes["name"],
        json!({"before": "Web servers", "after": "Front-end"})
    );
    assert!(changes.get("version").is_none() && changes.get("items").is_none());

    let (status, grown) = send(
        t.member
            .post(items_url(&t, &checklist))
            .json(&json!({"title": "Remove compilers", "priority": "medium"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let ticked = tick(&t, &t.member, &grown, 3, true).await;
    let changes = last_changes(&t, &checklist_id).await;
    assert_eq!(changes["item"]["before"]["completed"], false);
    assert_eq!(changes["item"]["after"]["completed"], true);
    assert_eq!(changes["item"]["after"]["completed_by"], member_id.as_str());
    assert_eq!(
        changes["completion_percentage"],
        json!({"before": 0.0, "after": 25.0})
    );
    let (status, _) = send(t.member.delete(item_url(&t, &ticked, 3))).await;
    assert_eq!(status, StatusCode::OK);
    let changes = last_changes(&t, &checklist_id).await;
    assert_eq!(changes["item"]["before"]["title"], "Remove compilers");
    assert!(changes["item"]["after"].is_null());
    let (_, current) = send(t.member.get(&record)).await;
    let mut current = current;
    for index in 0..3 {
        current = tick(&t, &t.member, &current, index, true).await;
    }
    let (status, _) = send(t.admin.post(verify_url(&t, &current))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(t.member.delete(&record)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let changes = last_changes(&t, &checklist_id).await;
    assert_eq!(changes["name"]["before"], "Front-end");
    assert!(changes["name"]["after"].is_null());

    assert_eq!(
        actions(&t, &checklist_id).await,
        [
            "create",
            "update",
            "add_item",
            "update_item",
            "delete_item",
            "update_item",
            "update_item",
            "update_item",
            "verify",
            "delete",
        ]
    );
    // Each row names the actor, the enterprise and the request.
    let rows: Vec<(Option<Uuid>, Option<Uuid>, Option<String>)> = sqlx::query_as(
        "SELECT actor_id, enterprise_id, request_id FROM audit_log WHERE entity_type = $1 AND entity_id = $2",
    )
    .bind(ENTITY)
    .bind(&checklist_id)
    .fetch_all(&t.app.pool)
    .await
    .unwrap();
    assert!(rows
        .iter()
        .all(|(actor, enterprise, request)| actor.is_some()
            && *enterprise == Some(t.a)
            && request.is_some()));
    // The checklist and its items are gone.
    let items: i64 =
        sqlx::query_scalar("SELECT count(*) FROM checklist_items WHERE checklist_id = $1")
            .bind(Uuid::parse_str(&checklist_id).unwrap())
            .fetch_one(&t.app.pool)
            .await
            .unwrap();
    assert_eq!(items, 0);
}
