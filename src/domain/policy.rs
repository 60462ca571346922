//! The security policy of an enterprise (SPEC §3.1): one typed, validated set
//! of settings. Changes arrive as a partial JSON object (a form or a PATCH
//! body) and go through [`PolicySettings::apply`], which checks every field by
//! its own rule and reports every bad field at once.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::common::text_enum;
use crate::domain::error::{AppError, FieldErrors};

text_enum! {
    /// A second factor a user may enrol.
    pub enum MfaMethod, "MFA method" {
        Totp => "totp", "Authenticator app (TOTP)";
        Webauthn => "webauthn", "Security key or passkey (WebAuthn)";
        Sms => "sms", "Text message (SMS)";
    }
}

text_enum! {
    /// The cipher for data at rest.
    pub enum EncryptionAlgorithm, "Encryption algorithm" {
        Aes256Gcm => "aes-256-gcm", "AES-256-GCM";
        Aes128Gcm => "aes-128-gcm", "AES-128-GCM";
        Chacha20Poly1305 => "chacha20-poly1305", "ChaCha20-Poly1305";
    }
}

text_enum! {
    /// The oldest TLS version a service accepts. Declared oldest first, so the
    /// derived order means "at least".
    #[derive(PartialOrd, Ord)]
    pub enum TlsVersion, "TLS version" {
        Tls12 => "1.2", "TLS 1.2";
        Tls13 => "1.3", "TLS 1.3";
    }
}

text_enum! {
    /// How often backups run.
    pub enum BackupFrequency, "Backup frequency" {
        Hourly => "hourly", "Hourly";
        Daily => "daily", "Daily";
        Weekly => "weekly", "Weekly";
    }
}

impl BackupFrequency {
    /// The longest gap between two backups, for "at least daily" rules.
    pub fn interval_hours(self) -> u32 {
        match self {
            BackupFrequency::Hourly => 1,
            BackupFrequency::Daily => 24,
            BackupFrequency::Weekly => 168,
        }
    }
}

/// An IPv4 or IPv6 network in CIDR notation ("10.0.0.0/8", "2001:db8::/32").
///
/// Host bits are accepted and cleared: "10.1.2.3/8" is stored as "10.0.0.0/8",
/// because an allowlist entry means the whole network either way and one
/// canonical spelling keeps duplicates detectable. A bare address is a single
/// host ("192.0.2.7" → "192.0.2.7/32", "2001:db8::1" → "2001:db8::1/128").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        let raw = raw.trim();
        Cidr::from_text(raw).ok_or_else(|| AppError::field(field, not_a_cidr(raw)))
    }

    fn from_text(raw: &str) -> Option<Cidr> {
        let (address, prefix) = match raw.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (raw, None),
        };
        let address = IpAddr::from_str(address).ok()?;
        let max = match address {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix = match prefix {
            None => max,
            // Digits only: u8::from_str would also take "+8".
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().ok().filter(|p| *p <= max)?
            }
            Some(_) => return None,
        };
        Some(Cidr {
            network: mask(address, prefix),
            prefix,
        })
    }

    pub fn network(&self) -> IpAddr {
        self.network
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `address` is inside this network. An IPv4 address is never
    /// inside an IPv6 network and vice versa (no mapped-address magic).
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address) {
            (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
                mask(address, self.prefix) == self.network
            }
            _ => false,
        }
    }
}

fn mask(address: IpAddr, prefix: u8) -> IpAddr {
    match address {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((bits & mask).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((bits & mask).into())
        }
    }
}

fn not_a_cidr(raw: &str) -> String {
    format!("\"{raw}\" is not a network in CIDR notation, such as 10.0.0.0/8 or 2001:db8::/32.")
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl TryFrom<String> for Cidr {
    type Error = AppError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Cidr::parse("ip_allowlist", &value)
    }
}

impl From<Cidr> for String {
    fn from(value: Cidr) -> Self {
        value.to_string()
    }
}

/// More entries than any real allowlist has; bounds the work and the row.
pub const IP_ALLOWLIST_MAX: usize = 500;

