use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use crate::components::badges::Badge;
use crate::components::local_time::LocalTime;
use crate::domain::error::ErrorCode;
use crate::serverfn::incidents::{load_incident, ChangeIncidentStatus};

/// The incident dialog: every field, the timeline, and a status control
/// offering only the moves the shared state machine allows. Rendered open
/// on the server when the URL names an incident; after hydration it becomes
/// a modal (focus moves in, Escape closes, focus returns to the row).
#[component]
pub fn IncidentDialog(
    incident_id: Uuid,
    /// Where closing the dialog goes (the page without `?incident=`).
    close_href: String,
    /// Called after a successful save, so the page can refresh its figures.
    on_saved: Callback<()>,
) -> impl IntoView {
    let change = ServerAction::<ChangeIncidentStatus>::new();
    let detail = Resource::new(
        move || (incident_id, change.version().get()),
        |(id, _)| load_incident(id),
    );
    let dialog_ref = NodeRef::<leptos::html::Dialog>::new();

    Effect::new(move |_| {
        if let Some(Ok(_)) = change.value().get() {
            on_saved.run(());
        }
    });

    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(dialog) = dialog_ref.get() {
            if !dialog.matches(":modal").unwrap_or(false) {
                // Dropping the attribute (not close()) fires no close event.
                let _ = dialog.remove_attribute("open");
                let _ = dialog.show_modal();
            }
        }
    });

    let navigate = use_navigate();
    let close_target = close_href.clone();
    let on_close = move |_| {
        navigate(&close_target, Default::default());
        #[cfg(feature = "hydrate")]
        return_focus(incident_id);
    };

    let feedback = move || {
        change.value().get().map(|result| match result {
            Ok(_) => view! { <p class="form-ok" role="status">"Saved."</p> }.into_any(),
            Err(error) if error.code == ErrorCode::Conflict => view! {
                <p class="form-error" role="alert">
                    "This incident was changed by someone else. The current values are shown below; review them and try again."
                </p>
            }
            .into_any(),
            Err(error) => view! { <p class="form-error" role="alert">{error.message}</p> }.into_any(),
        })
    };

    view! {
        <dialog node_ref=dialog_ref open class="incident-dialog" aria-labelledby="incident-dialog-title" on:close=on_close>
            <Transition fallback=|| view! { <p class="loading">"Loading incident…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Err(error) => view! {
                            <h2 id="incident-dialog-title">"Incident"</h2>
                            <p class="form-error" role="alert">{error.message}</p>
                        }
                        .into_any(),
                        Ok(detail) => {
                            let incident = detail.incident.clone();
                            view! {
                                <header class="dialog-header">
                                    <h2 id="incident-dialog-title">{incident.title.clone()}</h2>
                                    <Badge kind="severity" value=incident.severity.as_str() label=incident.severity.label()/>
                                    <Badge kind="status" value=incident.status.as_str() label=incident.status.label()/>
                                </header>
                                <dl class="fields">
                                    <dt>"Description"</dt><dd>{if incident.description.is_empty() { "—".to_string() } else { incident.description.clone() }}</dd>
                                    <dt>"Detected"</dt><dd><LocalTime at=incident.detected_at/></dd>
                                    <dt>"Reported"</dt><dd><LocalTime at=incident.reported_at/></dd>
                                    <dt>"Investigation started"</dt><dd>{incident.investigation_started_at.map(|at| view! { <LocalTime at/> }.into_any()).unwrap_or_else(|| "—".into_any())}</dd>
                                    <dt>"Contained"</dt><dd>{incident.contained_at.map(|at| view! { <LocalTime at/> }.into_any()).unwrap_or_else(|| "—".into_any())}</dd>
                                    <dt>"Resolved"</dt><dd>{incident.resolved_at.map(|at| view! { <LocalTime at/> }.into_any()).unwrap_or_else(|| "—".into_any())}</dd>
                                    <dt>"Systems affected"</dt><dd>{if incident.systems_affected.is_empty() { "—".to_string() } else { incident.systems_affected.join(", ") }}</dd>
                                    <dt>"Data affected"</dt><dd>{if incident.data_affected {
                                        let categories: Vec<&str> = incident.data_categories.iter().map(|c| c.label()).collect();
                                        format!("Yes — {}", categories.join(", "))
                                    } else { "No".to_string() }}</dd>
                                    <dt>"Users affected"</dt><dd>{incident.users_affected}</dd>
                                    <dt>"Root cause"</dt><dd>{incident.root_cause.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>"Lessons learned"</dt><dd>{incident.lessons_learned.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>"Regulator"</dt><dd>{incident.regulator.clone().unwrap_or_else(|| "—".into())}</dd>
                                </dl>
                                {(!incident.clocks.is_empty()).then(|| view! {
                                    <h3>"Notification clocks"</h3>
                                    <ul class="clocks">
                                        {incident.clocks.iter().map(|clock| {
                                            let state = if clock.done_at.is_some() { ("done", "Done") }
                                                else if clock.missed { ("missed", "MISSED") }
                                                else if clock.due_soon { ("due-soon", "DUE SOON") }
                                                else { ("open", "Open") };
                                            view! {
                                                <li class=format!("clock clock-{}", state.0)>
                                                    <span class="clock-state">{state.1}</span>" "
                                                    {clock.label.clone()}" — due "<LocalTime at=clock.deadline/>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                })}
                                <h3>"Timeline"</h3>
                                <ol class="timeline">
                                    {detail.events.iter().map(|event| {
                                        let from = event.from_status.map(|s| s.label()).unwrap_or("—");
                                        view! {
                                            <li>
                                                <LocalTime at=event.at/>" · "{from}" → "{event.to_status.label()}
                                                {event.note.clone().map(|note| view! { <span class="note">" — "{note}</span> })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ol>
                                {(detail.can_write && !detail.allowed.is_empty()).then(|| view! {
                                    <ActionForm action=change attr:class="form status-form" attr:aria-label="Change status">
                                        <input type="hidden" name="incident_id" value=incident.id.to_string()/>
                                        <input type="hidden" name="version" value=incident.version.to_string()/>
                                        <label for="incident-status">"New status"</label>
                                        <select id="incident-status" name="status">
                                            {detail.allowed.iter().map(|status| view! {
                                                <option value=status.as_str()>{status.label()}</option>
                                            }).collect_view()}
                                        </select>
                                        <label for="incident-note">"Note"</label>
                                        <textarea id="incident-note" name="note" rows="2"></textarea>
                                        <button type="submit" class="button primary">"Save status"</button>
                                    </ActionForm>
                                })}
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
            {feedback}
            <a class="button dialog-close" href=close_href>"Close"</a>
        </dialog>
    }
}

/// Puts focus back on the row that opened the dialog.
#[cfg(feature = "hydrate")]
fn return_focus(incident_id: Uuid) {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let selector = format!("[data-incident=\"{incident_id}\"]");
    if let Ok(Some(element)) = document.query_selector(&selector) {
        if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
            let _ = element.focus();
        }
    }
}
