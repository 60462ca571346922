//! Server functions of the policy page (`/enterprise/{id}/policy`). Each
//! resolves the caller and calls `domain::server::policies`: the domain
//! checks access, validates every setting and writes the audit trail.
//!
//! The whole settings form (and the "create the policy" form) posts through
//! one server function, [`save_policy`], whose single argument is the form
//! as a map (`form[password_min_length]=12`, …), so that it works as a plain
//! `ActionForm` without JavaScript.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::enterprise::EnterpriseSummary;
use crate::domain::error::AppError;
use crate::domain::policy_rules::ComplianceSummary;
use crate::domain::records::Policy;
use crate::serverfn::security::Workspace;

/// A framework the enterprise may commit to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkChoice {
    pub slug: String,
    pub name: String,
}

/// Everything the policy page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyData {
    pub workspace: Workspace,
    pub enterprise: EnterpriseSummary,
    /// Whether to offer the forms; the domain refuses others' writes anyway.
    pub can_administer: bool,
    pub policy: Option<Policy>,
    pub summary: Option<ComplianceSummary>,
    pub frameworks: Vec<FrameworkChoice>,
}

/// The page chrome, the enterprise's policy (if any), its compliance
/// summary and the frameworks it may commit to.
#[server(prefix = "/sfn", endpoint = "load_policy_page")]
pub async fn load_policy_page(enterprise_id: Uuid) -> Result<PolicyData, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::enterprise::Role;
    use crate::domain::server::{access, frameworks, policies};

    let chrome = super::security::load_security_page(enterprise_id).await?;
    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let pool = &state().pool;
    let can_administer = access::role_in(pool, &actor, enterprise_id)
        .await
        .map_err(fail)?
        == Some(Role::Admin);
    let (policy, summary) = match policies::of_enterprise(pool, enterprise_id)
        .await
        .map_err(fail)?
    {
        None => (None, None),
        Some(id) => {
            let policy = policies::get(pool, &actor, id).await.map_err(fail)?;
            let summary = policies::summary(pool, &actor, id).await.map_err(fail)?;
            (Some(policy), Some(summary))
        }
    };
    let frameworks = frameworks::list(pool, None)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|framework| FrameworkChoice {
            slug: framework.slug,
            name: framework.name,
        })
        .collect();
    Ok(PolicyData {
        workspace: chrome.workspace,
        enterprise: chrome.enterprise,
        can_administer,
        policy,
        summary,
        frameworks,
    })
}

/// Creates the policy (no `policy_id` in the form) or updates it (with
/// `policy_id` and the `version` shown). Checkboxes that are absent are
/// false; `framework_<slug>` checkboxes are the commitments.
#[server(prefix = "/sfn", endpoint = "save_policy")]
pub async fn save_policy(form: HashMap<String, String>) -> Result<Uuid, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::policies;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let pool = &state().pool;
    let text = |key: &str| form.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
    let uuid = |key: &str| text(key).and_then(|v| Uuid::parse_str(v).ok());
    let enterprise_id = uuid("enterprise_id")
        .ok_or_else(|| fail(AppError::field("enterprise_id", "This field is required.")))?;
    let frameworks = framework_slugs(&form);
    let saved = match uuid("policy_id") {
        None => {
            let mut input = serde_json::Map::new();
            input.insert("enterprise_id".into(), enterprise_id.to_string().into());
            input.insert("frameworks".into(), frameworks.into());
            policies::create(pool, &actor, input).await.map_err(fail)?
        }
        Some(id) => {
            let version = text("version").and_then(|v| v.parse::<i32>().ok());
            let mut input = settings_input(&form);
            input.insert("frameworks".into(), frameworks.into());
            policies::update(pool, &actor, id, version, input)
                .await
                .map_err(fail)?
        }
    };
    Ok(saved.id)
}

