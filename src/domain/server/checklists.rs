//! Hardening checklists (SPEC §3.2): a named list of items for one system
//! type, its derived completion figure and status, and the sign-off.
//!
//! The pure rules (templates, percentage, status, when a sign-off is
//! allowed) live in `domain::checklist`; this module stores them. One
//! invariant is kept here for every item change: a sign-off stands only
//! while the checklist is at 100 %, so adding an item, un-completing one or
//! deleting the last one clears `verified_by` / `verified_at` in the same
//! statement that bumps the checklist's version (see [`touch`]).
//!
//! Every write locks the checklist row (`FOR UPDATE`), checks access and the
//! optional expected version, changes the data and appends one audit row for
//! the checklist (`entity_type` "hardening_checklist"), all in one
//! transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::access::{authorize, authorize_record, Actor};
use super::audit::{self, Entry};
use super::error::{DomainError, DomainResult};
use super::records::{body, check_version, list_scope};
use crate::domain::checklist::{
    can_verify, completion_percentage, derive_status, template, ChecklistStatus, SystemType,
};
use crate::domain::common::Priority;
use crate::domain::enterprise::Action;
use crate::domain::error::{AppError, FieldErrors};
use crate::domain::page::{Ordering, PageRequest, Paged};
use crate::domain::records::{Checklist, ChecklistItem};

/// The audit trail's name for a checklist; item changes are recorded
/// against their checklist.
pub const ENTITY_TYPE: &str = "hardening_checklist";

/// Fields a list can be ordered by (`?ordering=`, `-` for descending).
pub const ORDERING_FIELDS: [&str; 3] = ["created_at", "name", "system_type"];
pub const DEFAULT_ORDERING: &str = "-created_at";

pub const DESCRIPTION_MAX_CHARS: usize = 5000;
pub const NOTE_MAX_CHARS: usize = 2000;

struct Head {
    id: Uuid,
    enterprise_id: Uuid,
    system_type: String,
    name: String,
    verified_by: Option<Uuid>,
    verified_at: Option<DateTime<Utc>>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    created_by: Option<Uuid>,
}

struct ItemRow {
    id: Uuid,
    checklist_id: Uuid,
    title: String,
    description: String,
    priority: String,
    completed: bool,
    completed_by: Option<Uuid>,
    completed_at: Option<DateTime<Utc>>,
    note: Option<String>,
}

impl ItemRow {
    fn into_item(self) -> DomainResult<(Uuid, ChecklistItem)> {
        let priority = Priority::parse("priority", &self.priority).map_err(|_| {
            DomainError::Internal(format!(
                "checklist item {} has an unknown priority",
                self.id
            ))
        })?;
        Ok((
            self.checklist_id,
            ChecklistItem {
                id: self.id,
                title: self.title,
                description: self.description,
                priority,
                completed: self.completed,
                completed_by: self.completed_by,
                completed_at: self.completed_at,
                note: self.note,
            },
        ))
    }
}

/// Checklists with their items; the completion figure and the status are
/// derived here, from the same rules the list filter mirrors in SQL.
fn assemble(heads: Vec<Head>, rows: Vec<ItemRow>) -> DomainResult<Vec<Checklist>> {
    let mut items: HashMap<Uuid, Vec<ChecklistItem>> = HashMap::new();
    for row in rows {
        let (checklist_id, item) = row.into_item()?;
        items.entry(checklist_id).or_default().push(item);
    }
    heads
        .into_iter()
        .map(|head| {
            let system_type =
                SystemType::parse("system_type", &head.system_type).map_err(|_| {
                    DomainError::Internal(format!(
                        "checklist {} has an unknown system type",
                        head.id
                    ))
                })?;
            let items = items.remove(&head.id).unwrap_or_default();
            let total = items.len();
            let done = items.iter().filter(|item| item.completed).count();
            Ok(Checklist {
                id: head.id,
                enterprise_id: head.enterprise_id,
                version: head.version,
                created_at: head.created_at,
                updated_at: head.updated_at,
                created_by: head.created_by,
                system_type,
                name: head.name,
                completion_percentage: completion_percentage(done, total),
                status: derive_status(done, total, head.verified_at.is_some()),
                verified_by: head.verified_by,
                verified_at: head.verified_at,
                items,
            })
        })
        .collect()
}

