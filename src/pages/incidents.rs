use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::components::badges::Badge;
use crate::components::error_page::{AppErrorPage, ErrorPage};
use crate::components::header::AppHeader;
use crate::components::incident_dialog::IncidentDialog;
use crate::components::local_time::LocalTime;
use crate::domain::common::Severity;
use crate::domain::incident::IncidentStatus;
use crate::serverfn::incidents::{list_incidents, ReportIncident};
use crate::serverfn::security::load_security_page;

/// `/enterprise/{id}/incidents`: every incident with filters, the report
/// form, and the incident dialog for `?incident=`.
#[component]
pub fn IncidentsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let enterprise_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    };
    let param = move |name: &str| query.read().get(name).filter(|v| !v.is_empty());
    let report = ServerAction::<ReportIncident>::new();
    let refresh = RwSignal::new(0u32);
    let page = Resource::new(enterprise_id, |id| async move {
        match id {
            Some(id) => load_security_page(id).await.map(Some),
            None => Ok(None),
        }
    });
    let list = Resource::new(
        move || {
            (
                enterprise_id(),
                param("severity"),
                param("status"),
                param("page").and_then(|p| p.parse::<i64>().ok()),
                refresh.get(),
                report.version().get(),
            )
        },
        |(id, severity, status, page, _, _)| async move {
            match id {
                Some(id) => list_incidents(id, severity, status, page).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let open_incident =
        Signal::derive(move || param("incident").and_then(|id| Uuid::parse_str(&id).ok()));
    let report_error = move || {
        report
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.message)
    };

    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <AppErrorPage error/> }.into_any(),
                    Ok(None) => view! { <ErrorPage status=404 message="This enterprise does not exist."/> }.into_any(),
                    Ok(Some(page)) => {
                        let id = page.enterprise.id;
                        let base = format!("/enterprise/{id}/incidents");
                        let close_base = base.clone();
                        let severity_now = param("severity").unwrap_or_default();
                        let status_now = param("status").unwrap_or_default();
                        view! {
                            <Title text="Incidents"/>
                            <AppHeader workspace=page.workspace current=id/>
                            <main class="page">
                                <h1>"Incidents"</h1>
                                <form method="get" action=base.clone() class="filters" aria-label="Filter incidents">
                                    <label for="filter-severity">"Severity"</label>
                                    <select id="filter-severity" name="severity">
                                        <option value="">"Any"</option>
                                        {Severity::ALL.iter().map(|s| view! {
                                            <option value=s.as_str() selected=severity_now == s.as_str()>{s.label()}</option>
                                        }).collect_view()}
                                    </select>
                                    <label for="filter-status">"Status"</label>
                                    <select id="filter-status" name="status">
                                        <option value="">"Any"</option>
                                        {IncidentStatus::ALL.iter().map(|s| view! {
                                            <option value=s.as_str() selected=status_now == s.as_str()>{s.label()}</option>
                                        }).collect_view()}
                                    </select>
                                    <button type="submit" class="button">"Filter"</button>
                                </form>
                                <Transition fallback=|| view! { <p class="loading">"Loading incidents…"</p> }>
                                    {move || Suspend::new(async move {
                                        match list.await {
                                            Err(error) => view! { <p class="form-error" role="alert">{error.message}</p> }.into_any(),
                                            Ok(None) => ().into_any(),
                                            Ok(Some(list)) => {
                                                let base = format!("/enterprise/{id}/incidents");
                                                view! {
                                                    <p class="muted">{format!("{} incident(s)", list.count)}</p>
                                                    <div class="table-wrap">
                                                        <table class="data">
                                                            <thead>
                                                                <tr><th scope="col">"Severity"</th><th scope="col">"Title"</th><th scope="col">"Status"</th><th scope="col">"Detected"</th><th scope="col">"Clocks"</th></tr>
                                                            </thead>
                                                            <tbody>
                                                                {list.results.into_iter().map(|incident| {
                                                                    let href = format!("{base}?incident={}", incident.id);
                                                                    let clocks = if incident.flagged { "Needs attention" } else if incident.clocks.is_empty() { "—" } else { "On track" };
                                                                    view! {
                                                                        <tr>
                                                                            <td><Badge kind="severity" value=incident.severity.as_str() label=incident.severity.label()/></td>
                                                                            <td><A href=href attr:data-incident=incident.id.to_string() attr:class="row-link">{incident.title.clone()}</A></td>
                                                                            <td><Badge kind="status" value=incident.status.as_str() label=incident.status.label()/></td>
                                                                            <td><LocalTime at=incident.detected_at/></td>
                                                                            <td>{clocks}</td>
                                                                        </tr>
                                                                    }
                                                                }).collect_view()}
                                                            </tbody>
                                                        </table>
                                                    </div>
                                                    {list.has_next.then(|| view! {
                                                        <a class="button" href=format!("{base}?page={}", list.page + 1)>"Next page"</a>
                                                    })}
                                                }
                                                .into_any()
                                            }
                                        }
                                    })}
                                </Transition>
                                <section class="card report-form">
                                    <h2>"Report an incident"</h2>
                                    <ActionForm action=report attr:class="form" attr:aria-label="Report an incident">
                                        <input type="hidden" name="enterprise_id" value=id.to_string()/>
                                        <label for="report-title">"Title"</label>
                                        <input id="report-title" name="title" required maxlength="200"/>
                                        <label for="report-severity">"Severity"</label>
                                        <select id="report-severity" name="severity">
                                            {Severity::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                                        </select>
                                        <label for="report-detected">"Detected at (UTC)"</label>
                                        <input id="report-detected" name="detected_at" type="datetime-local" required/>
                                        <label for="report-description">"Description"</label>
                                        <textarea id="report-description" name="description" rows="3"></textarea>
                                        <label for="report-systems">"Systems affected (comma-separated)"</label>
                                        <input id="report-systems" name="systems_affected"/>
                                        <label class="checkbox"><input type="checkbox" name="personal_data" value="on"/>" Personal data affected (starts the GDPR 72 h clock)"</label>
                                        {move || report_error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                                        <button type="submit" class="button primary">"Report incident"</button>
                                    </ActionForm>
                                </section>
                                {move || open_incident.get().map(|incident_id| {
                                    view! {
                                        <IncidentDialog incident_id close_href=close_base.clone() on_saved=Callback::new(move |_| refresh.update(|n| *n += 1))/>
                                    }
                                })}
                            </main>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
