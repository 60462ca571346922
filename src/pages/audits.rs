//! `/enterprise/{id}/audits`: the security audits of an enterprise and
//! their findings (SPEC §3.4). The list, its filters and page, and the open
//! audit are all in the URL (`?status=&audit_type=&page=&audit=`), so the
//! server renders exactly what a link points at. Every change is an
//! `ActionForm` that works without JavaScript; with it, the page refetches
//! in place. Whether a finding is overdue comes from the server (no clock in
//! the browser), so hydration sees the same text.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::components::badges::Badge;
use crate::components::error_page::{AppErrorPage, ErrorPage};
use crate::components::header::AppHeader;
use crate::domain::audit::{Audit, AuditStatus, AuditType, Finding, FindingStatus};
use crate::domain::common::Severity;
use crate::domain::page::Paged;
use crate::pages::checklists::{describe, pager, query_href, ActionError, Timestamp};
use crate::serverfn::audits::{
    load_audits_page, AddFinding, CancelAudit, CompleteAudit, CreateAudit, FrameworkChoice,
    SelectedAudit, SetFindingStatus, StartAudit,
};

/// What the URL asks for.
#[derive(Debug, Clone, PartialEq)]
struct ListQuery {
    page: Option<u32>,
    status: Option<String>,
    audit_type: Option<String>,
    audit: Option<Uuid>,
}

impl ListQuery {
    /// The query string for these filters, with another page and/or audit.
    fn href(&self, base: &str, page: Option<u32>, audit: Option<Uuid>) -> String {
        query_href(
            base,
            &[
                ("status", self.status.clone()),
                ("audit_type", self.audit_type.clone()),
                ("page", page.filter(|p| *p > 1).map(|p| p.to_string())),
                ("audit", audit.map(|id| id.to_string())),
            ],
        )
    }
}

/// The page's actions, passed to the parts that post them.
#[derive(Clone, Copy)]
struct Actions {
    start: ServerAction<StartAudit>,
    complete: ServerAction<CompleteAudit>,
    cancel: ServerAction<CancelAudit>,
    add_finding: ServerAction<AddFinding>,
    set_finding: ServerAction<SetFindingStatus>,
}

