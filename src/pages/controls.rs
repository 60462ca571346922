//! `/enterprise/{id}/controls`: the security controls of an enterprise
//! (SPEC §3.3). The list, its filters and page, and the open control are all
//! in the URL (`?framework=&status=&priority=&stale=true&page=&control=`), so
//! the server renders exactly what a link points at. Every change is an
//! `ActionForm` that works without JavaScript; with it, the page refetches in
//! place. `stale` and `expired` come from the server: no clock in the page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::components::badges::Badge;
use crate::components::error_page::{AppErrorPage, ErrorPage};
use crate::components::header::AppHeader;
use crate::domain::common::Priority;
use crate::domain::control::ControlStatus;
use crate::domain::error::AppError;
use crate::domain::page::Paged;
use crate::domain::records::{Control, Evidence};
use crate::pages::checklists::{describe, name_of, pager, query_href, ActionError, Timestamp};
use crate::serverfn::checklists::Person;
use crate::serverfn::controls::{
    load_controls_page, AddControlEvidenceLink, CreateControl, DeleteControlEvidence,
    FrameworkOption, SetControlStatus, VerifyControl,
};

/// What the URL asks for.
#[derive(Debug, Clone, PartialEq)]
struct ListQuery {
    page: Option<u32>,
    framework: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    stale: bool,
    control: Option<Uuid>,
    /// Set by the upload form's redirect when the upload was refused.
    upload_error: Option<String>,
}

impl ListQuery {
    /// The query string for these filters, with another page and/or control.
    fn href(&self, base: &str, page: Option<u32>, control: Option<Uuid>) -> String {
        query_href(
            base,
            &[
                ("framework", self.framework.clone()),
                ("status", self.status.clone()),
                ("priority", self.priority.clone()),
                ("stale", self.stale.then(|| "true".to_string())),
                ("page", page.filter(|p| *p > 1).map(|p| p.to_string())),
                ("control", control.map(|id| id.to_string())),
            ],
        )
    }

    fn filtered(&self) -> bool {
        self.framework.is_some() || self.status.is_some() || self.priority.is_some() || self.stale
    }
}

/// The page's actions, passed to the parts that post them.
#[derive(Clone, Copy)]
struct Actions {
    status: ServerAction<SetControlStatus>,
    verify: ServerAction<VerifyControl>,
    evidence: ServerAction<AddControlEvidenceLink>,
    delete_evidence: ServerAction<DeleteControlEvidence>,
}