/// The items of several checklists in one query, in their working order.
async fn load_items<'e>(db: impl PgExecutor<'e>, ids: &[Uuid]) -> DomainResult<Vec<ItemRow>> {
    Ok(sqlx::query_as!(
        ItemRow,
        r#"
        SELECT id, checklist_id, title, description, priority, completed, completed_by,
               completed_at AS "completed_at: DateTime<Utc>", note
          FROM checklist_items
         WHERE checklist_id = ANY($1)
         ORDER BY checklist_id, position, id
        "#,
        ids
    )
    .fetch_all(db)
    .await?)
}

async fn fetch(conn: &mut PgConnection, id: Uuid, lock: bool) -> DomainResult<Option<Checklist>> {
    if lock {
        sqlx::query!(
            "SELECT id FROM hardening_checklists WHERE id = $1 FOR UPDATE",
            id
        )
        .fetch_optional(&mut *conn)
        .await?;
    }
    let head = sqlx::query_as!(
        Head,
        r#"
        SELECT id, enterprise_id, system_type, name, verified_by,
               verified_at AS "verified_at: DateTime<Utc>", version,
               created_at AS "created_at: DateTime<Utc>", updated_at AS "updated_at: DateTime<Utc>",
               created_by
          FROM hardening_checklists
         WHERE id = $1
        "#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(head) = head else {
        return Ok(None);
    };
    let rows = load_items(&mut *conn, &[head.id]).await?;
    Ok(assemble(vec![head], rows)?.pop())
}

/// The checklist as it is after a write in this transaction.
async fn refetch(conn: &mut PgConnection, id: Uuid) -> DomainResult<Checklist> {
    fetch(conn, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("checklist vanished".into()))
}

/// Locks the checklist for a write by the actor: 404 when it does not exist
/// or belongs to an enterprise the actor cannot see, 403 for viewers.
async fn lock_for_write(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<Checklist> {
    let current = fetch(conn, id, true)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *conn, actor, current.enterprise_id, Action::Write).await?;
    Ok(current)
}

/// One checklist the actor may read (404 otherwise, including other tenants').
pub async fn get(pool: &PgPool, actor: &Actor, id: Uuid) -> DomainResult<Checklist> {
    let mut conn = pool.acquire().await?;
    let checklist = fetch(&mut conn, id, false)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *conn, actor, checklist.enterprise_id, Action::Read).await?;
    Ok(checklist)
}

/// List filters as the client sent them; [`list`] validates them and names
/// every bad one. Blank values count as absent (an empty form field).
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub enterprise: Option<Uuid>,
    pub system_type: Option<String>,
    /// The derived status: not_started, in_progress, completed, verified.
    pub status: Option<String>,
    pub ordering: Option<String>,
}