/// Every setting of SPEC §3.1. Deserialising does not check ranges (it reads
/// what was stored, and a missing field takes its default so older rows keep
/// loading); input from people goes through [`PolicySettings::apply`], and
/// [`PolicySettings::validate`] checks a whole value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct PolicySettings {
    // Authentication
    pub mfa_required: bool,
    pub mfa_methods: Vec<MfaMethod>,
    pub password_min_length: u16,
    pub password_require_upper: bool,
    pub password_require_lower: bool,
    pub password_require_digit: bool,
    pub password_require_symbol: bool,
    /// 0 means passwords never expire.
    pub password_max_age_days: u16,
    pub password_history: u8,
    pub lockout_threshold: u8,
    pub lockout_duration_minutes: u16,
    // Sessions
    pub session_timeout_minutes: u16,
    pub session_absolute_hours: u16,
    pub concurrent_sessions_max: u16,
    // Encryption
    pub encryption_at_rest: bool,
    pub encryption_algorithm: EncryptionAlgorithm,
    pub tls_min_version: TlsVersion,
    pub key_rotation_days: u16,
    // Logging and incident response
    pub audit_logging_enabled: bool,
    pub log_retention_days: u32,
    pub siem_integration: bool,
    pub breach_notification_process: bool,
    // Access
    pub least_privilege_reviews_days: u16,
    pub privileged_access_mfa: bool,
    pub ip_allowlist: Vec<Cidr>,
    // Backup
    pub backup_frequency: BackupFrequency,
    pub backup_retention_days: u16,
    pub backup_encrypted: bool,
    pub rto_hours: u16,
    pub rpo_hours: u16,
    // Vulnerability management
    pub vuln_scan_frequency_days: u16,
    pub patch_critical_within_days: u16,
    pub pentest_frequency_months: u16,
}

/// A new enterprise starts secure: every framework rule that a sensible
/// default can satisfy passes, and the few that cannot (a 15-minute idle
/// timeout for PCI DSS, a SIEM for NIST CSF) are left for a deliberate choice.
impl Default for PolicySettings {
    fn default() -> Self {
        PolicySettings {
            mfa_required: true,
            mfa_methods: vec![MfaMethod::Totp, MfaMethod::Webauthn],
            password_min_length: 12,
            password_require_upper: true,
            password_require_lower: true,
            password_require_digit: true,
            password_require_symbol: true,
            password_max_age_days: 90,
            password_history: 5,
            lockout_threshold: 5,
            lockout_duration_minutes: 15,
            session_timeout_minutes: 30,
            session_absolute_hours: 12,
            concurrent_sessions_max: 3,
            encryption_at_rest: true,
            encryption_algorithm: EncryptionAlgorithm::Aes256Gcm,
            tls_min_version: TlsVersion::Tls12,
            key_rotation_days: 365,
            audit_logging_enabled: true,
            log_retention_days: 365,
            siem_integration: false,
            breach_notification_process: true,
            least_privilege_reviews_days: 90,
            privileged_access_mfa: true,
            ip_allowlist: Vec::new(),
            backup_frequency: BackupFrequency::Daily,
            backup_retention_days: 30,
            backup_encrypted: true,
            rto_hours: 24,
            rpo_hours: 4,
            vuln_scan_frequency_days: 7,
            patch_critical_within_days: 14,
            pentest_frequency_months: 12,
        }
    }
}

/// Every setting name, in form order (the order of [`PolicySettings::groups`]).
pub const FIELDS: &[&str] = &[
    "mfa_required",
    "mfa_methods",
    "password_min_length",
    "password_require_upper",
    "password_require_lower",
    "password_require_digit",
    "password_require_symbol",
    "password_max_age_days",
    "password_history",
    "lockout_threshold",
    "lockout_duration_minutes",
    "session_timeout_minutes",
    "session_absolute_hours",
    "concurrent_sessions_max",
    "encryption_at_rest",
    "encryption_algorithm",
    "tls_min_version",
    "key_rotation_days",
    "audit_logging_enabled",
    "log_retention_days",
    "siem_integration",
    "breach_notification_process",
    "least_privilege_reviews_days",
    "privileged_access_mfa",
    "ip_allowlist",
    "backup_frequency",
    "backup_retention_days",
    "backup_encrypted",
    "rto_hours",
    "rpo_hours",
    "vuln_scan_frequency_days",
    "patch_critical_within_days",
    "pentest_frequency_months",
];

static GROUPS: [(&str, &[&str]); 7] = [
    (
        "Authentication",
        &[
            "mfa_required",
            "mfa_methods",
            "password_min_length",
            "password_require_upper",
            "password_require_lower",
            "password_require_digit",
            "password_require_symbol",
            "password_max_age_days",
            "password_history",
            "lockout_threshold",
            "lockout_duration_minutes",
        ],
    ),
    (
        "Sessions",
        &[
            "session_timeout_minutes",
            "session_absolute_hours",
            "concurrent_sessions_max",
        ],
    ),
    (
        "Encryption",
        &[
            "encryption_at_rest",
            "encryption_algorithm",
            "tls_min_version",
            "key_rotation_days",
        ],
    ),
    // The breach notification process sits with logging: both are about
    // noticing an incident and telling the people who must know.
    (
        "Logging and incident response",
        &[
            "audit_logging_enabled",
            "log_retention_days",
            "siem_integration",
            "breach_notification_process",
        ],
    ),
    (
        "Access",
        &[
            "least_privilege_reviews_days",
            "privileged_access_mfa",
            "ip_allowlist",
        ],
    ),
    (
        "Backup and recovery",
        &[
            "backup_frequency",
            "backup_retention_days",
            "backup_encrypted",
            "rto_hours",
            "rpo_hours",
        ],
    ),
    (
        "Vulnerability management",
        &[
            "vuln_scan_frequency_days",
            "patch_critical_within_days",
            "pentest_frequency_months",
        ],
    ),
];

