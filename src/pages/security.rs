use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::components::error_page::{AppErrorPage, ErrorPage};
use crate::components::header::AppHeader;
use crate::components::incident_dialog::IncidentDialog;
use crate::components::posture::{AuditsPanel, CompliancePanel, IncidentsPanel, MetricCards};
use crate::components::tabs::TabLinks;
use crate::serverfn::security::{load_posture, load_security_page};

const TABS: [(&str, &str); 3] = [
    ("compliance", "Compliance"),
    ("incidents", "Incidents"),
    ("audits", "Audits"),
];

/// `/enterprise/{id}/security`: the posture of one enterprise at a glance.
#[component]
pub fn SecurityPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let enterprise_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    };
    let tab = Signal::derive(move || {
        let requested = query.read().get("tab").unwrap_or_default();
        if TABS.iter().any(|(key, _)| *key == requested) {
            requested
        } else {
            TABS[0].0.to_string()
        }
    });
    let open_incident = Signal::derive(move || {
        query
            .read()
            .get("incident")
            .and_then(|id| Uuid::parse_str(&id).ok())
    });
    // Bumped after a save in the dialog: the cards and tables reload in place.
    let refresh = RwSignal::new(0u32);
    let page = Resource::new(enterprise_id, |id| async move {
        match id {
            Some(id) => load_security_page(id).await.map(Some),
            None => Ok(None),
        }
    });
    let posture = Resource::new(
        move || (enterprise_id(), refresh.get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_posture(id).await.map(Some),
                None => Ok(None),
            }
        },
    );

    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <AppErrorPage error/> }.into_any(),
                    Ok(None) => view! { <ErrorPage status=404 message="This enterprise does not exist."/> }.into_any(),
                    Ok(Some(page)) => {
                        let id = page.enterprise.id;
                        let base = format!("/enterprise/{id}/security");
                        let name = page.enterprise.name.clone();
                        let close_base = base.clone();
                        view! {
                            <Title text=format!("{name} security")/>
                            <AppHeader workspace=page.workspace current=id/>
                            <main class="page">
                                <h1>{name}" — security posture"</h1>
                                <Transition fallback=|| view! { <p class="loading">"Loading figures…"</p> }>
                                    {move || Suspend::new(async move {
                                        match posture.await {
                                            Err(error) => view! { <p class="form-error" role="alert">{error.message}</p> }.into_any(),
                                            Ok(None) => ().into_any(),
                                            Ok(Some(posture)) => {
                                                let base = format!("/enterprise/{id}/security");
                                                view! {
                                                    <MetricCards overview=posture.overview.clone()/>
                                                    <TabLinks tabs=TABS.to_vec() active=tab base=base.clone()/>
                                                    <section class="tab-panel" aria-live="polite">
                                                        {move || match tab.get().as_str() {
                                                            "incidents" => view! { <IncidentsPanel dashboard=posture.incidents.clone() base=base.clone()/> }.into_any(),
                                                            "audits" => view! { <AuditsPanel dashboard=posture.audits.clone()/> }.into_any(),
                                                            _ => view! { <CompliancePanel scores=posture.compliance.clone() enterprise_id=id/> }.into_any(),
                                                        }}
                                                    </section>
                                                }
                                                .into_any()
                                            }
                                        }
                                    })}
                                </Transition>
                                {move || open_incident.get().map(|incident_id| {
                                    let close_href = format!("{close_base}?tab={}", tab.get());
                                    view! {
                                        <IncidentDialog incident_id close_href on_saved=Callback::new(move |_| refresh.update(|n| *n += 1))/>
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
