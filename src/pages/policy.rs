//! `/enterprise/{id}/policy`: the security policy of an enterprise and its
//! compliance summary (SPEC §3.1). Admins edit every setting in one grouped
//! form (or create the policy when there is none); everyone else reads the
//! settings. The form is an `ActionForm` that works without JavaScript; the
//! domain's per-field errors show next to each field.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::components::error_page::{AppErrorPage, ErrorPage};
use crate::components::header::AppHeader;
use crate::domain::error::{AppError, ErrorCode};
use crate::domain::policy::{
    field_label, BackupFrequency, EncryptionAlgorithm, MfaMethod, PolicySettings, TlsVersion,
};
use crate::domain::policy_rules::ComplianceSummary;
use crate::domain::records::Policy;
use crate::serverfn::policy::{load_policy_page, FrameworkChoice, SavePolicy};

#[component]
pub fn PolicyPage() -> impl IntoView {
    let params = use_params_map();
    let enterprise_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    };
    let save = ServerAction::<SavePolicy>::new();
    let data = Resource::new(
        move || (enterprise_id(), save.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_policy_page(id).await.map(Some),
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
                        let frameworks = page.frameworks.clone();
                        let main = match (page.policy.clone(), page.can_administer) {
                            (None, true) => create_form(enterprise_id, &frameworks, save).into_any(),
                            (None, false) => view! {
                                <section class="card">
                                    <p class="empty">"This enterprise has no security policy yet. Its admins can create one."</p>
                                </section>
                            }
                            .into_any(),
                            (Some(policy), true) => settings_form(policy, &frameworks, save).into_any(),
                            (Some(policy), false) => settings_view(&policy, &frameworks).into_any(),
                        };
                        let summary = page
                            .summary
                            .clone()
                            .map(|summary| summary_view(&summary, &frameworks).into_any());
                        view! {
                            <Title text=format!("{name} security policy")/>
                            <AppHeader workspace=page.workspace.clone() current=enterprise_id/>
                            <main class="page mgmt-page policy-page">
                                <h1>{name}" — security policy"</h1>
                                <div class="policy-columns">
                                    {main}
                                    {summary}
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

/// The last error of the save action, if any.
fn save_error(save: ServerAction<SavePolicy>) -> Option<AppError> {
    save.value().with(|value| {
        value
            .as_ref()
            .and_then(|result| result.as_ref().err().cloned())
    })
}

/// The overall outcome of the last save, announced above the form.
fn save_status(save: ServerAction<SavePolicy>) -> impl IntoView {
    move || {
        save.value().with(|value| match value {
            Some(Ok(_)) => Some(
                view! { <p class="policy-saved" role="status">"The security policy was saved."</p> }
                    .into_any(),
            ),
            Some(Err(error)) => {
                let text = match error.code {
                    ErrorCode::Invalid if !error.fields.is_empty() => {
                        "Some settings are invalid: see the messages next to them. Nothing was saved."
                            .to_string()
                    }
                    _ => error.message.clone(),
                };
                Some(view! { <p class="form-error" role="alert" id="policy-form-error">{text}</p> }.into_any())
            }
            None => None,
        })
    }
}

/// The inline error of one field, announced.
fn field_error(save: ServerAction<SavePolicy>, field: &'static str) -> impl IntoView {
    move || {
        save_error(save)
            .and_then(|error| error.fields.get(field).cloned())
            .map(|message| {
                view! { <p class="form-error policy-field-error" role="alert" id=format!("error-{field}")>{message}</p> }
            })
    }
}

fn frameworks_fieldset(
    frameworks: &[FrameworkChoice],
    committed: &[String],
    save: ServerAction<SavePolicy>,
) -> impl IntoView {
    let boxes = frameworks
        .iter()
        .map(|framework| {
            let id = format!("policy-framework-{}", framework.slug);
            let checked = committed.contains(&framework.slug);
            view! {
                <div class="mgmt-check-row">
                    <input id=id.clone() type="checkbox" name=format!("form[framework_{}]", framework.slug) value="on" checked=checked/>
                    <label for=id>{framework.name.clone()}" ("{framework.slug.clone()}")"</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="policy-group">
            <legend>"Framework commitments"</legend>
            {boxes}
            {field_error(save, "frameworks")}
        </fieldset>
    }
}

fn create_form(
    enterprise_id: Uuid,
    frameworks: &[FrameworkChoice],
    save: ServerAction<SavePolicy>,
) -> impl IntoView {
    let fieldset = frameworks_fieldset(frameworks, &[], save);
    view! {
        <section class="card policy-form-card" aria-labelledby="create-policy-heading">
            <h2 id="create-policy-heading">"Create the security policy"</h2>
            <p class="muted">"The policy starts from secure defaults; change any setting afterwards."</p>
            <ActionForm action=save attr:class="form policy-form" attr:novalidate=true>
                <input type="hidden" name="form[enterprise_id]" value=enterprise_id.to_string()/>
                {fieldset}
                {save_status(save)}
                <button type="submit" class="button primary">"Create the security policy"</button>
            </ActionForm>
        </section>
    }
}

/// One labelled control for one setting, showing its stored value.
fn setting_control(
    settings: &PolicySettings,
    field: &'static str,
    save: ServerAction<SavePolicy>,
) -> impl IntoView {
    let label = field_label(field).unwrap_or(field);
    let id = format!("policy-{field}");
    let name = format!("form[{field}]");
    let described = format!("error-{field}");
    let error = field_error(save, field);
    let value = settings.value(field);
    let (min, max) = range(field);
    match field {
        "mfa_methods" => {
            let boxes = MfaMethod::ALL
                .into_iter()
                .map(|method| {
                    let id = format!("policy-mfa-{}", method.as_str());
                    view! {
                        <div class="mgmt-check-row">
                            <input id=id.clone() type="checkbox" name=format!("form[mfa_methods_{}]", method.as_str())
                                value="on" checked=settings.mfa_methods.contains(&method)/>
                            <label for=id>{method.label()}</label>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="policy-field policy-subgroup" aria-describedby=described>
                    <legend>{label}</legend>
                    {boxes}
                    {error}
                </fieldset>
            }
            .into_any()
        }
        "ip_allowlist" => {
            let text: Vec<String> = settings.ip_allowlist.iter().map(|c| c.to_string()).collect();
            view! {
                <div class="policy-field">
                    <label for=id.clone()>{label}" — one network per line"</label>
                    <textarea id=id name=name rows="4" aria-describedby=described
                        placeholder="10.0.0.0/8">{text.join("\n")}</textarea>
                    {error}
                </div>
            }
            .into_any()
        }
        "encryption_algorithm" => select_control(
            id,
            name,
            label,
            described,
            EncryptionAlgorithm::ALL
                .into_iter()
                .map(|v| (v.as_str(), v.label(), v == settings.encryption_algorithm))
                .collect(),
            error,
        )
        .into_any(),
        "tls_min_version" => select_control(
            id,
            name,
            label,
            described,
            TlsVersion::ALL
                .into_iter()
                .map(|v| (v.as_str(), v.label(), v == settings.tls_min_version))
                .collect(),
            error,
        )
        .into_any(),
        "backup_frequency" => select_control(
            id,
            name,
            label,
            described,
            BackupFrequency::ALL
                .into_iter()
                .map(|v| (v.as_str(), v.label(), v == settings.backup_frequency))
                .collect(),
            error,
        )
        .into_any(),
        _ => match value {
            Some(serde_json::Value::Bool(on)) => view! {
                <div class="policy-field mgmt-check-row">
                    <input id=id.clone() type="checkbox" name=name value="on" checked=on aria-describedby=described/>
                    <label for=id>{label}</label>
                    {error}
                </div>
            }
            .into_any(),
            other => {
                let text = other.map(|v| v.to_string()).unwrap_or_default();
                view! {
                    <div class="policy-field">
                        <label for=id.clone()>{label}</label>
                        <input id=id type="number" name=name value=text min=min max=max step="1"
                            inputmode="numeric" required aria-describedby=described/>
                        {error}
                    </div>
                }
                .into_any()
            }
        },
    }
}

fn select_control(
    id: String,
    name: String,
    label: &'static str,
    described: String,
    options: Vec<(&'static str, &'static str, bool)>,
    error: impl IntoView + 'static,
) -> impl IntoView {
    view! {
        <div class="policy-field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name aria-describedby=described>
                {options
                    .into_iter()
                    .map(|(value, text, selected)| view! { <option value=value selected=selected>{text}</option> })
                    .collect_view()}
            </select>
            {error}
        </div>
    }
}

/// The documented range of a numeric setting (as the domain checks it).
fn range(field: &str) -> (Option<u32>, Option<u32>) {
    let (min, max) = match field {
        "password_min_length" => (6, 128),
        "password_max_age_days" => (0, 365),
        "password_history" => (0, 24),
        "lockout_threshold" => (1, 20),
        "lockout_duration_minutes" => (1, 1440),
        "session_timeout_minutes" => (5, 1440),
        "session_absolute_hours" => (1, 720),
        "concurrent_sessions_max" => (1, 100),
        "key_rotation_days" | "log_retention_days" | "backup_retention_days" => (1, 3650),
        "least_privilege_reviews_days" => (1, 730),
        "rto_hours" | "rpo_hours" => (1, 8760),
        "vuln_scan_frequency_days" | "patch_critical_within_days" => (1, 365),
        "pentest_frequency_months" => (1, 60),
        _ => return (None, None),
    };
    (Some(min), Some(max))
}

fn settings_form(
    policy: Policy,
    frameworks: &[FrameworkChoice],
    save: ServerAction<SavePolicy>,
) -> impl IntoView {
    let groups = PolicySettings::groups()
        .iter()
        .map(|(heading, fields)| {
            let controls = fields
                .iter()
                .map(|field| setting_control(&policy.settings, field, save))
                .collect_view();
            view! {
                <fieldset class="policy-group">
                    <legend>{*heading}</legend>
                    {controls}
                </fieldset>
            }
        })
        .collect_view();
    let fieldset = frameworks_fieldset(frameworks, &policy.frameworks, save);
    view! {
        <section class="card policy-form-card" aria-labelledby="policy-settings-heading">
            <h2 id="policy-settings-heading">"Settings"</h2>
            <p class="muted">{format!("Version {}", policy.version)}</p>
            <ActionForm action=save attr:class="form policy-form" attr:novalidate=true>
                <input type="hidden" name="form[enterprise_id]" value=policy.enterprise_id.to_string()/>
                <input type="hidden" name="form[policy_id]" value=policy.id.to_string()/>
                <input type="hidden" name="form[version]" value=policy.version.to_string()/>
                {save_status(save)}
                {groups}
                {fieldset}
                <button type="submit" class="button primary">"Save the policy"</button>
            </ActionForm>
        </section>
    }
}

/// The settings as text, for members and viewers.
fn settings_view(policy: &Policy, frameworks: &[FrameworkChoice]) -> impl IntoView {
    let groups = PolicySettings::groups()
        .iter()
        .map(|(heading, fields)| {
            let rows = fields
                .iter()
                .map(|field| {
                    view! {
                        <dt>{field_label(field).unwrap_or(field)}</dt>
                        <dd>{policy.settings.display_value(field).unwrap_or_default()}</dd>
                    }
                })
                .collect_view();
            view! {
                <h3>{*heading}</h3>
                <dl class="policy-settings-list">{rows}</dl>
            }
        })
        .collect_view();
    let committed = policy
        .frameworks
        .iter()
        .map(|slug| view! { <li>{framework_name(frameworks, slug)}</li> })
        .collect_view();
    view! {
        <section class="card policy-form-card" aria-labelledby="policy-settings-heading">
            <h2 id="policy-settings-heading">"Settings"</h2>
            <p class="muted">"Only the enterprise's admins can change the policy."</p>
            {groups}
            <h3>"Framework commitments"</h3>
            <ul>{committed}</ul>
        </section>
    }
}

fn framework_name(frameworks: &[FrameworkChoice], slug: &str) -> String {
    frameworks
        .iter()
        .find(|framework| framework.slug == slug)
        .map(|framework| framework.name.clone())
        .unwrap_or_else(|| slug.to_string())
}

fn percent(ratio: f64) -> String {
    format!("{:.0}\u{a0}%", ratio * 100.0)
}

fn summary_view(summary: &ComplianceSummary, frameworks: &[FrameworkChoice]) -> impl IntoView {
    let sections = summary
        .frameworks
        .iter()
        .map(|outcome| {
            let name = framework_name(frameworks, &outcome.slug);
            let rules = summary
                .rules
                .iter()
                .filter(|rule| rule.framework_slug == outcome.slug)
                .map(|rule| {
                    let (class, text) = if rule.passed {
                        ("policy-pass", "PASS")
                    } else {
                        ("policy-fail", "FAIL")
                    };
                    let setting = field_label(&rule.setting)
                        .map(str::to_string)
                        .unwrap_or_else(|| rule.setting.clone());
                    view! {
                        <tr class=class>
                            <td><span class=format!("mgmt-badge {class}")>{text}</span></td>
                            <th scope="row">{rule.description.clone()}</th>
                            <td>{setting}</td>
                            <td>{rule.expected.clone()}</td>
                            <td>{rule.actual.clone()}</td>
                        </tr>
                    }
                })
                .collect_view();
            let heading_id = format!("summary-{}", outcome.slug);
            let labelled_by = heading_id.clone();
            view! {
                <section class="policy-summary-framework" aria-labelledby=labelled_by>
                    <h3 id=heading_id>
                        {name}" — "{format!("{} of {} rules pass ({})", outcome.passed, outcome.total, percent(outcome.ratio))}
                    </h3>
                    {if outcome.total == 0 {
                        view! { <p class="muted">"No baseline rules for this framework."</p> }.into_any()
                    } else {
                        view! {
                            <div class="mgmt-table-wrap policy-table-wrap" role="region" tabindex="0"
                                aria-label=format!("{} rules, scrolls sideways", outcome.slug)>
                                <table class="mgmt-table policy-rules">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Result"</th>
                                            <th scope="col">"Rule"</th>
                                            <th scope="col">"Setting"</th>
                                            <th scope="col">"Expected"</th>
                                            <th scope="col">"Current"</th>
                                        </tr>
                                    </thead>
                                    <tbody>{rules}</tbody>
                                </table>
                            </div>
                        }
                        .into_any()
                    }}
                </section>
            }
        })
        .collect_view();
    view! {
        <section class="card policy-summary" aria-labelledby="policy-summary-heading">
            <h2 id="policy-summary-heading">"Compliance summary"</h2>
            <p class="policy-overall">
                {format!(
                    "Overall: {} of {} rules pass ({})",
                    summary.passed,
                    summary.total,
                    percent(summary.overall_ratio)
                )}
            </p>
            {sections}
        </section>
    }
}