pub async fn list(
    pool: &PgPool,
    actor: &Actor,
    filter: ListFilter,
    page: PageRequest,
) -> DomainResult<Paged<Checklist>> {
    let scope = list_scope(pool, actor, filter.enterprise).await?;
    let mut errors = FieldErrors::new();
    let present = |raw: &Option<String>| {
        raw.as_deref()
            .map(str::trim)
            .filter(|raw| !raw.is_empty())
            .map(str::to_string)
    };
    let system_type = present(&filter.system_type).and_then(|raw| {
        SystemType::parse("system_type", &raw)
            .map_err(|e| errors.extend(e.fields))
            .ok()
    });
    let status = present(&filter.status).and_then(|raw| {
        ChecklistStatus::parse("status", &raw)
            .map_err(|e| errors.extend(e.fields))
            .ok()
    });
    let ordering = Ordering::parse(
        filter.ordering.as_deref(),
        &ORDERING_FIELDS,
        DEFAULT_ORDERING,
    )
    .map_err(|e| errors.extend(e.fields))
    .ok();
    let Some(ordering) = ordering.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors).into());
    };
    let system_type = system_type.map(SystemType::as_str);
    let status = status.map(ChecklistStatus::as_str);

    // The status is derived exactly as `derive_status` does, so that the
    // filter and `count` agree with what the rows show.
    let heads = sqlx::query_as!(
        Head,
        r#"
        SELECT h.id, h.enterprise_id, h.system_type, h.name, h.verified_by,
               h.verified_at AS "verified_at: DateTime<Utc>", h.version,
               h.created_at AS "created_at: DateTime<Utc>", h.updated_at AS "updated_at: DateTime<Utc>",
               h.created_by
          FROM hardening_checklists h
         CROSS JOIN LATERAL (
               SELECT count(*) AS total, count(*) FILTER (WHERE i.completed) AS done
                 FROM checklist_items i
                WHERE i.checklist_id = h.id) n
         WHERE ($1::uuid IS NULL OR h.enterprise_id = $1)
           AND ($2::text IS NULL OR h.system_type = $2)
           AND ($3::text IS NULL OR $3 = CASE WHEN n.done = 0 THEN 'not_started'
                                              WHEN n.done < n.total THEN 'in_progress'
                                              WHEN h.verified_at IS NOT NULL THEN 'verified'
                                              ELSE 'completed' END)
         ORDER BY CASE WHEN $4 = 'created_at' THEN h.created_at END ASC,
                  CASE WHEN $4 = '-created_at' THEN h.created_at END DESC,
                  CASE WHEN $4 = 'name' THEN h.name END ASC,
                  CASE WHEN $4 = '-name' THEN h.name END DESC,
                  CASE WHEN $4 = 'system_type' THEN h.system_type END ASC,
                  CASE WHEN $4 = '-system_type' THEN h.system_type END DESC,
                  h.created_at DESC, h.id DESC
         LIMIT $5 OFFSET $6
        "#,
        scope,
        system_type,
        status,
        ordering.key(),
        page.limit(),
        page.offset(),
    )
    .fetch_all(pool)
    .await?;
    let count = sqlx::query_scalar!(
        r#"
        SELECT count(*) AS "count!"
          FROM hardening_checklists h
         CROSS JOIN LATERAL (
               SELECT count(*) AS total, count(*) FILTER (WHERE i.completed) AS done
                 FROM checklist_items i
                WHERE i.checklist_id = h.id) n
         WHERE ($1::uuid IS NULL OR h.enterprise_id = $1)
           AND ($2::text IS NULL OR h.system_type = $2)
           AND ($3::text IS NULL OR $3 = CASE WHEN n.done = 0 THEN 'not_started'
                                              WHEN n.done < n.total THEN 'in_progress'
                                              WHEN h.verified_at IS NOT NULL THEN 'verified'
                                              ELSE 'completed' END)
        "#,
        scope,
        system_type,
        status,
    )
    .fetch_one(pool)
    .await?;
    // The items of the whole page in one query, never one per row.
    let ids: Vec<Uuid> = heads.iter().map(|head| head.id).collect();
    let rows = if ids.is_empty() {
        Vec::new()
    } else {
        load_items(pool, &ids).await?
    };
    Ok(Paged::new(page, count, assemble(heads, rows)?))
}

