//! `/enterprise/{id}/checklists`: the hardening checklists of an enterprise
//! (SPEC §3.2). The list, its filters and page, and the open checklist are
//! all in the URL (`?system_type=&status=&page=&checklist=`), so the server
//! renders exactly what a link points at. Every change is an `ActionForm`
//! that works without JavaScript; with it, the page refetches in place.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::components::error_page::{AppErrorPage, ErrorPage};
use crate::components::header::AppHeader;
use crate::domain::checklist::{ChecklistStatus, SystemType};
use crate::domain::common::Priority;
use crate::domain::error::AppError;
use crate::domain::records::{Checklist, ChecklistItem};
use crate::serverfn::checklists::{
    load_checklists_page, AddChecklistItem, ChecklistRow, CreateChecklist, Person,
    SetChecklistItem, VerifyChecklist,
};

/// What the URL asks for.
#[derive(Debug, Clone, PartialEq)]
struct ListQuery {
    page: Option<u32>,
    system_type: Option<String>,
    status: Option<String>,
    checklist: Option<Uuid>,
}

impl ListQuery {
    /// The query string for these filters, with another page and/or
    /// checklist.
    fn href(&self, base: &str, page: Option<u32>, checklist: Option<Uuid>) -> String {
        query_href(
            base,
            &[
                ("system_type", self.system_type.clone()),
                ("status", self.status.clone()),
                ("page", page.filter(|p| *p > 1).map(|p| p.to_string())),
                ("checklist", checklist.map(|id| id.to_string())),
            ],
        )
    }
}

