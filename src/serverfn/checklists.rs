//! Server functions of the checklists page (`/enterprise/{id}/checklists`).
//! Each resolves the caller and calls `domain::server::checklists`, exactly
//! as the REST handlers do: the domain checks access, validates and writes
//! the audit trail.
//!
//! The actions take plain form fields so that every form on the page is an
//! `ActionForm` that also works without JavaScript: the browser posts the
//! form, the server answers with a redirect back to the page (with the
//! error in the URL when there is one, see [`fail`]).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::checklist::{ChecklistStatus, SystemType};
use crate::domain::enterprise::EnterpriseSummary;
use crate::domain::error::AppError;
use crate::domain::page::Paged;
use crate::domain::records::Checklist;
use crate::serverfn::security::Workspace;

/// Checklists per page of the list.
pub const PAGE_SIZE: i64 = 20;

/// One row of the list: the figures without the items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistRow {
    pub id: Uuid,
    pub name: String,
    pub system_type: SystemType,
    pub completion_percentage: f64,
    pub status: ChecklistStatus,
    pub done: usize,
    pub total: usize,
    pub verified_at: Option<DateTime<Utc>>,
}

impl From<&Checklist> for ChecklistRow {
    fn from(checklist: &Checklist) -> Self {
        ChecklistRow {
            id: checklist.id,
            name: checklist.name.clone(),
            system_type: checklist.system_type,
            completion_percentage: checklist.completion_percentage,
            status: checklist.status,
            done: checklist.items.iter().filter(|item| item.completed).count(),
            total: checklist.items.len(),
            verified_at: checklist.verified_at,
        }
    }
}

/// A user whose name the caller may see (to show who completed or signed
/// off something).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
}

/// Everything the checklists page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistsData {
    pub workspace: Workspace,
    pub enterprise: EnterpriseSummary,
    /// Whether to offer the forms; the domain refuses viewers' writes anyway.
    pub can_write: bool,
    pub checklists: Paged<ChecklistRow>,
    /// The checklist named by `?checklist=`, or why it cannot be shown.
    pub selected: Option<Result<Checklist, AppError>>,
    pub people: Vec<Person>,
}

/// The page chrome, one page of the enterprise's checklists (filtered by
/// system type and status) and the selected checklist with its items.
#[server(prefix = "/sfn", endpoint = "load_checklists_page")]
pub async fn load_checklists_page(
    enterprise_id: Uuid,
    page: Option<u32>,
    system_type: Option<String>,
    status: Option<String>,
    checklist: Option<Uuid>,
) -> Result<ChecklistsData, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::page::PageRequest;
    use crate::domain::server::checklists;

    let chrome = super::security::load_security_page(enterprise_id).await?;
    let (actor, user) = caller_or_401().await.map_err(fail)?;
    let pool = &state().pool;
    let can_write = can_write(pool, &actor, enterprise_id).await?;
    let request = PageRequest::parse(Some(i64::from(page.unwrap_or(1).max(1))), Some(PAGE_SIZE))
        .map_err(fail)?;
    let list = checklists::list(
        pool,
        &actor,
        checklists::ListFilter {
            enterprise: Some(enterprise_id),
            system_type,
            status,
            ordering: None,
        },
        request,
    )
    .await
    .map_err(fail)?;
    let selected = match checklist {
        None => None,
        Some(id) => Some(
            match checklists::get(pool, &actor, id).await {
                // A checklist of another enterprise is not on this page.
                Ok(found) if found.enterprise_id != enterprise_id => {
                    Err(fail(AppError::not_found()))
                }
                Ok(found) => Ok(found),
                Err(error) => Err(fail(error)),
            }
            .map_err(|mut error| {
                if error.code == crate::domain::error::ErrorCode::NotFound {
                    error.message = "This checklist does not exist.".into();
                }
                error
            }),
        ),
    };
    let people = people(pool, &actor, enterprise_id, &user).await;
    Ok(ChecklistsData {
        workspace: chrome.workspace,
        enterprise: chrome.enterprise,
        can_write,
        checklists: Paged {
            count: list.count,
            page: list.page,
            page_size: list.page_size,
            results: list.results.iter().map(ChecklistRow::from).collect(),
        },
        selected,
        people,
    })
}

