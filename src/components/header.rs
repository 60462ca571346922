use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::serverfn::auth::Logout;
use crate::serverfn::security::Workspace;

/// The top bar: product name, enterprise switcher, the user and sign-out.
#[component]
pub fn AppHeader(workspace: Workspace, #[prop(optional)] current: Option<Uuid>) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let current_name = current
        .and_then(|id| workspace.enterprises.iter().find(|e| e.id == id))
        .map(|e| e.name.clone())
        .unwrap_or_else(|| "Choose an enterprise".to_string());
    let user_label = if workspace.user.is_staff {
        format!("{} (staff)", workspace.user.name)
    } else {
        workspace.user.name.clone()
    };
    view! {
        <header class="app-header">
            <a class="brand" href="/">"Rampart"</a>
            <details class="switcher">
                <summary aria-label="Switch enterprise">{current_name}</summary>
                <ul class="switcher-menu">
                    {workspace
                        .enterprises
                        .into_iter()
                        .map(|e| {
                            let href = format!("/enterprise/{}/security", e.id);
                            let is_current = Some(e.id) == current;
                            view! {
                                <li>
                                    <A href=href attr:aria-current=if is_current { Some("page") } else { None }>
                                        {e.name}
                                    </A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </details>
            {current
                .map(|id| {
                    let link = move |section: &str| format!("/enterprise/{id}/{section}");
                    view! {
                        <nav class="sections" aria-label="Enterprise sections">
                            <A href=link("security")>"Overview"</A>
                            <A href=link("incidents")>"Incidents"</A>
                            <A href=link("controls")>"Controls"</A>
                            <A href=link("checklists")>"Checklists"</A>
                            <A href=link("compliance")>"Compliance"</A>
                            <A href=link("audits")>"Audits"</A>
                            <A href=link("policy")>"Policy"</A>
                            <A href=link("members")>"Members"</A>
                            <a href=link("compliance/print")>"Report"</a>
                        </nav>
                    }
                })}
            <div class="user">
                <span class="user-name" title=workspace.user.email.clone()>{user_label}</span>
                <ActionForm action=logout attr:class="logout-form">
                    <button type="submit" class="link-button">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
    }
}