/// The human label of a setting, for forms and the compliance summary.
pub fn field_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "mfa_required" => "Require multi-factor authentication",
        "mfa_methods" => "Allowed MFA methods",
        "password_min_length" => "Minimum password length",
        "password_require_upper" => "Require an upper-case letter",
        "password_require_lower" => "Require a lower-case letter",
        "password_require_digit" => "Require a digit",
        "password_require_symbol" => "Require a symbol",
        "password_max_age_days" => "Password maximum age (days, 0 = never)",
        "password_history" => "Previous passwords that cannot be reused",
        "lockout_threshold" => "Failed attempts before lockout",
        "lockout_duration_minutes" => "Lockout duration (minutes)",
        "session_timeout_minutes" => "Idle session timeout (minutes)",
        "session_absolute_hours" => "Maximum session length (hours)",
        "concurrent_sessions_max" => "Concurrent sessions per user",
        "encryption_at_rest" => "Encrypt data at rest",
        "encryption_algorithm" => "Encryption algorithm",
        "tls_min_version" => "Minimum TLS version",
        "key_rotation_days" => "Key rotation interval (days)",
        "audit_logging_enabled" => "Audit logging",
        "log_retention_days" => "Log retention (days)",
        "siem_integration" => "Logs sent to a SIEM",
        "breach_notification_process" => "Breach notification process in place",
        "least_privilege_reviews_days" => "Access review interval (days)",
        "privileged_access_mfa" => "Require MFA for privileged access",
        "ip_allowlist" => "IP allowlist (CIDR)",
        "backup_frequency" => "Backup frequency",
        "backup_retention_days" => "Backup retention (days)",
        "backup_encrypted" => "Encrypt backups",
        "rto_hours" => "Recovery time objective (hours)",
        "rpo_hours" => "Recovery point objective (hours)",
        "vuln_scan_frequency_days" => "Vulnerability scan interval (days)",
        "patch_critical_within_days" => "Patch critical vulnerabilities within (days)",
        "pentest_frequency_months" => "Penetration test interval (months)",
        _ => return None,
    })
}

type Check = Result<(), String>;

fn boolean(value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| "Must be true or false.".to_string())
}

/// A JSON integer within `min..=max`. Strings and fractions are refused: the
/// form and the API both send numbers, so "12" is a bug worth reporting.
fn whole<T: TryFrom<u64>>(value: &Value, min: u64, max: u64) -> Result<T, String> {
    value
        .as_u64()
        .filter(|n| (min..=max).contains(n))
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| format!("Must be a whole number between {min} and {max}."))
}

fn choice<T>(
    value: &Value,
    field: &str,
    parse: fn(&str, &str) -> Result<T, AppError>,
) -> Result<T, String> {
    // No wire value is empty, so a non-string gets the same "must be one of"
    // message as a wrong string.
    let raw = value.as_str().unwrap_or_default();
    parse(field, raw).map_err(|error| error.message)
}

fn mfa_methods(value: &Value) -> Result<Vec<MfaMethod>, String> {
    let items = value
        .as_array()
        .ok_or_else(|| "Must be a list of MFA methods.".to_string())?;
    let mut methods = Vec::new();
    for item in items {
        let method = choice(item, "mfa_methods", MfaMethod::parse)?;
        // A repeated method means nothing more; keep the first.
        if !methods.contains(&method) {
            methods.push(method);
        }
    }
    Ok(methods)
}

fn ip_allowlist(value: &Value) -> Result<Vec<Cidr>, String> {
    let items = value
        .as_array()
        .ok_or_else(|| "Must be a list of networks in CIDR notation.".to_string())?;
    if items.len() > IP_ALLOWLIST_MAX {
        return Err(format!("Use at most {IP_ALLOWLIST_MAX} entries."));
    }
    let mut networks = Vec::new();
    let mut bad = Vec::new();
    for item in items {
        match item.as_str().and_then(|raw| Cidr::from_text(raw.trim())) {
            Some(cidr) if networks.contains(&cidr) => {}
            Some(cidr) => networks.push(cidr),
            None => bad.push(match item.as_str() {
                Some(raw) => raw.trim().to_string(),
                None => item.to_string(),
            }),
        }
    }
    match bad.as_slice() {
        [] => Ok(networks),
        [one] => Err(not_a_cidr(one)),
        many => {
            let quoted: Vec<String> = many.iter().map(|raw| format!("\"{raw}\"")).collect();
            Err(format!(
                "These entries are not networks in CIDR notation (such as 10.0.0.0/8 or 2001:db8::/32): {}.",
                quoted.join(", ")
            ))
        }
    }
}