#[component]
pub fn ChecklistsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let enterprise_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    };
    let list_query = move || {
        let query = query.read();
        let text = |key: &str| query.get(key).filter(|v| !v.trim().is_empty());
        ListQuery {
            page: text("page").and_then(|p| p.parse().ok()),
            system_type: text("system_type"),
            status: text("status"),
            checklist: text("checklist").and_then(|id| Uuid::parse_str(&id).ok()),
        }
    };

    let create = ServerAction::<CreateChecklist>::new();
    let toggle = ServerAction::<SetChecklistItem>::new();
    let add_item = ServerAction::<AddChecklistItem>::new();
    let verify = ServerAction::<VerifyChecklist>::new();
    let last_toggled = RwSignal::new(None::<Uuid>);
    let actions = Actions {
        toggle,
        last_toggled,
        add_item,
        verify,
    };

    let data = Resource::new(
        move || {
            (
                enterprise_id(),
                list_query(),
                create.version().get(),
                toggle.version().get(),
                add_item.version().get(),
                verify.version().get(),
            )
        },
        |(id, q, ..)| async move {
            match id {
                Some(id) => load_checklists_page(id, q.page, q.system_type, q.status, q.checklist)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        },
    );

    // Ticking an item redraws the list: keyboard users keep their place.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        data.track();
        if let Some(id) = last_toggled.get_untracked() {
            set_timeout(
                move || {
                    use wasm_bindgen::JsCast;
                    if let Some(button) = document()
                        .get_element_by_id(&format!("toggle-{id}"))
                        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
                    {
                        let _ = button.focus();
                    }
                },
                std::time::Duration::from_millis(30),
            );
        }
    });

    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <AppErrorPage error/> }.into_any(),
                    Ok(None) => view! { <ErrorPage status=404 message="This enterprise does not exist."/> }.into_any(),
                    Ok(Some(page)) => {
                        let q = untrack(list_query);
                        let base = format!("/enterprise/{}/checklists", page.enterprise.id);
                        let name = page.enterprise.name.clone();
                        let people = page.people.clone();
                        let can_write = page.can_write;
                        let selected = page.selected.clone().map(|selected| match selected {
                            Ok(checklist) => checklist_detail(checklist, can_write, &people, actions, &base, &q).into_any(),
                            Err(error) => view! {
                                <section class="card mgmt-detail" aria-label="Selected checklist">
                                    <p class="form-error" role="alert">{describe(&error)}</p>
                                    <a href=q.href(&base, q.page, None)>"Back to all checklists"</a>
                                </section>
                            }.into_any(),
                        });
                        view! {
                            <Title text=format!("{name} checklists")/>
                            <AppHeader workspace=page.workspace.clone() current=page.enterprise.id/>
                            <main class="page mgmt-page">
                                <h1>{name}" — hardening checklists"</h1>
                                {selected}
                                <div class="mgmt-columns">
                                    {checklist_list(&page.checklists, &base, &q).into_any()}
                                    {can_write.then(|| new_checklist_form(page.enterprise.id, create).into_any())}
                                </div>
                            </main>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The page's actions, passed to the parts that post them.
#[derive(Clone, Copy)]
struct Actions {
    toggle: ServerAction<SetChecklistItem>,
    /// The item whose button was pressed last, to give it the focus back
    /// once the list has been redrawn.
    last_toggled: RwSignal<Option<Uuid>>,
    add_item: ServerAction<AddChecklistItem>,
    verify: ServerAction<VerifyChecklist>,
}

fn checklist_list(
    list: &crate::domain::page::Paged<ChecklistRow>,
    base: &str,
    q: &ListQuery,
) -> impl IntoView {
    let rows = list
        .results
        .iter()
        .map(|row| {
            let href = q.href(base, Some(list.page), Some(row.id));
            let current = (q.checklist == Some(row.id)).then_some("true");
            let progress_label = format!(
                "{} of {} items done · {:.1}\u{a0}%",
                row.done, row.total, row.completion_percentage
            );
            view! {
                <tr aria-current=current>
                    <th scope="row"><a href=href>{row.name.clone()}</a></th>
                    <td>{row.system_type.label()}</td>
                    <td class="mgmt-progress-cell">
                        <Progress percent=row.completion_percentage label=format!("Completion of {}", row.name)/>
                        <span class="mgmt-small">{progress_label}</span>
                    </td>
                    <td><StatusBadge status=row.status/></td>
                </tr>
            }
        })
        .collect_view();
    let empty = list.results.is_empty();
    let filtered = q.system_type.is_some() || q.status.is_some();
    view! {
        <section class="card mgmt-list" aria-labelledby="checklists-heading">
            <h2 id="checklists-heading">"Checklists"</h2>
            <form method="get" action=base.to_string() class="mgmt-filters" aria-label="Filter checklists">
                <div class="mgmt-field">
                    <label for="filter-system-type">"System type"</label>
                    <select id="filter-system-type" name="system_type">
                        <option value="" selected=q.system_type.is_none()>"All system types"</option>
                        {SystemType::ALL
                            .into_iter()
                            .map(|t| view! {
                                <option value=t.as_str() selected={q.system_type.as_deref() == Some(t.as_str())}>{t.label()}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="mgmt-field">
                    <label for="filter-status">"Status"</label>
                    <select id="filter-status" name="status">
                        <option value="" selected=q.status.is_none()>"All statuses"</option>
                        {ChecklistStatus::ALL
                            .into_iter()
                            .map(|s| view! {
                                <option value=s.as_str() selected={q.status.as_deref() == Some(s.as_str())}>{s.label()}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit">"Filter"</button>
                {filtered.then(|| view! { <a class="mgmt-clear" href=base.to_string()>"Clear filters"</a> })}
            </form>
            {if empty {
                view! {
                    <p class="empty">
                        {if filtered { "No checklist matches these filters." } else { "No checklists yet." }}
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <div class="mgmt-table-wrap" role="region" aria-label="Checklists table, scrolls sideways" tabindex="0">
                        <table class="mgmt-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"System type"</th>
                                    <th scope="col">"Completion"</th>
                                    <th scope="col">"Status"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            {pager(list.page, list.page_size, list.count, {
                let q = q.clone();
                let base = base.to_string();
                move |page| q.href(&base, Some(page), None)
            })}
        </section>
    }
}

fn new_checklist_form(enterprise_id: Uuid, create: ServerAction<CreateChecklist>) -> impl IntoView {
    view! {
        <section class="card mgmt-side" aria-labelledby="new-checklist-heading">
            <h2 id="new-checklist-heading">"New checklist"</h2>
            <ActionForm action=create attr:class="form mgmt-form">
                <input type="hidden" name="enterprise_id" value=enterprise_id.to_string()/>
                <label for="new-checklist-name">"Checklist name"</label>
                <input id="new-checklist-name" name="name" type="text" required maxlength="200" autocomplete="off"/>
                <label for="new-checklist-type">"System type"</label>
                <select id="new-checklist-type" name="system_type">
                    {SystemType::ALL
                        .into_iter()
                        .map(|t| view! { <option value=t.as_str()>{t.label()}</option> })
                        .collect_view()}
                </select>
                <div class="mgmt-check-row">
                    <input id="new-checklist-template" name="from_template" type="checkbox" value="true" checked/>
                    <label for="new-checklist-template">"Start from the built-in template"</label>
                </div>
                <ActionError action=create/>
                <button type="submit" class="button primary">"Create checklist"</button>
            </ActionForm>
        </section>
    }
}

fn checklist_detail(
    checklist: Checklist,
    can_write: bool,
    people: &[Person],
    actions: Actions,
    base: &str,
    q: &ListQuery,
) -> impl IntoView {
    let total = checklist.items.len();
    let done = checklist.items.iter().filter(|i| i.completed).count();
    let open = total - done;
    let complete = total > 0 && open == 0;
    let verified = checklist.status == ChecklistStatus::Verified;
    let summary = format!(
        "{done} of {total} items done · {:.1}\u{a0}%",
        checklist.completion_percentage
    );
    let items = checklist
        .items
        .iter()
        .map(|item| checklist_item(checklist.id, item, can_write, people, actions))
        .collect_view();
    let sign_off = if verified {
        let by = name_of(people, checklist.verified_by);
        view! {
            <p class="mgmt-verified">
                <StatusBadge status=ChecklistStatus::Verified/>
                " Signed off by "<strong>{by}</strong>
                {checklist.verified_at.map(|at| view! { " on "<Timestamp at/> })}
                "."
            </p>
        }
        .into_any()
    } else if can_write {
        let hint = (!complete).then(|| {
            let text = if total == 0 {
                "Sign-off needs at least one item, all of them done.".to_string()
            } else {
                let verb = if open == 1 { "is" } else { "are" };
                format!("Sign-off is possible at 100\u{a0}%: {open} of {total} items {verb} still open.")
            };
            view! { <p id="sign-off-hint" class="mgmt-note" role="note">{text}</p> }
        });
        view! {
            <ActionForm action=actions.verify attr:class="mgmt-signoff-form">
                <input type="hidden" name="checklist_id" value=checklist.id.to_string()/>
                <input type="hidden" name="version" value=checklist.version.to_string()/>
                <button type="submit" class="button primary" disabled={!complete}
                    aria-describedby={(!complete).then_some("sign-off-hint")}>
                    "Sign off"
                </button>
            </ActionForm>
            {hint}
            <ActionError action=actions.verify/>
        }
        .into_any()
    } else {
        view! { <p class="muted">"Not signed off yet."</p> }.into_any()
    };
    let add_item_form = can_write.then(|| {
        view! {
            <details class="mgmt-details">
                <summary>"Add an item"</summary>
                <ActionForm action=actions.add_item attr:class="form mgmt-form">
                    <input type="hidden" name="checklist_id" value=checklist.id.to_string()/>
                    <label for="new-item-title">"Item title"</label>
                    <input id="new-item-title" name="title" type="text" required maxlength="200" autocomplete="off"/>
                    <label for="new-item-priority">"Priority"</label>
                    <select id="new-item-priority" name="priority">
                        {Priority::ALL
                            .into_iter()
                            .map(|p| view! { <option value=p.as_str() selected={p == Priority::Medium}>{p.label()}</option> })
                            .collect_view()}
                    </select>
                    <label for="new-item-description">"Description (optional)"</label>
                    <textarea id="new-item-description" name="description" rows="3"></textarea>
                    <ActionError action=actions.add_item/>
                    <button type="submit">"Add item"</button>
                </ActionForm>
            </details>
        }
    });
    view! {
        <section class="card mgmt-detail" aria-labelledby="checklist-heading">
            <p class="mgmt-back"><a href=q.href(base, q.page, None)>"← All checklists"</a></p>
            <div class="mgmt-detail-head">
                <h2 id="checklist-heading">{checklist.name.clone()}</h2>
                <StatusBadge status=checklist.status/>
            </div>
            <p class="muted">{checklist.system_type.label()}</p>
            <Progress percent=checklist.completion_percentage label=format!("Completion of {}", checklist.name)/>
            <p class="mgmt-summary">{summary}</p>
            <div class="mgmt-signoff">{sign_off}</div>
            <h3>"Items"</h3>
            <ActionError action=actions.toggle/>
            {if total == 0 {
                view! { <p class="empty">"This checklist has no items yet."</p> }.into_any()
            } else {
                view! { <ol class="mgmt-items">{items}</ol> }.into_any()
            }}
            {add_item_form}
        </section>
    }
}

fn checklist_item(
    checklist_id: Uuid,
    item: &ChecklistItem,
    can_write: bool,
    people: &[Person],
    actions: Actions,
) -> impl IntoView {
    let Actions {
        toggle,
        last_toggled,
        ..
    } = actions;
    let item_uuid = item.id;
    let button_id = format!("toggle-{}", item.id);
    let state = if item.completed { "done" } else { "open" };
    let done_by = item.completed.then(|| {
        let by = name_of(people, item.completed_by);
        view! {
            <p class="mgmt-small muted">
                "Done by "{by}{item.completed_at.map(|at| view! { " on "<Timestamp at/> })}
            </p>
        }
    });
    let item_id = item.id.to_string();
    let checklist_id = checklist_id.to_string();
    let form = can_write.then(|| {
        let button_class = if item.completed { "" } else { "button primary" };
        let (value, text, label) = if item.completed {
            (
                "false",
                "Mark as not done",
                format!("Mark as not done: {}", item.title),
            )
        } else {
            (
                "true",
                "Mark as done",
                format!("Mark as done: {}", item.title),
            )
        };
        view! {
            <ActionForm action=toggle attr:class="mgmt-item-form">
                <input type="hidden" name="checklist_id" value=checklist_id/>
                <input type="hidden" name="item_id" value=item_id/>
                <input type="hidden" name="completed" value=value/>
                <button type="submit" id=button_id class=button_class aria-label=label
                    on:click=move |_| last_toggled.set(Some(item_uuid))>
                    {text}
                </button>
            </ActionForm>
        }
    });
    view! {
        <li class=format!("mgmt-item mgmt-item-{state}")>
            <div class="mgmt-item-body">
                <p class="mgmt-item-title">
                    <span class=format!("mgmt-badge mgmt-done-{state}")>{if item.completed { "✓ Done" } else { "Open" }}</span>
                    " "
                    <span>{item.title.clone()}</span>
                    " "
                    <span class=format!("mgmt-badge mgmt-priority-{}", item.priority.as_str())>
                        {item.priority.label()}
                    </span>
                </p>
                {(!item.description.is_empty()).then(|| view! { <p class="mgmt-item-description">{item.description.clone()}</p> })}
                {item.note.clone().map(|note| view! { <p class="mgmt-small">"Note: "{note}</p> })}
                {done_by}
            </div>
            {form}
        </li>
    }
}

/// The status of a checklist: a coloured badge that always says it in words.
#[component]
fn StatusBadge(status: ChecklistStatus) -> impl IntoView {
    view! {
        <span class=format!("mgmt-badge mgmt-status-{}", status.as_str())>{status.label()}</span>
    }
}

/// A progress bar (0–100) with its figure for assistive technology.
#[component]
pub(crate) fn Progress(percent: f64, #[prop(into)] label: String) -> impl IntoView {
    let clamped = percent.clamp(0.0, 100.0);
    view! {
        <div class="progress" role="progressbar" aria-label=label aria-valuemin="0" aria-valuemax="100"
            aria-valuenow=format!("{clamped:.1}") aria-valuetext=format!("{clamped:.1} %")>
            <div class="progress-fill" style:width=format!("{clamped:.1}%")></div>
        </div>
    }
}

/// A timestamp: UTC with a marker until hydration, then the reader's own
/// time zone (one component for every page).
#[component]
pub(crate) fn Timestamp(at: DateTime<Utc>) -> impl IntoView {
    view! { <crate::components::local_time::LocalTime at/> }
}

/// The error of an action's last run, inline and announced.
#[component]
pub(crate) fn ActionError<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    move || {
        action.value().with(|value| {
            value
                .as_ref()
                .and_then(|result| result.as_ref().err())
                .map(|error| view! { <p class="form-error" role="alert">{describe(error)}</p> })
        })
    }
}

/// What a person reads for an error: the message and, when several fields
/// are wrong, each of them.
pub(crate) fn describe(error: &AppError) -> String {
    if error.fields.len() > 1 {
        let fields: Vec<String> = error
            .fields
            .iter()
            .map(|(field, message)| format!("{}: {message}", field.replace('_', " ")))
            .collect();
        format!("{} {}", error.message, fields.join(" "))
    } else {
        error.message.clone()
    }
}

/// The name of a user the caller may see, or a neutral stand-in.
pub(crate) fn name_of(people: &[Person], id: Option<Uuid>) -> String {
    match id {
        None => "—".to_string(),
        Some(id) => people
            .iter()
            .find(|person| person.id == id)
            .map(|person| person.name.clone())
            .unwrap_or_else(|| "another member".to_string()),
    }
}

/// `base?key=value&…` with the present values, percent-encoded.
pub(crate) fn query_href(base: &str, pairs: &[(&str, Option<String>)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter_map(|(key, value)| {
            value
                .as_deref()
                .map(|value| format!("{key}={}", encode(value)))
        })
        .collect();
    if query.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", query.join("&"))
    }
}

fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Previous / next links and where the reader is, for a server-side page.
pub(crate) fn pager(
    page: u32,
    page_size: u32,
    count: i64,
    href: impl Fn(u32) -> String,
) -> impl IntoView {
    let pages = ((count.max(0) as u64).div_ceil(u64::from(page_size.max(1)))).max(1) as u32;
    (pages > 1 || page > 1).then(|| {
        let previous = (page > 1).then(|| href(page - 1));
        let next = (page < pages).then(|| href(page + 1));
        view! {
            <nav class="mgmt-pager" aria-label="Pages">
                {match previous {
                    Some(href) => view! { <a href=href rel="prev">"← Previous"</a> }.into_any(),
                    None => view! { <span class="muted">"← Previous"</span> }.into_any(),
                }}
                <span>{format!("Page {page} of {pages} · {count} in all")}</span>
                {match next {
                    Some(href) => view! { <a href=href rel="next">"Next →"</a> }.into_any(),
                    None => view! { <span class="muted">"Next →"</span> }.into_any(),
                }}
            </nav>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{describe, name_of, query_href, ListQuery};
    use crate::domain::error::AppError;
    use crate::serverfn::checklists::{checkbox, Person};
    use uuid::Uuid;

    #[test]
    fn links_keep_the_filters_and_encode_values() {
        let q = ListQuery {
            page: Some(3),
            system_type: Some("linux".into()),
            status: None,
            checklist: None,
        };
        let id = Uuid::nil();
        assert_eq!(
            q.href("/enterprise/x/checklists", Some(2), Some(id)),
            format!("/enterprise/x/checklists?system_type=linux&page=2&checklist={id}")
        );
        assert_eq!(q.href("/b", Some(1), None), "/b?system_type=linux");
        assert_eq!(
            query_href("/b", &[("q", Some("a b&c/é".into())), ("x", None)]),
            "/b?q=a%20b%26c%2F%C3%A9"
        );
        assert_eq!(query_href("/b", &[("x", None)]), "/b");
    }

    #[test]
    fn checkboxes_and_hidden_booleans() {
        assert!(checkbox(Some("on")) && checkbox(Some("true")));
        assert!(!checkbox(Some("false")) && !checkbox(Some("")) && !checkbox(None));
    }

    #[test]
    fn several_bad_fields_are_all_named() {
        let mut fields = crate::domain::error::FieldErrors::new();
        fields.insert("name".into(), "This field is required.".into());
        fields.insert(
            "system_type".into(),
            "System type must be one of: linux.".into(),
        );
        let text = describe(&AppError::invalid(fields));
        assert!(text.starts_with("Some fields are invalid."), "{text}");
        assert!(text.contains("system type: System type must be one of: linux."));
        assert_eq!(describe(&AppError::conflict("No.")), "No.");
    }

    #[test]
    fn unknown_people_are_not_named() {
        let me = Person {
            id: Uuid::from_u128(1),
            name: "Avery".into(),
        };
        assert_eq!(name_of(std::slice::from_ref(&me), Some(me.id)), "Avery");
        assert_eq!(name_of(&[me], Some(Uuid::from_u128(2))), "another member");
        assert_eq!(name_of(&[], None), "—");
    }
}