/// The committed frameworks of a submitted form, in a stable order.
pub fn framework_slugs(form: &HashMap<String, String>) -> Vec<String> {
    let mut slugs: Vec<String> = form
        .iter()
        .filter(|(_, value)| checkbox(Some(value)))
        .filter_map(|(key, _)| key.strip_prefix("framework_").map(str::to_string))
        .collect();
    slugs.sort();
    slugs
}

/// The JSON changes for `policies::update` from the submitted settings form:
/// every setting of [`PolicySettings::groups`], typed after its default
/// (absent checkboxes are false, numbers that do not parse are passed on as
/// text for the domain to reject with its own message).
///
/// [`PolicySettings::groups`]: crate::domain::policy::PolicySettings::groups
pub fn settings_input(
    form: &HashMap<String, String>,
) -> serde_json::Map<String, serde_json::Value> {
    use crate::domain::policy::{MfaMethod, PolicySettings};
    use serde_json::Value;

    let defaults = PolicySettings::default();
    let mut input = serde_json::Map::new();
    for (_, fields) in PolicySettings::groups() {
        for field in fields.iter().copied() {
            let raw = form.get(field).map(|v| v.trim().to_string());
            let value = match field {
                "mfa_methods" => Value::Array(
                    MfaMethod::ALL
                        .into_iter()
                        .filter(|m| {
                            checkbox(
                                form.get(&format!("mfa_methods_{}", m.as_str()))
                                    .map(String::as_str),
                            )
                        })
                        .map(|m| Value::String(m.as_str().to_string()))
                        .collect(),
                ),
                "ip_allowlist" => Value::Array(
                    raw.unwrap_or_default()
                        .lines()
                        .map(str::trim)
                        .filter(|line| !line.is_empty())
                        .map(|line| Value::String(line.to_string()))
                        .collect(),
                ),
                _ => match defaults.value(field) {
                    Some(Value::Bool(_)) => Value::Bool(checkbox(raw.as_deref())),
                    Some(Value::Number(_)) => {
                        let raw = raw.unwrap_or_default();
                        match raw.parse::<u64>() {
                            Ok(n) => Value::from(n),
                            Err(_) => Value::String(raw),
                        }
                    }
                    _ => Value::String(raw.unwrap_or_default()),
                },
            };
            input.insert(field.to_string(), value);
        }
    }
    input
}

/// A checkbox or boolean form field: present with "on" / "true" is true.
pub fn checkbox(value: Option<&str>) -> bool {
    crate::serverfn::checklists::checkbox(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_form_becomes_typed_changes() {
        let mut form = HashMap::new();
        form.insert("password_min_length".to_string(), " 16 ".to_string());
        form.insert("mfa_required".to_string(), "on".to_string());
        form.insert("mfa_methods_totp".to_string(), "on".to_string());
        form.insert(
            "ip_allowlist".to_string(),
            "10.0.0.0/8\r\n\r\n 192.168.0.0/16 ".to_string(),
        );
        form.insert(
            "encryption_algorithm".to_string(),
            "aes-256-gcm".to_string(),
        );
        form.insert("rto_hours".to_string(), "abc".to_string());
        form.insert("framework_gdpr".to_string(), "on".to_string());
        form.insert("framework_hipaa".to_string(), "on".to_string());
        let input = settings_input(&form);
        assert_eq!(input["password_min_length"], json!(16));
        assert_eq!(input["mfa_required"], json!(true));
        assert_eq!(input["siem_integration"], json!(false));
        assert_eq!(input["mfa_methods"], json!(["totp"]));
        assert_eq!(
            input["ip_allowlist"],
            json!(["10.0.0.0/8", "192.168.0.0/16"])
        );
        assert_eq!(input["rto_hours"], json!("abc"));
        assert_eq!(input["encryption_algorithm"], json!("aes-256-gcm"));
        assert_eq!(framework_slugs(&form), vec!["gdpr", "hipaa"]);
    }
}