fn render_days(days: impl fmt::Display) -> String {
    format!("{days} days")
}

fn on_off(value: bool) -> String {
    if value { "on" } else { "off" }.to_string()
}

impl PolicySettings {
    /// The form's sections: a heading and the settings under it, in order.
    pub fn groups() -> &'static [(&'static str, &'static [&'static str])] {
        &GROUPS
    }

    /// A copy with `changes` applied. Every field is checked by its own rule
    /// and every bad field is reported, keyed by its name, in one
    /// `AppError::invalid`; nothing is applied unless everything is valid.
    /// After the fields, one cross-field rule: when MFA is required (for
    /// everyone or for privileged access) at least one method must be allowed.
    pub fn apply(&self, changes: &Map<String, Value>) -> Result<PolicySettings, AppError> {
        let mut next = self.clone();
        let mut errors = FieldErrors::new();
        for (field, value) in changes {
            let n = &mut next;
            let outcome: Check = match field.as_str() {
                "mfa_required" => boolean(value).map(|v| n.mfa_required = v),
                "mfa_methods" => mfa_methods(value).map(|v| n.mfa_methods = v),
                "password_min_length" => whole(value, 6, 128).map(|v| n.password_min_length = v),
                "password_require_upper" => boolean(value).map(|v| n.password_require_upper = v),
                "password_require_lower" => boolean(value).map(|v| n.password_require_lower = v),
                "password_require_digit" => boolean(value).map(|v| n.password_require_digit = v),
                "password_require_symbol" => boolean(value).map(|v| n.password_require_symbol = v),
                "password_max_age_days" => whole(value, 0, 365)
                    .map(|v| n.password_max_age_days = v)
                    .map_err(|_| {
                        "Must be a whole number between 0 and 365 (0 means never).".to_string()
                    }),
                "password_history" => whole(value, 0, 24).map(|v| n.password_history = v),
                "lockout_threshold" => whole(value, 1, 20).map(|v| n.lockout_threshold = v),
                "lockout_duration_minutes" => {
                    whole(value, 1, 1440).map(|v| n.lockout_duration_minutes = v)
                }
                "session_timeout_minutes" => {
                    whole(value, 5, 1440).map(|v| n.session_timeout_minutes = v)
                }
                "session_absolute_hours" => {
                    whole(value, 1, 720).map(|v| n.session_absolute_hours = v)
                }
                "concurrent_sessions_max" => {
                    whole(value, 1, 100).map(|v| n.concurrent_sessions_max = v)
                }
                "encryption_at_rest" => boolean(value).map(|v| n.encryption_at_rest = v),
                "encryption_algorithm" => choice(value, field, EncryptionAlgorithm::parse)
                    .map(|v| n.encryption_algorithm = v),
                "tls_min_version" => {
                    choice(value, field, TlsVersion::parse).map(|v| n.tls_min_version = v)
                }
                "key_rotation_days" => whole(value, 1, 3650).map(|v| n.key_rotation_days = v),
                "audit_logging_enabled" => boolean(value).map(|v| n.audit_logging_enabled = v),
                "log_retention_days" => whole(value, 1, 3650).map(|v| n.log_retention_days = v),
                "siem_integration" => boolean(value).map(|v| n.siem_integration = v),
                "breach_notification_process" => {
                    boolean(value).map(|v| n.breach_notification_process = v)
                }
                "least_privilege_reviews_days" => {
                    whole(value, 1, 730).map(|v| n.least_privilege_reviews_days = v)
                }
                "privileged_access_mfa" => boolean(value).map(|v| n.privileged_access_mfa = v),
                "ip_allowlist" => ip_allowlist(value).map(|v| n.ip_allowlist = v),
                "backup_frequency" => {
                    choice(value, field, BackupFrequency::parse).map(|v| n.backup_frequency = v)
                }
                "backup_retention_days" => {
                    whole(value, 1, 3650).map(|v| n.backup_retention_days = v)
                }
                "backup_encrypted" => boolean(value).map(|v| n.backup_encrypted = v),
                // RPO may exceed RTO (SPEC §3.1): they measure different things.
                "rto_hours" => whole(value, 1, 8760).map(|v| n.rto_hours = v),
                "rpo_hours" => whole(value, 1, 8760).map(|v| n.rpo_hours = v),
                "vuln_scan_frequency_days" => {
                    whole(value, 1, 365).map(|v| n.vuln_scan_frequency_days = v)
                }
                "patch_critical_within_days" => {
                    whole(value, 1, 365).map(|v| n.patch_critical_within_days = v)
                }
                "pentest_frequency_months" => {
                    whole(value, 1, 60).map(|v| n.pentest_frequency_months = v)
                }
                _ => Err("Unknown setting.".to_string()),
            };
            if let Err(message) = outcome {
                errors.insert(field.clone(), message);
            }
        }
        if (next.mfa_required || next.privileged_access_mfa)
            && next.mfa_methods.is_empty()
            && !errors.contains_key("mfa_methods")
        {
            errors.insert(
                "mfa_methods".to_string(),
                "Allow at least one MFA method while MFA is required.".to_string(),
            );
        }
        if errors.is_empty() {
            Ok(next)
        } else {
            Err(AppError::invalid(errors))
        }
    }

    /// Checks a whole value (for instance one read from an import) by the
    /// same rules as [`PolicySettings::apply`].
    pub fn validate(&self) -> Result<(), AppError> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => PolicySettings::default().apply(&map).map(|_| ()),
            _ => Err(AppError::internal()),
        }
    }

    /// One setting as JSON, by name; `None` for an unknown name.
    pub fn value(&self, field: &str) -> Option<Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut map)) => map.remove(field),
            _ => None,
        }
    }

    /// One setting as a person reads it ("on", "12 characters", "never",
    /// "totp, webauthn"); `None` for an unknown name.
    pub fn display_value(&self, field: &str) -> Option<String> {
        let text = match field {
            "mfa_required" => on_off(self.mfa_required),
            "mfa_methods" if self.mfa_methods.is_empty() => "none".to_string(),
            "mfa_methods" => {
                let names: Vec<&str> = self.mfa_methods.iter().map(|m| m.as_str()).collect();
                names.join(", ")
            }
            "password_min_length" => format!("{} characters", self.password_min_length),
            "password_require_upper" => on_off(self.password_require_upper),
            "password_require_lower" => on_off(self.password_require_lower),
            "password_require_digit" => on_off(self.password_require_digit),
            "password_require_symbol" => on_off(self.password_require_symbol),
            "password_max_age_days" if self.password_max_age_days == 0 => "never".to_string(),
            "password_max_age_days" => render_days(self.password_max_age_days),
            "password_history" => format!("{} previous passwords", self.password_history),
            "lockout_threshold" => format!("{} attempts", self.lockout_threshold),
            "lockout_duration_minutes" => format!("{} minutes", self.lockout_duration_minutes),
            "session_timeout_minutes" => format!("{} minutes", self.session_timeout_minutes),
            "session_absolute_hours" => format!("{} hours", self.session_absolute_hours),
            "concurrent_sessions_max" => format!("{} sessions", self.concurrent_sessions_max),
            "encryption_at_rest" => on_off(self.encryption_at_rest),
            "encryption_algorithm" => self.encryption_algorithm.label().to_string(),
            "tls_min_version" => self.tls_min_version.label().to_string(),
            "key_rotation_days" => render_days(self.key_rotation_days),
            "audit_logging_enabled" => on_off(self.audit_logging_enabled),
            "log_retention_days" => render_days(self.log_retention_days),
            "siem_integration" => on_off(self.siem_integration),
            "breach_notification_process" => on_off(self.breach_notification_process),
            "least_privilege_reviews_days" => render_days(self.least_privilege_reviews_days),
            "privileged_access_mfa" => on_off(self.privileged_access_mfa),
            "ip_allowlist" if self.ip_allowlist.is_empty() => "none".to_string(),
            "ip_allowlist" => {
                let networks: Vec<String> = self.ip_allowlist.iter().map(Cidr::to_string).collect();
                networks.join(", ")
            }
            "backup_frequency" => self.backup_frequency.as_str().to_string(),
            "backup_retention_days" => render_days(self.backup_retention_days),
            "backup_encrypted" => on_off(self.backup_encrypted),
            "rto_hours" => format!("{} hours", self.rto_hours),
            "rpo_hours" => format!("{} hours", self.rpo_hours),
            "vuln_scan_frequency_days" => render_days(self.vuln_scan_frequency_days),
            "patch_critical_within_days" => render_days(self.patch_critical_within_days),
            "pentest_frequency_months" => format!("{} months", self.pentest_frequency_months),
            _ => return None,
        };
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    fn apply(value: Value) -> Result<PolicySettings, AppError> {
        PolicySettings::default().apply(&changes(value))
    }

    fn rejected(value: Value, field: &str) -> String {
        let error = apply(value.clone()).expect_err(&format!("{value} accepted"));
        error
            .fields
            .get(field)
            .unwrap_or_else(|| panic!("{value}: no error for {field}: {:?}", error.fields))
            .clone()
    }

    #[test]
    fn defaults_are_valid() {
        let settings = PolicySettings::default();
        assert_eq!(settings.apply(&Map::new()).unwrap(), settings);
        settings.validate().unwrap();
    }

    #[test]
    fn apply_changes_only_the_given_fields() {
        let next = apply(json!({"password_min_length": 16, "siem_integration": true})).unwrap();
        assert_eq!(next.password_min_length, 16);
        assert!(next.siem_integration);
        assert_eq!(
            PolicySettings {
                password_min_length: 12,
                siem_integration: false,
                ..next
            },
            PolicySettings::default()
        );
    }

    #[test]
    fn password_min_length_bounds() {
        assert_eq!(
            rejected(json!({"password_min_length": 5}), "password_min_length"),
            "Must be a whole number between 6 and 128."
        );
        assert_eq!(
            apply(json!({"password_min_length": 6}))
                .unwrap()
                .password_min_length,
            6
        );
        assert_eq!(
            apply(json!({"password_min_length": 128}))
                .unwrap()
                .password_min_length,
            128
        );
        rejected(json!({"password_min_length": 129}), "password_min_length");
        rejected(json!({"password_min_length": -1}), "password_min_length");
        rejected(json!({"password_min_length": 12.5}), "password_min_length");
        rejected(json!({"password_min_length": "12"}), "password_min_length");
    }

    #[test]
    fn range_boundaries() {
        let cases: &[(&str, i64, i64)] = &[
            ("password_max_age_days", 0, 365),
            ("password_history", 0, 24),
            ("lockout_threshold", 1, 20),
            ("lockout_duration_minutes", 1, 1440),
            ("session_timeout_minutes", 5, 1440),
            ("session_absolute_hours", 1, 720),
            ("concurrent_sessions_max", 1, 100),
            ("key_rotation_days", 1, 3650),
            ("log_retention_days", 1, 3650),
            ("least_privilege_reviews_days", 1, 730),
            ("backup_retention_days", 1, 3650),
            ("rto_hours", 1, 8760),
            ("rpo_hours", 1, 8760),
            ("vuln_scan_frequency_days", 1, 365),
            ("patch_critical_within_days", 1, 365),
            ("pentest_frequency_months", 1, 60),
        ];
        for &(field, min, max) in cases {
            for ok in [min, max] {
                let next =
                    apply(json!({ field: ok })).unwrap_or_else(|e| panic!("{field}={ok}: {e:?}"));
                assert_eq!(next.value(field), Some(json!(ok)), "{field}");
            }
            for bad in [min - 1, max + 1] {
                rejected(json!({ field: bad }), field);
            }
        }
    }

    #[test]
    fn named_boundaries_from_the_spec() {
        assert!(rejected(
            json!({"password_max_age_days": 366}),
            "password_max_age_days"
        )
        .contains("0 means never"));
        assert_eq!(
            apply(json!({"password_max_age_days": 0}))
                .unwrap()
                .password_max_age_days,
            0
        );
        rejected(json!({"password_history": 25}), "password_history");
        rejected(json!({"lockout_threshold": 0}), "lockout_threshold");
        rejected(json!({"lockout_threshold": 21}), "lockout_threshold");
        rejected(
            json!({"session_timeout_minutes": 4}),
            "session_timeout_minutes",
        );
        assert_eq!(
            rejected(json!({"rto_hours": 0}), "rto_hours"),
            "Must be a whole number between 1 and 8760."
        );
        rejected(json!({"rpo_hours": 0}), "rpo_hours");
    }

    #[test]
    fn rpo_may_exceed_rto() {
        let next = apply(json!({"rto_hours": 4, "rpo_hours": 48})).unwrap();
        assert_eq!((next.rto_hours, next.rpo_hours), (4, 48));
    }

    #[test]
    fn wrong_json_types() {
        assert_eq!(
            rejected(json!({"mfa_required": "yes"}), "mfa_required"),
            "Must be true or false."
        );
        assert_eq!(
            rejected(json!({"backup_encrypted": 1}), "backup_encrypted"),
            "Must be true or false."
        );
        assert_eq!(
            rejected(
                json!({"encryption_algorithm": "des"}),
                "encryption_algorithm"
            ),
            "Encryption algorithm must be one of: aes-256-gcm, aes-128-gcm, chacha20-poly1305."
        );
        assert_eq!(
            rejected(json!({"tls_min_version": 1.2}), "tls_min_version"),
            "TLS version must be one of: 1.2, 1.3."
        );
        rejected(json!({"backup_frequency": "monthly"}), "backup_frequency");
        assert_eq!(
            rejected(json!({"mfa_methods": "totp"}), "mfa_methods"),
            "Must be a list of MFA methods."
        );
        rejected(json!({"mfa_methods": ["totp", "email"]}), "mfa_methods");
        rejected(json!({"ip_allowlist": "10.0.0.0/8"}), "ip_allowlist");
        rejected(json!({"password_min_length": null}), "password_min_length");
    }

    #[test]
    fn enum_settings_accept_their_wire_values() {
        let next = apply(json!({
            "encryption_algorithm": "chacha20-poly1305",
            "tls_min_version": "1.3",
            "backup_frequency": "hourly",
            "mfa_methods": ["webauthn", "sms", "webauthn"],
        }))
        .unwrap();
        assert_eq!(
            next.encryption_algorithm,
            EncryptionAlgorithm::Chacha20Poly1305
        );
        assert_eq!(next.tls_min_version, TlsVersion::Tls13);
        assert_eq!(next.backup_frequency, BackupFrequency::Hourly);
        assert_eq!(next.mfa_methods, vec![MfaMethod::Webauthn, MfaMethod::Sms]);
        assert!(TlsVersion::Tls13 > TlsVersion::Tls12);
    }

    #[test]
    fn mfa_needs_a_method() {
        assert_eq!(
            rejected(json!({"mfa_methods": []}), "mfa_methods"),
            "Allow at least one MFA method while MFA is required."
        );
        let next = apply(
            json!({"mfa_methods": [], "mfa_required": false, "privileged_access_mfa": false}),
        )
        .unwrap();
        assert!(next.mfa_methods.is_empty());
        rejected(
            json!({"mfa_methods": [], "mfa_required": false}),
            "mfa_methods",
        );
    }

    #[test]
    fn unknown_settings_are_named() {
        let error = apply(json!({"password_min_lenght": 12})).unwrap_err();
        assert_eq!(error.fields["password_min_lenght"], "Unknown setting.");
    }

    #[test]
    fn every_bad_field_is_reported_together_and_nothing_is_applied() {
        let error = apply(json!({
            "password_min_length": 5,
            "mfa_required": "no",
            "ip_allowlist": ["10.0.0.0/8", "nope"],
            "colour": "blue",
            "session_timeout_minutes": 60,
        }))
        .unwrap_err();
        let fields: Vec<&str> = error.fields.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "colour",
                "ip_allowlist",
                "mfa_required",
                "password_min_length"
            ]
        );
        assert_eq!(error.message, "Some fields are invalid.");
    }

    #[test]
    fn allowlist_entries_are_named() {
        assert_eq!(
            rejected(json!({"ip_allowlist": ["10.0.0.0/8", "10.0.0.0/33"]}), "ip_allowlist"),
            "\"10.0.0.0/33\" is not a network in CIDR notation, such as 10.0.0.0/8 or 2001:db8::/32."
        );
        let message = rejected(
            json!({"ip_allowlist": ["a", 7, "10.0.0.0/8"]}),
            "ip_allowlist",
        );
        assert!(message.contains("\"a\", \"7\""), "{message}");
        let next = apply(json!({"ip_allowlist": ["10.0.0.0/8", " 10.1.0.0/8 ", "2001:db8::/32"]}))
            .unwrap();
        let rendered: Vec<String> = next.ip_allowlist.iter().map(Cidr::to_string).collect();
        assert_eq!(rendered, ["10.0.0.0/8", "2001:db8::/32"]);
        let too_many: Vec<String> = (0..=IP_ALLOWLIST_MAX)
            .map(|i| format!("10.{}.{}.0/24", i / 256, i % 256))
            .collect();
        rejected(json!({ "ip_allowlist": too_many }), "ip_allowlist");
    }

    #[test]
    fn cidr_good_cases() {
        let cases = [
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("192.168.1.0/24", "192.168.1.0/24"),
            ("0.0.0.0/0", "0.0.0.0/0"),
            ("203.0.113.9/32", "203.0.113.9/32"),
            ("10.1.2.3/8", "10.0.0.0/8"),
            ("192.0.2.7", "192.0.2.7/32"),
            ("2001:db8::/32", "2001:db8::/32"),
            ("2001:DB8:1::5/48", "2001:db8:1::/48"),
            ("::/0", "::/0"),
            ("::1/128", "::1/128"),
            ("2001:db8::1", "2001:db8::1/128"),
        ];
        for (raw, canonical) in cases {
            let cidr = Cidr::parse("ip_allowlist", raw).unwrap_or_else(|e| panic!("{raw}: {e:?}"));
            assert_eq!(cidr.to_string(), canonical);
        }
    }

    #[test]
    fn cidr_bad_cases() {
        for raw in [
            "",
            "/8",
            "10.0.0.0/",
            "10.0.0.0/33",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "10.0.0/8",
            "10.0.0.256/8",
            "010.0.0.0/8",
            "2001:db8::/129",
            "2001:db8:::/32",
            "fe80::1%eth0/64",
            "10.0.0.0/8/8",
            "example.com/24",
            "10.0.0.0 /8",
            "10.0.0.0/0008",
        ] {
            let error = Cidr::parse("ip_allowlist", raw).expect_err(raw);
            assert!(
                error.fields["ip_allowlist"].contains(&format!("\"{raw}\"")),
                "{raw}"
            );
        }
    }

    #[test]
    fn cidr_contains() {
        let network = Cidr::parse("f", "10.0.0.0/8").unwrap();
        assert!(network.contains("10.255.0.1".parse().unwrap()));
        assert!(!network.contains("11.0.0.1".parse().unwrap()));
        assert!(!network.contains("::ffff:10.0.0.1".parse().unwrap()));
        let everything = Cidr::parse("f", "::/0").unwrap();
        assert!(everything.contains("2001:db8::1".parse().unwrap()));
        assert_eq!(
            (network.network(), network.prefix()),
            ("10.0.0.0".parse().unwrap(), 8)
        );
    }

    #[test]
    fn serde_round_trip() {
        let settings = apply(json!({
            "ip_allowlist": ["10.0.0.0/8", "2001:db8::/32"],
            "encryption_algorithm": "aes-128-gcm",
            "tls_min_version": "1.3",
        }))
        .unwrap();
        let json = serde_json::to_value(&settings).unwrap();
        assert_eq!(json["ip_allowlist"], json!(["10.0.0.0/8", "2001:db8::/32"]));
        assert_eq!(json["tls_min_version"], json!("1.3"));
        assert_eq!(json["encryption_algorithm"], json!("aes-128-gcm"));
        assert_eq!(json["mfa_methods"], json!(["totp", "webauthn"]));
        let back: PolicySettings = serde_json::from_value(json).unwrap();
        assert_eq!(back, settings);
        assert!(serde_json::from_value::<Cidr>(json!("10.0.0.0/40")).is_err());
    }

    #[test]
    fn missing_stored_fields_take_their_defaults() {
        let settings: PolicySettings =
            serde_json::from_value(json!({"password_min_length": 14})).unwrap();
        assert_eq!(settings.password_min_length, 14);
        assert_eq!(settings.rto_hours, PolicySettings::default().rto_hours);
    }

    #[test]
    fn validate_catches_out_of_range_values() {
        let settings = PolicySettings {
            password_min_length: 4,
            ..PolicySettings::default()
        };
        assert!(settings
            .validate()
            .unwrap_err()
            .fields
            .contains_key("password_min_length"));
    }

    #[test]
    fn fields_groups_labels_and_values_agree() {
        let serialised = serde_json::to_value(PolicySettings::default()).unwrap();
        let keys: Vec<&str> = serialised
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut sorted_fields = FIELDS.to_vec();
        sorted_fields.sort_unstable();
        let mut sorted_keys = keys.clone();
        sorted_keys.sort_unstable();
        assert_eq!(sorted_fields, sorted_keys);
        let grouped: Vec<&str> = PolicySettings::groups()
            .iter()
            .flat_map(|(_, f)| f.iter().copied())
            .collect();
        assert_eq!(grouped, FIELDS);
        assert_eq!(PolicySettings::groups().len(), 7);
        for field in FIELDS {
            assert!(field_label(field).is_some(), "{field}");
            assert!(
                PolicySettings::default().display_value(field).is_some(),
                "{field}"
            );
            assert!(PolicySettings::default().value(field).is_some(), "{field}");
        }
        assert!(FIELDS.len() >= 30);
        assert_eq!(field_label("nope"), None);
        assert_eq!(PolicySettings::default().display_value("nope"), None);
    }

    #[test]
    fn display_values_read_well() {
        let settings =
            apply(json!({"password_max_age_days": 0, "siem_integration": false})).unwrap();
        assert_eq!(
            settings.display_value("password_max_age_days").unwrap(),
            "never"
        );
        assert_eq!(settings.display_value("siem_integration").unwrap(), "off");
        assert_eq!(
            settings.display_value("password_min_length").unwrap(),
            "12 characters"
        );
        assert_eq!(
            settings.display_value("log_retention_days").unwrap(),
            "365 days"
        );
        assert_eq!(
            settings.display_value("mfa_methods").unwrap(),
            "totp, webauthn"
        );
        assert_eq!(settings.display_value("ip_allowlist").unwrap(), "none");
    }
}