/// Creates a checklist (members and admins) from
/// `{enterprise_id, system_type, name, from_template?, items?}`: with
/// `from_template` the built-in items of the system type come first, then
/// the given items in their order.
pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    mut input: Map<String, Value>,
) -> DomainResult<Checklist> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(
        &mut input,
        &[
            "version",
            "status",
            "completion_percentage",
            "verified_by",
            "verified_at",
        ],
    );
    let enterprise_id = body::uuid(&mut input, "enterprise_id", &mut errors);
    if enterprise_id.is_none() && !errors.contains_key("enterprise_id") {
        errors.insert("enterprise_id".into(), "This field is required.".into());
    }
    let system_type = field::system_type(&mut input, true, &mut errors);
    let name = field::title(&mut input, "name", true, &mut errors);
    let from_template = field::boolean(&mut input, "from_template", &mut errors).unwrap_or(false);
    let given = field::new_items(&mut input, "items", &mut errors);
    field::reject_unknown(&input, &mut errors);
    let (Some(enterprise_id), Some(system_type), Some(name), true) =
        (enterprise_id, system_type, name, errors.is_empty())
    else {
        return Err(AppError::invalid(errors).into());
    };
    authorize(pool, actor, enterprise_id, Action::Write).await?;

    let mut items: Vec<NewItem> = Vec::new();
    if from_template {
        items.extend(template(system_type).iter().map(|item| NewItem {
            title: item.title.to_string(),
            description: item.description.to_string(),
            priority: item.priority,
            note: None,
        }));
    }
    items.extend(given);

    let mut tx = pool.begin().await?;
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO hardening_checklists (id, enterprise_id, system_type, name, created_by) VALUES ($1, $2, $3, $4, $5)",
        id,
        enterprise_id,
        system_type.as_str(),
        name,
        actor.user_id,
    )
    .execute(&mut *tx)
    .await?;
    insert_items(&mut tx, id, &items).await?;
    let checklist = refetch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Some(actor),
        entry(&checklist, "create", audit::created(&to_json(&checklist))),
    )
    .await?;
    tx.commit().await?;
    Ok(checklist)
}