/// Creates a checklist (optionally from the built-in template of its system
/// type) and opens it.
#[server(prefix = "/sfn", endpoint = "create_checklist")]
pub async fn create_checklist(
    enterprise_id: Uuid,
    name: String,
    system_type: String,
    from_template: Option<String>,
) -> Result<Uuid, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::checklists;
    use serde_json::{Map, Value};

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let mut input = Map::new();
    input.insert("enterprise_id".into(), enterprise_id.to_string().into());
    input.insert("name".into(), name.into());
    input.insert("system_type".into(), system_type.into());
    input.insert(
        "from_template".into(),
        Value::Bool(checkbox(from_template.as_deref())),
    );
    let created = checklists::create(&state().pool, &actor, input)
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&format!(
        "/enterprise/{}/checklists?checklist={}",
        created.enterprise_id, created.id
    ));
    Ok(created.id)
}

/// Ticks (`completed` = "true") or unticks an item. The wanted state is
/// explicit, so a repeated post changes nothing.
#[server(prefix = "/sfn", endpoint = "set_checklist_item")]
pub async fn set_checklist_item(
    checklist_id: Uuid,
    item_id: Uuid,
    completed: String,
) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::checklists;
    use serde_json::{Map, Value};

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let mut input = Map::new();
    input.insert("completed".into(), Value::Bool(checkbox(Some(&completed))));
    checklists::update_item(&state().pool, &actor, checklist_id, item_id, None, input)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Appends an item to a checklist.
#[server(prefix = "/sfn", endpoint = "add_checklist_item")]
pub async fn add_checklist_item(
    checklist_id: Uuid,
    title: String,
    priority: String,
    description: Option<String>,
) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::checklists;
    use serde_json::Map;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let mut input = Map::new();
    input.insert("title".into(), title.into());
    input.insert("priority".into(), priority.into());
    if let Some(description) = description.filter(|d| !d.trim().is_empty()) {
        input.insert("description".into(), description.into());
    }
    checklists::add_item(&state().pool, &actor, checklist_id, None, input)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Signs the checklist off as it was shown (`version`): only at 100 %.
#[server(prefix = "/sfn", endpoint = "verify_checklist")]
pub async fn verify_checklist(checklist_id: Uuid, version: Option<i32>) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::checklists;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    checklists::verify(
        &state().pool,
        &actor,
        checklist_id,
        version,
        serde_json::Map::new(),
    )
    .await
    .map_err(fail)?;
    Ok(())
}

/// A checkbox or boolean form field: present with "on" / "true" is true.
pub fn checkbox(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some("on" | "true" | "1" | "yes"))
}

/// Whether the caller may change the enterprise's records, to decide which
/// forms to offer. Only a hint for the page: the domain decides every write.
#[cfg(feature = "ssr")]
pub(crate) async fn can_write(
    pool: &sqlx::PgPool,
    actor: &crate::domain::server::Actor,
    enterprise_id: Uuid,
) -> Result<bool, AppError> {
    use super::context::fail;
    use crate::domain::enterprise::{role_permits, Action};
    use crate::domain::server::access;

    let role = access::role_in(pool, actor, enterprise_id)
        .await
        .map_err(fail)?;
    Ok(role.is_some_and(|role| role_permits(role, Action::Write)))
}

/// The names the caller may see: the enterprise's members for admins, else
/// the caller alone (the domain lists members to admins only).
#[cfg(feature = "ssr")]
pub(crate) async fn people(
    pool: &sqlx::PgPool,
    actor: &crate::domain::server::Actor,
    enterprise_id: Uuid,
    user: &crate::domain::user::SessionUser,
) -> Vec<Person> {
    use crate::domain::server::enterprises;

    let mut people: Vec<Person> = enterprises::members(pool, actor, enterprise_id)
        .await
        .map(|members| {
            members
                .into_iter()
                .map(|member| Person {
                    id: member.user_id,
                    name: member.name,
                })
                .collect()
        })
        .unwrap_or_default();
    if !people.iter().any(|person| person.id == user.id) {
        people.push(Person {
            id: user.id,
            name: user.name.clone(),
        });
    }
    people
}
