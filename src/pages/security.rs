use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::components::error_page::{AppErrorPage, ErrorPage};
use crate::components::header::AppHeader;
use crate::components::metric_card::{MetricCard, Tone};
use crate::components::tabs::TabLinks;
use crate::serverfn::security::load_security_page;

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
    let data = Resource::new(enterprise_id, |id| async move {
        match id {
            Some(id) => load_security_page(id).await.map(Some),
            None => Ok(None),
        }
    });

    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <AppErrorPage error/> }.into_any(),
                    Ok(None) => view! { <ErrorPage status=404 message="This enterprise does not exist."/> }.into_any(),
                    Ok(Some(page)) => {
                        let base = format!("/enterprise/{}/security", page.enterprise.id);
                        let name = page.enterprise.name.clone();
                        view! {
                            <Title text=format!("{name} security")/>
                            <AppHeader workspace=page.workspace current=page.enterprise.id/>
                            <main class="page">
                                <h1>{name}" — security posture"</h1>
                                <section class="metrics" aria-label="Key figures">
                                    <MetricCard title="Policies Active" value="—".to_string() detail="No policy yet".to_string() tone=Tone::Neutral/>
                                    <MetricCard title="Controls Verified" value="—".to_string() detail="No controls yet".to_string()
                                        tone=Tone::Neutral progress=Signal::derive(|| None::<f64>)/>
                                    <MetricCard title="Active Incidents" value="—".to_string() detail="No incidents recorded".to_string() tone=Tone::Neutral/>
                                    <MetricCard title="Compliance Score" value="—".to_string() detail="No requirements tracked".to_string() tone=Tone::Neutral/>
                                </section>
                                <TabLinks tabs=TABS.to_vec() active=tab base/>
                                <section class="tab-panel" aria-live="polite">
                                    {move || match tab.get().as_str() {
                                        "incidents" => view! {
                                            <h2>"Incidents"</h2>
                                            <p class="empty">"No incidents have been reported for this enterprise."</p>
                                        }.into_any(),
                                        "audits" => view! {
                                            <h2>"Audits"</h2>
                                            <p class="empty">"No audits are scheduled."</p>
                                        }.into_any(),
                                        _ => view! {
                                            <h2>"Compliance"</h2>
                                            <p class="empty">"No frameworks are committed to yet."</p>
                                        }.into_any(),
                                    }}
                                </section>
                            </main>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