/// Renames a checklist or changes its system type (members and admins).
/// `expected_version` (If-Match) or `version` in the body guards against
/// lost updates. The items are changed through their own actions; a record
/// echoed back from a read may carry them and they are ignored here.
pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    mut input: Map<String, Value>,
) -> DomainResult<Checklist> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(
        &mut input,
        &[
            "enterprise_id",
            "items",
            "status",
            "completion_percentage",
            "verified_by",
            "verified_at",
        ],
    );
    let version = field::version(expected_version, &mut input, &mut errors);
    let system_type = field::system_type(&mut input, false, &mut errors);
    let name = field::title(&mut input, "name", false, &mut errors);
    field::reject_unknown(&input, &mut errors);

    let mut tx = pool.begin().await?;
    let current = lock_for_write(&mut tx, actor, id).await?;
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    check_version(version, current.version, &current)?;
    sqlx::query!(
        "UPDATE hardening_checklists SET name = $2, system_type = $3, version = version + 1, updated_at = now() WHERE id = $1",
        id,
        name.unwrap_or_else(|| current.name.clone()),
        system_type.unwrap_or(current.system_type).as_str(),
    )
    .execute(&mut *tx)
    .await?;
    let updated = refetch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Some(actor),
        entry(
            &updated,
            "update",
            audit::diff(&to_json(&current), &to_json(&updated)),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Deletes a checklist and its items (members and admins).
pub async fn delete(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> DomainResult<()> {
    let mut tx = pool.begin().await?;
    let current = lock_for_write(&mut tx, actor, id).await?;
    check_version(expected_version, current.version, &current)?;
    sqlx::query!("DELETE FROM hardening_checklists WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Some(actor),
        entry(
            &current,
            "delete",
            audit::diff(&to_json(&current), &Value::Object(Map::new())),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Appends an item `{title, description?, priority, note?}`. A verified
/// checklist is no longer at 100 % afterwards, so its sign-off is cleared.
pub async fn add_item(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    mut input: Map<String, Value>,
) -> DomainResult<Checklist> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(&mut input, &["completed", "completed_by", "completed_at"]);
    let version = field::version(expected_version, &mut input, &mut errors);
    let item = field::new_item(input, "", &mut errors);

    let mut tx = pool.begin().await?;
    let current = lock_for_write(&mut tx, actor, id).await?;
    let Some(item) = item.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors).into());
    };
    check_version(version, current.version, &current)?;
    let item_ids = insert_items(&mut tx, id, std::slice::from_ref(&item)).await?;
    touch(&mut tx, id).await?;
    let updated = refetch(&mut tx, id).await?;
    let added = item_ids
        .first()
        .and_then(|item_id| find_item(&updated, *item_id));
    audit::record(
        &mut tx,
        Some(actor),
        entry(
            &updated,
            "add_item",
            item_changes(&current, &updated, None, added),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Changes an item: `{completed?, title?, description?, priority?, note?}`.
/// Completing records who and when; un-completing clears both, and clears
/// the sign-off of a verified checklist.
pub async fn update_item(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    item_id: Uuid,
    expected_version: Option<i32>,
    mut input: Map<String, Value>,
) -> DomainResult<Checklist> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(&mut input, &["completed_by", "completed_at"]);
    let version = field::version(expected_version, &mut input, &mut errors);
    let completed = field::boolean(&mut input, "completed", &mut errors);
    let title = field::title(&mut input, "title", false, &mut errors);
    let description = field::text(
        &mut input,
        "description",
        DESCRIPTION_MAX_CHARS,
        &mut errors,
    );
    let priority = field::priority(&mut input, "priority", false, &mut errors);
    let note = field::text(&mut input, "note", NOTE_MAX_CHARS, &mut errors);
    field::reject_unknown(&input, &mut errors);

    let mut tx = pool.begin().await?;
    let current = lock_for_write(&mut tx, actor, id).await?;
    let before = find_item(&current, item_id).ok_or_else(AppError::not_found)?;
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    check_version(version, current.version, &current)?;
    sqlx::query!(
        r#"
        UPDATE checklist_items
           SET title = $3, description = $4, priority = $5, note = $6, completed = $7,
               completed_by = CASE WHEN NOT $7 THEN NULL WHEN completed THEN completed_by ELSE $8 END,
               completed_at = CASE WHEN NOT $7 THEN NULL WHEN completed THEN completed_at ELSE now() END
         WHERE id = $1 AND checklist_id = $2
        "#,
        item_id,
        id,
        title.unwrap_or_else(|| before.title.clone()),
        description
            .map(Option::unwrap_or_default)
            .unwrap_or_else(|| before.description.clone()),
        priority.unwrap_or(before.priority).as_str(),
        note.unwrap_or_else(|| before.note.clone()),
        completed.unwrap_or(before.completed),
        actor.user_id,
    )
    .execute(&mut *tx)
    .await?;
    touch(&mut tx, id).await?;
    let updated = refetch(&mut tx, id).await?;
    let after = find_item(&updated, item_id);
    audit::record(
        &mut tx,
        Some(actor),
        entry(
            &updated,
            "update_item",
            item_changes(&current, &updated, Some(before), after),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Removes an item. The checklist's figures follow; deleting the last item
/// of a verified checklist clears its sign-off (an empty checklist is 0 %).
pub async fn delete_item(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    item_id: Uuid,
    expected_version: Option<i32>,
) -> DomainResult<Checklist> {
    let mut tx = pool.begin().await?;
    let current = lock_for_write(&mut tx, actor, id).await?;
    let before = find_item(&current, item_id).ok_or_else(AppError::not_found)?;
    check_version(expected_version, current.version, &current)?;
    sqlx::query!(
        "DELETE FROM checklist_items WHERE id = $1 AND checklist_id = $2",
        item_id,
        id
    )
    .execute(&mut *tx)
    .await?;
    touch(&mut tx, id).await?;
    let updated = refetch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Some(actor),
        entry(
            &updated,
            "delete_item",
            item_changes(&current, &updated, Some(before), None),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Signs the checklist off: only at 100 % (409 otherwise, and for a
/// checklist that is already verified); records who and when.
pub async fn verify(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    mut input: Map<String, Value>,
) -> DomainResult<Checklist> {
    let mut errors = FieldErrors::new();
    let version = field::version(expected_version, &mut input, &mut errors);
    field::reject_unknown(&input, &mut errors);

    let mut tx = pool.begin().await?;
    let current = lock_for_write(&mut tx, actor, id).await?;
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    check_version(version, current.version, &current)?;
    if current.status == ChecklistStatus::Verified {
        return Err(AppError::conflict("This checklist is already verified.").into());
    }
    let done = current.items.iter().filter(|item| item.completed).count();
    can_verify(done, current.items.len())?;
    sqlx::query!(
        "UPDATE hardening_checklists SET verified_by = $2, verified_at = now(), version = version + 1, updated_at = now() WHERE id = $1",
        id,
        actor.user_id,
    )
    .execute(&mut *tx)
    .await?;
    let updated = refetch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Some(actor),
        entry(
            &updated,
            "verify",
            audit::diff(&summary_json(&current), &summary_json(&updated)),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// A validated item to insert.
#[derive(Debug, Clone)]
struct NewItem {
    title: String,
    description: String,
    priority: Priority,
    note: Option<String>,
}

/// Appends items after the checklist's last one, in one statement; returns
/// their ids in the given order.
async fn insert_items(
    conn: &mut PgConnection,
    checklist_id: Uuid,
    items: &[NewItem],
) -> DomainResult<Vec<Uuid>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = items.iter().map(|_| Uuid::now_v7()).collect();
    let titles: Vec<String> = items.iter().map(|item| item.title.clone()).collect();
    let descriptions: Vec<String> = items.iter().map(|item| item.description.clone()).collect();
    let priorities: Vec<String> = items
        .iter()
        .map(|item| item.priority.as_str().to_string())
        .collect();
    // Blank notes are stored as NULL (see `parse_optional_text`).
    let notes: Vec<String> = items
        .iter()
        .map(|item| item.note.clone().unwrap_or_default())
        .collect();
    sqlx::query!(
        r#"
        INSERT INTO checklist_items (id, checklist_id, position, title, description, priority, note)
        SELECT t.id, $1,
               ((SELECT COALESCE(max(position), 0) FROM checklist_items WHERE checklist_id = $1) + t.n)::int,
               t.title, t.description, t.priority, NULLIF(t.note, '')
          FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])
               WITH ORDINALITY AS t(id, title, description, priority, note, n)
        "#,
        checklist_id,
        &ids,
        &titles,
        &descriptions,
        &priorities,
        &notes,
    )
    .execute(conn)
    .await?;
    Ok(ids)
}

/// After any item change: the checklist's version and `updated_at` move on,
/// and a sign-off is kept only while every item (of at least one) is done.
async fn touch(conn: &mut PgConnection, id: Uuid) -> DomainResult<()> {
    sqlx::query!(
        r#"
        UPDATE hardening_checklists h
           SET version = h.version + 1,
               updated_at = now(),
               verified_by = CASE WHEN s.full THEN h.verified_by END,
               verified_at = CASE WHEN s.full THEN h.verified_at END
          FROM (SELECT COALESCE(count(*) > 0 AND bool_and(i.completed), false) AS full
                  FROM checklist_items i
                 WHERE i.checklist_id = $1) s
         WHERE h.id = $1
        "#,
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

fn find_item(checklist: &Checklist, item_id: Uuid) -> Option<&ChecklistItem> {
    checklist.items.iter().find(|item| item.id == item_id)
}

fn entry<'a>(checklist: &Checklist, action: &'a str, changes: Value) -> Entry<'a> {
    Entry {
        enterprise_id: Some(checklist.enterprise_id),
        entity_type: ENTITY_TYPE,
        entity_id: checklist.id.to_string(),
        action,
        changes,
    }
}

fn to_json(checklist: &Checklist) -> Value {
    serde_json::to_value(checklist).unwrap_or(Value::Null)
}

/// The checklist without its items: what an item change moves besides the
/// item itself (completion, status, sign-off).
fn summary_json(checklist: &Checklist) -> Value {
    let mut json = to_json(checklist);
    if let Value::Object(map) = &mut json {
        map.remove("items");
    }
    json
}

/// `{"item": {"before", "after"}}` plus the checklist fields the change
/// moved (`completion_percentage`, `status`, `verified_by`, `verified_at`).
fn item_changes(
    before: &Checklist,
    after: &Checklist,
    item_before: Option<&ChecklistItem>,
    item_after: Option<&ChecklistItem>,
) -> Value {
    let mut changes = audit::diff(&summary_json(before), &summary_json(after));
    if let Value::Object(map) = &mut changes {
        map.insert(
            "item".into(),
            serde_json::json!({"before": item_before, "after": item_after}),
        );
    }
    changes
}

/// Reading the fields of a checklist body one by one, so that every bad
/// field is reported at once under its own name (`items[2].priority` for
/// the items of a new checklist).
mod field {
    use serde_json::{Map, Value};

    use super::{NewItem, DESCRIPTION_MAX_CHARS, NOTE_MAX_CHARS};
    use crate::domain::checklist::SystemType;
    use crate::domain::common::{parse_optional_text, Priority, Title};
    use crate::domain::error::FieldErrors;
    use crate::domain::server::records::body;

    const REQUIRED: &str = "This field is required.";

    /// The expected version from If-Match and/or the body; both given and
    /// different → an error on `version`.
    pub fn version(
        header: Option<i32>,
        map: &mut Map<String, Value>,
        errors: &mut FieldErrors,
    ) -> Option<i32> {
        let in_body = body::version(map, errors);
        match (header, in_body) {
            (Some(a), Some(b)) if a != b => {
                errors.insert(
                    "version".into(),
                    "The body and If-Match name different versions.".into(),
                );
                None
            }
            (a, b) => a.or(b),
        }
    }

    fn string(
        map: &mut Map<String, Value>,
        field: &str,
        required: bool,
        errors: &mut FieldErrors,
    ) -> Option<String> {
        match map.remove(field) {
            None | Some(Value::Null) => {
                if required {
                    errors.insert(field.into(), REQUIRED.into());
                }
                None
            }
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                errors.insert(field.into(), "Must be text.".into());
                None
            }
        }
    }

    /// A one-line title (1–200 characters). When not `required`, an absent
    /// field is left unchanged but an explicit null is refused.
    pub fn title(
        map: &mut Map<String, Value>,
        field: &str,
        required: bool,
        errors: &mut FieldErrors,
    ) -> Option<String> {
        let explicit_null = matches!(map.get(field), Some(Value::Null));
        let raw = string(map, field, required || explicit_null, errors)?;
        Title::parse(field, &raw)
            .map(Title::into_inner)
            .map_err(|e| errors.extend(e.fields))
            .ok()
    }

    /// Optional free text: absent → `None` (unchanged); null or blank →
    /// `Some(None)` (cleared).
    pub fn text(
        map: &mut Map<String, Value>,
        field: &str,
        max_chars: usize,
        errors: &mut FieldErrors,
    ) -> Option<Option<String>> {
        match map.remove(field) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(s)) => parse_optional_text(field, Some(&s), max_chars)
                .map_err(|e| errors.extend(e.fields))
                .ok(),
            Some(_) => {
                errors.insert(field.into(), "Must be text.".into());
                None
            }
        }
    }

    pub fn boolean(
        map: &mut Map<String, Value>,
        field: &str,
        errors: &mut FieldErrors,
    ) -> Option<bool> {
        match map.remove(field) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(b),
            Some(_) => {
                errors.insert(field.into(), "Must be true or false.".into());
                None
            }
        }
    }

    pub fn system_type(
        map: &mut Map<String, Value>,
        required: bool,
        errors: &mut FieldErrors,
    ) -> Option<SystemType> {
        let explicit_null = matches!(map.get("system_type"), Some(Value::Null));
        let raw = string(map, "system_type", required || explicit_null, errors)?;
        SystemType::parse("system_type", &raw)
            .map_err(|e| errors.extend(e.fields))
            .ok()
    }

    pub fn priority(
        map: &mut Map<String, Value>,
        field: &str,
        required: bool,
        errors: &mut FieldErrors,
    ) -> Option<Priority> {
        let explicit_null = matches!(map.get(field), Some(Value::Null));
        let raw = string(map, field, required || explicit_null, errors)?;
        Priority::parse(field, &raw)
            .map_err(|e| errors.extend(e.fields))
            .ok()
    }

    /// Every field left over is one the endpoint does not know: refused, so
    /// a typo (`"nmae"`) is not silently ignored.
    pub fn reject_unknown(map: &Map<String, Value>, errors: &mut FieldErrors) {
        for field in map.keys() {
            errors
                .entry(field.clone())
                .or_insert_with(|| "Unknown field.".into());
        }
    }

    /// A new item `{title, description?, priority, note?}`; its errors are
    /// keyed `prefix + field`.
    pub fn new_item(
        mut map: Map<String, Value>,
        prefix: &str,
        errors: &mut FieldErrors,
    ) -> Option<NewItem> {
        let mut own = FieldErrors::new();
        let title = title(&mut map, "title", true, &mut own);
        let description = text(&mut map, "description", DESCRIPTION_MAX_CHARS, &mut own);
        let priority = priority(&mut map, "priority", true, &mut own);
        let note = text(&mut map, "note", NOTE_MAX_CHARS, &mut own);
        reject_unknown(&map, &mut own);
        let valid = own.is_empty();
        errors.extend(
            own.into_iter()
                .map(|(field, message)| (format!("{prefix}{field}"), message)),
        );
        match (title, priority, valid) {
            (Some(title), Some(priority), true) => Some(NewItem {
                title,
                description: description.flatten().unwrap_or_default(),
                priority,
                note: note.flatten(),
            }),
            _ => None,
        }
    }

    /// `items`: a list of new items (absent → none).
    pub fn new_items(
        map: &mut Map<String, Value>,
        field: &str,
        errors: &mut FieldErrors,
    ) -> Vec<NewItem> {
        let list = match map.remove(field) {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(list)) => list,
            Some(_) => {
                errors.insert(field.into(), "Must be a list of items.".into());
                return Vec::new();
            }
        };
        let mut items = Vec::with_capacity(list.len());
        for (index, value) in list.into_iter().enumerate() {
            match value {
                Value::Object(item) => {
                    if let Some(item) = new_item(item, &format!("{field}[{index}]."), errors) {
                        items.push(item);
                    }
                }
                _ => {
                    errors.insert(
                        format!("{field}[{index}]"),
                        "Must be an object with title and priority.".into(),
                    );
                }
            }
        }
        items
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::field;
    use crate::domain::error::FieldErrors;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn item_errors_are_keyed_by_position() {
        let mut errors = FieldErrors::new();
        let mut input = map(json!({"items": [
            {"title": "Patch", "priority": "high"},
            {"title": "", "priority": "urgent", "colour": "red"},
            "nope"
        ]}));
        let items = field::new_items(&mut input, "items", &mut errors);
        assert_eq!(items.len(), 1);
        assert!(errors.contains_key("items[1].title"), "{errors:?}");
        assert!(errors.contains_key("items[1].priority"));
        assert_eq!(errors["items[1].colour"], "Unknown field.");
        assert!(errors.contains_key("items[2]"));
    }

    #[test]
    fn optional_text_distinguishes_absent_from_cleared() {
        let mut errors = FieldErrors::new();
        let mut input = map(json!({"note": null, "description": "  "}));
        assert_eq!(field::text(&mut input, "note", 10, &mut errors), Some(None));
        assert_eq!(
            field::text(&mut input, "description", 10, &mut errors),
            Some(None)
        );
        assert_eq!(field::text(&mut input, "absent", 10, &mut errors), None);
        assert!(errors.is_empty());
    }

    #[test]
    fn versions_from_header_and_body_must_agree() {
        let mut errors = FieldErrors::new();
        assert_eq!(
            field::version(Some(3), &mut map(json!({"version": 3})), &mut errors),
            Some(3)
        );
        assert_eq!(
            field::version(None, &mut map(json!({"version": 2})), &mut errors),
            Some(2)
        );
        assert!(errors.is_empty());
        field::version(Some(3), &mut map(json!({"version": 2})), &mut errors);
        assert!(errors.contains_key("version"));
    }
}
