//! `/enterprise/{id}/members`: who belongs to an enterprise and with which
//! role (SPEC §1). Admins and staff add members by e-mail and remove direct
//! members; everyone else reads the domain's 403 inline. Every change is an
//! `ActionForm` that works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::components::error_page::{AppErrorPage, ErrorPage};
use crate::components::header::AppHeader;
use crate::domain::enterprise::{Member, Role};
use crate::pages::checklists::ActionError;
use crate::serverfn::members::{load_members_page, AddMember, RemoveMember};

const ROLES: [Role; 3] = [Role::Viewer, Role::Member, Role::Admin];

#[component]
pub fn MembersPage() -> impl IntoView {
    let params = use_params_map();
    let enterprise_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    };
    let add = ServerAction::<AddMember>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let data = Resource::new(
        move || (enterprise_id(), add.version().get(), remove.version().get()),
        |(id, ..)| async move {
            match id {
                Some(id) => load_members_page(id).await.map(Some),
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
                        let name = page.enterprise.name.clone();
                        let enterprise_id = page.enterprise.id;
                        let body = match page.members.clone() {
                            Err(error) => view! {
                                <section class="card members-denied" aria-label="Members">
                                    <p class="form-error" role="alert">
                                        {if error.status().as_u16() == 403 {
                                            "Only the enterprise's admins can see and manage its members.".to_string()
                                        } else {
                                            error.message.clone()
                                        }}
                                    </p>
                                </section>
                            }
                            .into_any(),
                            Ok(members) => view! {
                                <div class="mgmt-columns">
                                    {members_table(&members, enterprise_id, remove).into_any()}
                                    {add_member_form(enterprise_id, add).into_any()}
                                </div>
                            }
                            .into_any(),
                        };
                        view! {
                            <Title text=format!("{name} members")/>
                            <AppHeader workspace=page.workspace.clone() current=enterprise_id/>
                            <main class="page mgmt-page members-page">
                                <h1>{name}" — members"</h1>
                                {body}
                            </main>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

fn members_table(
    members: &[Member],
    enterprise_id: Uuid,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    let rows = members
        .iter()
        .map(|member| {
            let direct = member.role;
            let user_id = member.user_id.to_string();
            let remove_label = format!("Remove {} ({})", member.name, member.email);
            let action = match direct {
                Some(_) => view! {
                    <ActionForm action=remove attr:class="members-remove-form">
                        <input type="hidden" name="enterprise_id" value=enterprise_id.to_string()/>
                        <input type="hidden" name="user_id" value=user_id/>
                        <button type="submit" class="button danger"
                            aria-label=remove_label>
                            "Remove"
                        </button>
                    </ActionForm>
                }
                .into_any(),
                None => view! { <span class="muted">"Through a team"</span> }.into_any(),
            };
            view! {
                <tr>
                    <th scope="row">{member.name.clone()}</th>
                    <td>{member.email.clone()}</td>
                    <td>{direct.map(Role::label).unwrap_or("— (team)")}</td>
                    <td>
                        <span class=format!("mgmt-badge members-role-{}", member.effective_role.as_str())>
                            {member.effective_role.label()}
                        </span>
                    </td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card mgmt-list" aria-labelledby="members-heading">
            <h2 id="members-heading">"Members"</h2>
            <ActionError action=remove/>
            {if members.is_empty() {
                view! { <p class="empty">"No members yet."</p> }.into_any()
            } else {
                view! {
                    <div class="mgmt-table-wrap members-table-wrap" role="region" aria-label="Members table, scrolls sideways" tabindex="0">
                        <table class="mgmt-table members-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"E-mail"</th>
                                    <th scope="col">"Role"</th>
                                    <th scope="col">"Effective role"</th>
                                    <th scope="col">"Actions"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

fn add_member_form(enterprise_id: Uuid, add: ServerAction<AddMember>) -> impl IntoView {
    view! {
        <section class="card mgmt-side" aria-labelledby="add-member-heading">
            <h2 id="add-member-heading">"Add a member"</h2>
            <ActionForm action=add attr:class="form mgmt-form">
                <input type="hidden" name="enterprise_id" value=enterprise_id.to_string()/>
                <label for="add-member-email">"E-mail address"</label>
                <input id="add-member-email" name="email" type="email" required autocomplete="off"/>
                <label for="add-member-role">"Role"</label>
                <select id="add-member-role" name="role">
                    {ROLES
                        .into_iter()
                        .map(|role| view! { <option value=role.as_str() selected={role == Role::Member}>{role.label()}</option> })
                        .collect_view()}
                </select>
                <ActionError action=add/>
                <button type="submit" class="button primary">"Add member"</button>
            </ActionForm>
        </section>
    }
}
