use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};

use crate::components::error_page::AppErrorPage;
use crate::components::header::AppHeader;
use crate::serverfn::security::load_home;

/// `/`: the user's enterprises; with exactly one, straight to its page.
#[component]
pub fn HomePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_home());
    view! {
        <Title text="Your enterprises"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <AppErrorPage error/> }.into_any(),
                    Ok(workspace) if workspace.enterprises.len() == 1 => {
                        let path = format!("/enterprise/{}/security", workspace.enterprises[0].id);
                        view! { <Redirect path/> }.into_any()
                    }
                    Ok(workspace) => {
                        let enterprises = workspace.enterprises.clone();
                        view! {
                            <AppHeader workspace/>
                            <main class="page">
                                <h1>"Your enterprises"</h1>
                                {if enterprises.is_empty() {
                                    view! {
                                        <p class="empty">"You are not a member of any enterprise yet. Ask an admin to add you."</p>
                                    }.into_any()
                                } else {
                                    view! {
                                        <ul class="enterprise-list">
                                            {enterprises.into_iter().map(|e| view! {
                                                <li class="card">
                                                    <A href=format!("/enterprise/{}/security", e.id)>{e.name}</A>
                                                    <span class="muted">{e.role.map(|r| r.label()).unwrap_or("Staff")}</span>
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </main>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