#[component]
pub fn ControlsPage() -> impl IntoView {
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
            framework: text("framework"),
            status: text("status"),
            priority: text("priority"),
            stale: matches!(text("stale").as_deref(), Some("true" | "on" | "1")),
            control: text("control").and_then(|id| Uuid::parse_str(&id).ok()),
            upload_error: text("upload_error"),
        }
    };

    let create = ServerAction::<CreateControl>::new();
    let actions = Actions {
        status: ServerAction::<SetControlStatus>::new(),
        verify: ServerAction::<VerifyControl>::new(),
        evidence: ServerAction::<AddControlEvidenceLink>::new(),
        delete_evidence: ServerAction::<DeleteControlEvidence>::new(),
    };

    let data = Resource::new(
        move || {
            (
                enterprise_id(),
                list_query(),
                create.version().get(),
                actions.status.version().get(),
                actions.verify.version().get(),
                actions.evidence.version().get(),
                actions.delete_evidence.version().get(),
            )
        },
        |(id, q, ..)| async move {
            match id {
                Some(id) => load_controls_page(
                    id,
                    q.page,
                    q.framework,
                    q.status,
                    q.priority,
                    q.stale.then_some(true),
                    q.control,
                )
                .await
                .map(Some),
                None => Ok(None),
            }
        },
    );

    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <AppErrorPage error/> }.into_any(),
                    Ok(None) => view! { <ErrorPage status=404 message="This enterprise does not exist."/> }.into_any(),
                    Ok(Some(page)) => {
                        let q = untrack(list_query);
                        let base = format!("/enterprise/{}/controls", page.enterprise.id);
                        let name = page.enterprise.name.clone();
                        let can_write = page.can_write;
                        let selected = page.selected.clone().map(|selected| match selected {
                            Ok(control) => control_detail(control, can_write, &page.people, &page.frameworks, actions, &base, &q).into_any(),
                            Err(error) => view! {
                                <section class="card mgmt-detail" aria-label="Selected control">
                                    <p class="form-error" role="alert">{describe(&error)}</p>
                                    <a href=q.href(&base, q.page, None)>"Back to all controls"</a>
                                </section>
                            }.into_any(),
                        });
                        view! {
                            <Title text=format!("{name} controls")/>
                            <AppHeader workspace=page.workspace.clone() current=page.enterprise.id/>
                            <main class="page mgmt-page controls-page">
                                <h1>{name}" — security controls"</h1>
                                {selected}
                                <div class="mgmt-columns">
                                    {control_list(&page.controls, &page.people, &page.frameworks, &base, &q).into_any()}
                                    {can_write.then(|| new_control_form(page.enterprise.id, &page.frameworks, create).into_any())}
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

fn framework_name(frameworks: &[FrameworkOption], slug: &str) -> String {
    frameworks
        .iter()
        .find(|f| f.slug == slug)
        .map(|f| f.name.clone())
        .unwrap_or_else(|| slug.to_string())
}

fn status_badge(status: ControlStatus) -> impl IntoView {
    view! { <Badge kind="control-status" value=status.as_str() label=status.label()/> }
}

fn priority_badge(priority: Priority) -> impl IntoView {
    view! { <Badge kind="control-priority" value=priority.as_str() label=priority.label()/> }
}

fn control_list(
    list: &Paged<Control>,
    people: &[Person],
    frameworks: &[FrameworkOption],
    base: &str,
    q: &ListQuery,
) -> impl IntoView {
    let rows = list
        .results
        .iter()
        .map(|control| {
            let href = q.href(base, Some(list.page), Some(control.id));
            let current = (q.control == Some(control.id)).then_some("true");
            let verified = control.verified_at.map(|at| {
                let by = name_of(people, control.verified_by);
                view! { {by}" · "<Timestamp at/> }
            });
            view! {
                <tr aria-current=current>
                    <th scope="row"><a href=href>{control.reference.clone()}</a></th>
                    <td>{control.title.clone()}</td>
                    <td>{framework_name(frameworks, &control.framework_slug)}</td>
                    <td>{priority_badge(control.priority)}</td>
                    <td>{status_badge(control.status)}</td>
                    <td class="controls-num">{control.evidence.len()}</td>
                    <td>{control.stale.then(|| view! { <span class="controls-marker">"STALE"</span> })}</td>
                    <td class="mgmt-small">{verified}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = list.results.is_empty();
    let filtered = q.filtered();
    view! {
        <section class="card mgmt-list" aria-labelledby="controls-heading">
            <h2 id="controls-heading">"Controls"</h2>
            <form method="get" action=base.to_string() class="mgmt-filters" aria-label="Filter controls">
                <div class="mgmt-field">
                    <label for="filter-framework">"Framework"</label>
                    <select id="filter-framework" name="framework">
                        <option value="" selected=q.framework.is_none()>"All frameworks"</option>
                        {frameworks
                            .iter()
                            .map(|f| view! {
                                <option value=f.slug.clone() selected={q.framework.as_deref() == Some(f.slug.as_str())}>{f.name.clone()}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="mgmt-field">
                    <label for="filter-status">"Status"</label>
                    <select id="filter-status" name="status">
                        <option value="" selected=q.status.is_none()>"All statuses"</option>
                        {ControlStatus::ALL
                            .into_iter()
                            .map(|s| view! {
                                <option value=s.as_str() selected={q.status.as_deref() == Some(s.as_str())}>{s.label()}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="mgmt-field">
                    <label for="filter-priority">"Priority"</label>
                    <select id="filter-priority" name="priority">
                        <option value="" selected=q.priority.is_none()>"All priorities"</option>
                        {Priority::ALL
                            .into_iter()
                            .map(|p| view! {
                                <option value=p.as_str() selected={q.priority.as_deref() == Some(p.as_str())}>{p.label()}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="mgmt-check-row">
                    <input id="filter-stale" name="stale" type="checkbox" value="true" checked=q.stale/>
                    <label for="filter-stale">"Stale only"</label>
                </div>
                <button type="submit">"Filter"</button>
                {filtered.then(|| view! { <a class="mgmt-clear" href=base.to_string()>"Clear filters"</a> })}
            </form>
            {if empty {
                view! {
                    <p class="empty">
                        {if filtered { "No control matches these filters." } else { "No controls yet." }}
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <div class="mgmt-table-wrap controls-table-wrap" role="region" aria-label="Controls table, scrolls sideways" tabindex="0">
                        <table class="mgmt-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Reference"</th>
                                    <th scope="col">"Title"</th>
                                    <th scope="col">"Framework"</th>
                                    <th scope="col">"Priority"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Evidence"</th>
                                    <th scope="col">"Stale"</th>
                                    <th scope="col">"Verified"</th>
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

fn new_control_form(
    enterprise_id: Uuid,
    frameworks: &[FrameworkOption],
    create: ServerAction<CreateControl>,
) -> impl IntoView {
    let framework_options = frameworks
        .iter()
        .map(|f| view! { <option value=f.slug.clone()>{f.name.clone()}</option> })
        .collect_view();
    view! {
        <section class="card mgmt-side" aria-labelledby="new-control-heading">
            <h2 id="new-control-heading">"New control"</h2>
            <ActionForm action=create attr:class="form mgmt-form">
                <input type="hidden" name="enterprise_id" value=enterprise_id.to_string()/>
                <label for="new-control-framework">"Framework"</label>
                <select id="new-control-framework" name="framework" required>
                    {framework_options}
                </select>
                <label for="new-control-reference">"Reference"</label>
                <input id="new-control-reference" name="reference" type="text" required maxlength="100" autocomplete="off" placeholder="A.8.5"/>
                <label for="new-control-title">"Title"</label>
                <input id="new-control-title" name="title" type="text" required maxlength="200" autocomplete="off"/>
                <label for="new-control-priority">"Priority"</label>
                <select id="new-control-priority" name="priority">
                    {Priority::ALL
                        .into_iter()
                        .map(|p| view! { <option value=p.as_str() selected={p == Priority::Medium}>{p.label()}</option> })
                        .collect_view()}
                </select>
                <label for="new-control-status">"Status"</label>
                <select id="new-control-status" name="status">
                    {ControlStatus::ALL
                        .into_iter()
                        .filter(|s| *s != ControlStatus::Verified && *s != ControlStatus::NotApplicable)
                        .map(|s| view! { <option value=s.as_str()>{s.label()}</option> })
                        .collect_view()}
                </select>
                <ActionError action=create/>
                <button type="submit" class="button primary">"Create control"</button>
            </ActionForm>
        </section>
    }
}

/// The field errors of an action's last run, each named ("Justification:
/// Explain why …"), inline and announced.
fn field_errors<S>(action: ServerAction<S>) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    move || {
        action.value().with(|value| {
            value
                .as_ref()
                .and_then(|result| result.as_ref().err())
                .map(|error| {
                    if error.fields.is_empty() {
                        view! { <p class="form-error" role="alert">{error.message.clone()}</p> }
                            .into_any()
                    } else {
                        let items = error
                            .fields
                            .iter()
                            .map(|(field, message)| {
                                let mut name = field.replace('_', " ");
                                if let Some(first) = name.get_mut(0..1) {
                                    first.make_ascii_uppercase();
                                }
                                view! { <li>{format!("{name}: {message}")}</li> }
                            })
                            .collect_view();
                        view! { <ul class="form-error controls-errors" role="alert">{items}</ul> }
                            .into_any()
                    }
                })
        })
    }
}

fn control_detail(
    control: Control,
    can_write: bool,
    people: &[Person],
    frameworks: &[FrameworkOption],
    actions: Actions,
    base: &str,
    q: &ListQuery,
) -> impl IntoView {
    let id = control.id.to_string();
    let version = control.version.to_string();
    let verified = (control.status == ControlStatus::Verified).then(|| {
        let by = name_of(people, control.verified_by);
        view! {
            <p class="mgmt-verified">
                "Verified by "<strong>{by}</strong>
                {control.verified_at.map(|at| view! { " on "<Timestamp at/> })}
                "."
            </p>
        }
    });
    let requirements = if control.requirements.is_empty() {
        view! { <p class="empty">"No catalogue requirements linked."</p> }.into_any()
    } else {
        view! {
            <ul class="controls-requirements">
                {control
                    .requirements
                    .iter()
                    .map(|r| view! { <li><strong>{r.reference.clone()}</strong>" "{r.title.clone()}" ("{r.framework_slug.clone()}")"</li> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let evidence = if control.evidence.is_empty() {
        view! { <p class="empty">"No evidence yet."</p> }.into_any()
    } else {
        let rows = control
            .evidence
            .iter()
            .map(|e| evidence_row(&control, e, can_write, actions))
            .collect_view();
        view! {
            <div class="mgmt-table-wrap controls-table-wrap" role="region" aria-label="Evidence table, scrolls sideways" tabindex="0">
                <table class="mgmt-table">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Link"</th>
                            <th scope="col">"Collected on"</th>
                            <th scope="col">"Valid until"</th>
                            <th scope="col">"Expired"</th>
                            {can_write.then(|| view! { <th scope="col">"Actions"</th> })}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let forms = can_write.then(|| {
        let verify = (control.status == ControlStatus::Implemented).then(|| {
            let id = id.clone();
            let version = version.clone();
            view! {
                <ActionForm action=actions.verify attr:class="controls-verify-form">
                    <input type="hidden" name="control_id" value=id.clone()/>
                    <input type="hidden" name="version" value=version.clone()/>
                    <button type="submit" class="button primary">"Verify"</button>
                </ActionForm>
                <ActionError action=actions.verify/>
            }
        });
        let current = control.status;
        let current_justification = control.justification.clone().unwrap_or_default();
        let (id2, version2) = (id.clone(), version.clone());
        let upload_action = format!("{base}/{id}/evidence-upload");
        let upload_error = q.upload_error.clone();
        view! {
            {verify}
            <details class="mgmt-details" open>
                <summary>"Change status"</summary>
                <ActionForm action=actions.status attr:class="form mgmt-form">
                    <input type="hidden" name="control_id" value=id.clone()/>
                    <input type="hidden" name="version" value=version.clone()/>
                    <label for="control-status">"New status"</label>
                    <select id="control-status" name="status">
                        {ControlStatus::ALL
                            .into_iter()
                            .filter(|s| *s != ControlStatus::Verified)
                            .map(|s| view! { <option value=s.as_str() selected={s == current}>{s.label()}</option> })
                            .collect_view()}
                    </select>
                    <label for="control-justification">"Justification (required for not applicable)"</label>
                    <textarea id="control-justification" name="justification" rows="3">{current_justification}</textarea>
                    {field_errors(actions.status)}
                    <button type="submit">"Save status"</button>
                </ActionForm>
            </details>
            <details class="mgmt-details" open>
                <summary>"Add evidence link"</summary>
                <ActionForm action=actions.evidence attr:class="form mgmt-form">
                    <input type="hidden" name="control_id" value=id2/>
                    <input type="hidden" name="version" value=version2/>
                    <label for="evidence-name">"Evidence name"</label>
                    <input id="evidence-name" name="name" type="text" required maxlength="200" autocomplete="off"/>
                    <label for="evidence-url">"URL"</label>
                    <input id="evidence-url" name="url" type="url" required placeholder="https://"/>
                    <label for="evidence-collected">"Collected on"</label>
                    <input id="evidence-collected" name="collected_on" type="date" required/>
                    <label for="evidence-valid">"Valid until (optional)"</label>
                    <input id="evidence-valid" name="valid_until" type="date"/>
                    {field_errors(actions.evidence)}
                    <button type="submit">"Add evidence"</button>
                </ActionForm>
            </details>
            <details class="mgmt-details" open=upload_error.is_some()>
                <summary>"Upload an evidence file"</summary>
                <form method="post" enctype="multipart/form-data" action=upload_action class="form mgmt-form">
                    <label for="upload-name">"Document title"</label>
                    <input id="upload-name" name="name" type="text" required maxlength="200" autocomplete="off"/>
                    <label for="upload-collected">"Date of the document"</label>
                    <input id="upload-collected" name="collected_on" type="date" required/>
                    <label for="upload-valid">"Document expires (optional)"</label>
                    <input id="upload-valid" name="valid_until" type="date"/>
                    <label for="upload-file">"File (at most 10 MiB)"</label>
                    <input id="upload-file" name="file" type="file" required/>
                    {upload_error.clone().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                    <button type="submit">"Upload"</button>
                </form>
            </details>
        }
    });
    let justification = control
        .justification
        .clone()
        .filter(|j| !j.trim().is_empty())
        .map(|j| view! { <p><strong>"Justification: "</strong>{j}</p> });
    view! {
        <section class="card mgmt-detail" aria-labelledby="control-heading">
            <p class="mgmt-back"><a href=q.href(base, q.page, None)>"← All controls"</a></p>
            <div class="mgmt-detail-head">
                <h2 id="control-heading">{format!("{} {}", control.reference, control.title)}</h2>
                {status_badge(control.status)}
                {priority_badge(control.priority)}
                {control.stale.then(|| view! { <span class="controls-marker">"STALE"</span> })}
            </div>
            <p class="muted">{framework_name(frameworks, &control.framework_slug)}</p>
            {(!control.description.is_empty()).then(|| view! { <p>{control.description.clone()}</p> })}
            {justification}
            {verified}
            <h3>"Requirements"</h3>
            {requirements}
            <h3>"Evidence"</h3>
            <ActionError action=actions.delete_evidence/>
            {evidence}
            {forms}
        </section>
    }
}

fn evidence_row(
    control: &Control,
    e: &Evidence,
    can_write: bool,
    actions: Actions,
) -> impl IntoView {
    let link = match (&e.url, e.file_id) {
        (Some(url), _) => view! { <a href=url.clone() rel="noopener noreferrer" target="_blank">{url.clone()}</a> }.into_any(),
        (None, Some(_)) => view! {
            <a href=format!("/api/security/controls/{}/evidence/{}/download", control.id, e.id)>"file"</a>
        }
        .into_any(),
        (None, None) => view! { <span>"file"</span> }.into_any(),
    };
    let remove = can_write.then(|| {
        let control_id = control.id.to_string();
        let evidence_id = e.id.to_string();
        let version = control.version.to_string();
        let label = format!("Remove evidence: {}", e.name);
        view! {
            <td>
                <ActionForm action=actions.delete_evidence>
                    <input type="hidden" name="control_id" value=control_id/>
                    <input type="hidden" name="evidence_id" value=evidence_id/>
                    <input type="hidden" name="version" value=version/>
                    <button type="submit" aria-label=label>"Remove"</button>
                </ActionForm>
            </td>
        }
    });
    view! {
        <tr>
            <th scope="row">{e.name.clone()}</th>
            <td class="controls-link">{link}</td>
            <td>{e.collected_on.format("%Y-%m-%d").to_string()}</td>
            <td>{e.valid_until.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "—".to_string())}</td>
            <td>{e.expired.then(|| view! { <span class="controls-marker">"EXPIRED"</span> })}</td>
            {remove}
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::ListQuery;
    use uuid::Uuid;

    #[test]
    fn links_keep_the_filters() {
        let q = ListQuery {
            page: Some(2),
            framework: Some("iso-27001".into()),
            status: None,
            priority: Some("high".into()),
            stale: true,
            control: None,
            upload_error: Some("refused".into()),
        };
        let id = Uuid::nil();
        assert_eq!(
            q.href("/c", Some(3), Some(id)),
            format!("/c?framework=iso-27001&priority=high&stale=true&page=3&control={id}")
        );
        assert!(q.filtered());
    }
}