#[component]
pub fn AuditsPage() -> impl IntoView {
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
            status: text("status"),
            audit_type: text("audit_type"),
            audit: text("audit").and_then(|id| Uuid::parse_str(&id).ok()),
        }
    };

    let create = ServerAction::<CreateAudit>::new();
    let actions = Actions {
        start: ServerAction::<StartAudit>::new(),
        complete: ServerAction::<CompleteAudit>::new(),
        cancel: ServerAction::<CancelAudit>::new(),
        add_finding: ServerAction::<AddFinding>::new(),
        set_finding: ServerAction::<SetFindingStatus>::new(),
    };

    let data = Resource::new(
        move || {
            (
                enterprise_id(),
                list_query(),
                create.version().get(),
                actions.start.version().get(),
                actions.complete.version().get(),
                actions.cancel.version().get(),
                actions.add_finding.version().get(),
                actions.set_finding.version().get(),
            )
        },
        |(id, q, ..)| async move {
            match id {
                Some(id) => load_audits_page(id, q.page, q.status, q.audit_type, q.audit)
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
                        let base = format!("/enterprise/{}/audits", page.enterprise.id);
                        let name = page.enterprise.name.clone();
                        let can_write = page.can_write;
                        let selected = page.selected.clone().map(|selected| match selected {
                            Ok(selected) => audit_detail(selected, can_write, actions, &base, &q).into_any(),
                            Err(error) => view! {
                                <section class="card mgmt-detail" aria-label="Selected audit">
                                    <p class="form-error" role="alert">{describe(&error)}</p>
                                    <a href=q.href(&base, q.page, None)>"Back to all audits"</a>
                                </section>
                            }.into_any(),
                        });
                        view! {
                            <Title text=format!("{name} audits")/>
                            <AppHeader workspace=page.workspace.clone() current=page.enterprise.id/>
                            <main class="page mgmt-page audits-page">
                                <h1>{name}" — security audits"</h1>
                                {selected}
                                <div class="mgmt-columns">
                                    {audit_list(&page.audits, &base, &q).into_any()}
                                    {can_write.then(|| schedule_form(page.enterprise.id, &page.frameworks, create).into_any())}
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

fn day(date: NaiveDate) -> impl IntoView {
    let text = date.format("%Y-%m-%d").to_string();
    let datetime = text.clone();
    view! { <time datetime=datetime>{text}</time> }
}

fn audit_list(list: &Paged<Audit>, base: &str, q: &ListQuery) -> impl IntoView {
    let rows = list
        .results
        .iter()
        .map(|audit| {
            let href = q.href(base, Some(list.page), Some(audit.id));
            let current = (q.audit == Some(audit.id)).then_some("true");
            view! {
                <tr aria-current=current>
                    <th scope="row"><a href=href>{audit.title.clone()}</a></th>
                    <td><Badge kind="audit-type" value=audit.audit_type.as_str() label=audit.audit_type.label()/></td>
                    <td>{audit.auditor.clone().unwrap_or_else(|| "—".to_string())}</td>
                    <td class="mgmt-nowrap">{day(audit.scheduled_for)}</td>
                    <td><Badge kind="audit-status" value=audit.status.as_str() label=audit.status.label()/></td>
                    <td>{audit.open_findings}</td>
                    <td class={if audit.overdue_findings > 0 { "audits-overdue-count" } else { "" }}>{audit.overdue_findings}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = list.results.is_empty();
    let filtered = q.status.is_some() || q.audit_type.is_some();
    view! {
        <section class="card mgmt-list" aria-labelledby="audits-heading">
            <h2 id="audits-heading">"Audits"</h2>
            <form method="get" action=base.to_string() class="mgmt-filters" aria-label="Filter audits">
                <div class="mgmt-field">
                    <label for="filter-status">"Status"</label>
                    <select id="filter-status" name="status">
                        <option value="" selected=q.status.is_none()>"All statuses"</option>
                        {AuditStatus::ALL
                            .into_iter()
                            .map(|s| view! {
                                <option value=s.as_str() selected={q.status.as_deref() == Some(s.as_str())}>{s.label()}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="mgmt-field">
                    <label for="filter-audit-type">"Type"</label>
                    <select id="filter-audit-type" name="audit_type">
                        <option value="" selected=q.audit_type.is_none()>"All types"</option>
                        {AuditType::ALL
                            .into_iter()
                            .map(|t| view! {
                                <option value=t.as_str() selected={q.audit_type.as_deref() == Some(t.as_str())}>{t.label()}</option>
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
                        {if filtered { "No audit matches these filters." } else { "No audits yet." }}
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <div class="mgmt-table-wrap" role="region" aria-label="Audits table, scrolls sideways" tabindex="0">
                        <table class="mgmt-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Title"</th>
                                    <th scope="col">"Type"</th>
                                    <th scope="col">"Auditor"</th>
                                    <th scope="col">"Scheduled"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Open findings"</th>
                                    <th scope="col">"Overdue findings"</th>
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

fn schedule_form(
    enterprise_id: Uuid,
    frameworks: &[FrameworkChoice],
    create: ServerAction<CreateAudit>,
) -> impl IntoView {
    let boxes = frameworks
        .iter()
        .enumerate()
        .map(|(index, framework)| {
            let id = format!("new-audit-framework-{}", framework.slug);
            view! {
                <div class="mgmt-check-row">
                    <input id=id.clone() name=format!("frameworks[{index}]") type="checkbox" value=framework.slug.clone()/>
                    <label for=id>{framework.name.clone()}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="card mgmt-side" aria-labelledby="new-audit-heading">
            <h2 id="new-audit-heading">"Schedule an audit"</h2>
            <ActionForm action=create attr:class="form mgmt-form">
                <input type="hidden" name="enterprise_id" value=enterprise_id.to_string()/>
                <label for="new-audit-title">"Audit title"</label>
                <input id="new-audit-title" name="title" type="text" required maxlength="200" autocomplete="off"/>
                <label for="new-audit-type">"Audit type"</label>
                <select id="new-audit-type" name="audit_type">
                    {AuditType::ALL
                        .into_iter()
                        .map(|t| view! { <option value=t.as_str()>{t.label()}</option> })
                        .collect_view()}
                </select>
                <label for="new-audit-auditor">"Auditor (name or organisation)"</label>
                <input id="new-audit-auditor" name="auditor" type="text" maxlength="200" autocomplete="off"/>
                <label for="new-audit-date">"Scheduled date"</label>
                <input id="new-audit-date" name="scheduled_for" type="date" required/>
                <fieldset class="audits-frameworks">
                    <legend>"Frameworks"</legend>
                    {boxes}
                </fieldset>
                <label for="new-audit-scope">"Scope"</label>
                <textarea id="new-audit-scope" name="scope" rows="3"></textarea>
                <ActionError action=create/>
                <button type="submit" class="button primary">"Schedule audit"</button>
            </ActionForm>
        </section>
    }
}

fn audit_detail(
    selected: SelectedAudit,
    can_write: bool,
    actions: Actions,
    base: &str,
    q: &ListQuery,
) -> impl IntoView {
    let SelectedAudit {
        audit,
        findings,
        findings_count,
    } = selected;
    let audit_id = audit.id;
    let version = audit.version;
    let workflow = can_write.then(|| {
        let start = (audit.status == AuditStatus::Scheduled).then(|| {
            view! {
                <ActionForm action=actions.start attr:class="mgmt-inline-form">
                    <input type="hidden" name="audit_id" value=audit_id.to_string()/>
                    <input type="hidden" name="version" value=version.to_string()/>
                    <button type="submit" class="button primary">"Start audit"</button>
                </ActionForm>
            }
        });
        let complete = (audit.status == AuditStatus::InProgress).then(|| {
            view! {
                <ActionForm action=actions.complete attr:class="form mgmt-form audits-complete-form">
                    <input type="hidden" name="audit_id" value=audit_id.to_string()/>
                    <input type="hidden" name="version" value=version.to_string()/>
                    <label for="complete-summary">"Summary"</label>
                    <textarea id="complete-summary" name="summary" rows="3"></textarea>
                    <button type="submit" class="button primary">"Complete audit"</button>
                </ActionForm>
            }
        });
        let cancel = (!audit.status.is_final()).then(|| {
            view! {
                <ActionForm action=actions.cancel attr:class="mgmt-inline-form">
                    <input type="hidden" name="audit_id" value=audit_id.to_string()/>
                    <input type="hidden" name="version" value=version.to_string()/>
                    <button type="submit">"Cancel audit"</button>
                </ActionForm>
            }
        });
        view! {
            <div class="audits-workflow">
                {start}
                {complete}
                {cancel}
            </div>
            <ActionError action=actions.start/>
            <ActionError action=actions.complete/>
            <ActionError action=actions.cancel/>
        }
    });
    let frameworks = if audit.frameworks.is_empty() {
        "—".to_string()
    } else {
        audit.frameworks.join(", ")
    };
    let rows = findings
        .iter()
        .map(|finding| finding_row(finding.clone(), can_write, actions))
        .collect_view();
    let shown = findings.len() as i64;
    let add_form = (can_write && audit.status != AuditStatus::Cancelled).then(|| {
        view! {
            <details class="mgmt-details" open=findings.is_empty()>
                <summary>"Add finding"</summary>
                <ActionForm action=actions.add_finding attr:class="form mgmt-form">
                    <input type="hidden" name="audit_id" value=audit_id.to_string()/>
                    <label for="new-finding-title">"Finding title"</label>
                    <input id="new-finding-title" name="title" type="text" required maxlength="200" autocomplete="off"/>
                    <label for="new-finding-severity">"Severity"</label>
                    <select id="new-finding-severity" name="severity">
                        {Severity::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.as_str() selected={s == Severity::Medium}>{s.label()}</option> })
                            .collect_view()}
                    </select>
                    <label for="new-finding-plan">"Remediation plan"</label>
                    <textarea id="new-finding-plan" name="remediation_plan" rows="3"></textarea>
                    <label for="new-finding-deadline">"Remediation deadline"</label>
                    <input id="new-finding-deadline" name="remediation_deadline" type="date"/>
                    <ActionError action=actions.add_finding/>
                    <button type="submit">"Save finding"</button>
                </ActionForm>
            </details>
        }
    });
    view! {
        <section class="card mgmt-detail" aria-labelledby="audit-heading">
            <p class="mgmt-back"><a href=q.href(base, q.page, None)>"← All audits"</a></p>
            <div class="mgmt-detail-head">
                <h2 id="audit-heading">{audit.title.clone()}</h2>
                <Badge kind="audit-status" value=audit.status.as_str() label=audit.status.label()/>
            </div>
            <dl class="audits-facts">
                <dt>"Type"</dt>
                <dd>{audit.audit_type.label()}</dd>
                <dt>"Auditor"</dt>
                <dd>{audit.auditor.clone().unwrap_or_else(|| "—".to_string())}</dd>
                <dt>"Scheduled for"</dt>
                <dd>{day(audit.scheduled_for)}</dd>
                <dt>"Frameworks"</dt>
                <dd>{frameworks}</dd>
                {audit.started_at.map(|at| view! { <dt>"Started"</dt><dd><Timestamp at/></dd> })}
                {audit.completed_at.map(|at| view! { <dt>"Completed"</dt><dd><Timestamp at/></dd> })}
                {audit.cancelled_at.map(|at| view! { <dt>"Cancelled"</dt><dd><Timestamp at/></dd> })}
            </dl>
            {(!audit.scope.is_empty()).then(|| view! { <p><strong>"Scope: "</strong>{audit.scope.clone()}</p> })}
            {audit.summary.clone().map(|summary| view! { <p><strong>"Summary: "</strong>{summary}</p> })}
            {workflow}
            <h3>"Findings"</h3>
            <ActionError action=actions.set_finding/>
            {if findings.is_empty() {
                view! { <p class="empty">"This audit has no findings yet."</p> }.into_any()
            } else {
                view! {
                    <div class="mgmt-table-wrap" role="region" aria-label="Findings table, scrolls sideways" tabindex="0">
                        <table class="mgmt-table audits-findings">
                            <thead>
                                <tr>
                                    <th scope="col">"Finding"</th>
                                    <th scope="col">"Severity"</th>
                                    <th scope="col">"Deadline"</th>
                                    <th scope="col">"Status"</th>
                                    {can_write.then(|| view! { <th scope="col">"Change status"</th> })}
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            {(findings_count > shown).then(|| view! {
                <p class="mgmt-small muted">{format!("Showing {shown} of {findings_count} findings.")}</p>
            })}
            {add_form}
        </section>
    }
}

fn finding_row(finding: Finding, can_write: bool, actions: Actions) -> impl IntoView {
    let select_id = format!("finding-status-{}", finding.id);
    let label_for = select_id.clone();
    let status_label = format!("Status of {}", finding.title);
    let update_label = format!("Update status of {}", finding.title);
    let audit_id = finding.audit_id.to_string();
    let finding_id = finding.id.to_string();
    let version = finding.version.to_string();
    let current = finding.status;
    let form = can_write.then(move || {
        view! {
            <td>
                <ActionForm action=actions.set_finding attr:class="audits-finding-form">
                    <input type="hidden" name="audit_id" value=audit_id/>
                    <input type="hidden" name="finding_id" value=finding_id/>
                    <input type="hidden" name="version" value=version/>
                    <label class="mgmt-sr-only" for=label_for>{status_label}</label>
                    <select id=select_id name="status">
                        {FindingStatus::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.as_str() selected={s == current}>{s.label()}</option> })
                            .collect_view()}
                    </select>
                    <button type="submit" aria-label=update_label>"Update"</button>
                </ActionForm>
            </td>
        }
    });
    view! {
        <tr class={if finding.overdue { "audits-finding-overdue" } else { "" }}>
            <th scope="row">
                {finding.title.clone()}
                {finding.remediation_plan.clone().map(|plan| view! { <p class="mgmt-small muted">{plan}</p> })}
            </th>
            <td><Badge kind="severity" value=finding.severity.as_str() label=finding.severity.label()/></td>
            <td class="mgmt-nowrap">
                {match finding.remediation_deadline {
                    Some(deadline) => day(deadline).into_any(),
                    None => "—".into_any(),
                }}
                {finding.overdue.then(|| view! { " "<strong class="audits-overdue">"OVERDUE"</strong> })}
            </td>
            <td><Badge kind="finding-status" value=finding.status.as_str() label=finding.status.label()/></td>
            {form}
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
            page: Some(3),
            status: Some("scheduled".into()),
            audit_type: None,
            audit: None,
        };
        let id = Uuid::nil();
        assert_eq!(
            q.href("/enterprise/x/audits", Some(2), Some(id)),
            format!("/enterprise/x/audits?status=scheduled&page=2&audit={id}")
        );
        assert_eq!(q.href("/b", Some(1), None), "/b?status=scheduled");
    }
}
