//! Hardening checklists (SPEC §3.2): the system types, the derived completion
//! figure and status, the sign-off rule, and the built-in templates a new
//! checklist can start from.

use crate::domain::common::Priority::{Critical, High, Low, Medium};
use crate::domain::common::{text_enum, Priority};
use crate::domain::error::AppError;

text_enum! {
    /// What kind of system a checklist hardens; picks the template.
    pub enum SystemType, "System type" {
        Linux => "linux", "Linux server";
        Windows => "windows", "Windows server";
        Container => "container", "Container image";
        Kubernetes => "kubernetes", "Kubernetes cluster";
        Database => "database", "Database";
        Application => "application", "Web application";
        Network => "network", "Network device";
    }
}

text_enum! {
    /// Derived from the items and the sign-off, never set directly.
    pub enum ChecklistStatus, "Status" {
        NotStarted => "not_started", "Not started";
        InProgress => "in_progress", "In progress";
        Completed => "completed", "Completed";
        Verified => "verified", "Verified";
    }
}

/// Completed items as a percentage of all items, with one decimal (2 of 3 →
/// 66.7). An empty checklist is 0 %, not 100 %: nothing has been hardened.
pub fn completion_percentage(completed: usize, total: usize) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let completed = completed.min(total);
    (completed as f64 * 1000.0 / total as f64).round() / 10.0
}

/// The status a checklist shows. `verified` (a sign-off is recorded) counts
/// only while every item is still completed, so un-completing an item of a
/// verified checklist shows it as in progress even before the sign-off is
/// cleared in storage.
pub fn derive_status(completed: usize, total: usize, verified: bool) -> ChecklistStatus {
    if total == 0 || completed == 0 {
        ChecklistStatus::NotStarted
    } else if completed < total {
        ChecklistStatus::InProgress
    } else if verified {
        ChecklistStatus::Verified
    } else {
        ChecklistStatus::Completed
    }
}

/// Sign-off is allowed only when every item of a non-empty checklist is
/// completed.
pub fn can_verify(completed: usize, total: usize) -> Result<(), AppError> {
    if total == 0 {
        return Err(AppError::conflict(
            "A checklist without items cannot be verified. Add and complete its items first.",
        ));
    }
    if completed < total {
        let open = total - completed;
        let verb = if open == 1 { "is" } else { "are" };
        return Err(AppError::conflict(format!(
            "Only a fully completed checklist can be verified: {open} of {total} items {verb} still open."
        )));
    }
    Ok(())
}

/// One item of a built-in template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateItem {
    pub title: &'static str,
    pub description: &'static str,
    pub priority: Priority,
}

const fn item(title: &'static str, description: &'static str, priority: Priority) -> TemplateItem {
    TemplateItem {
        title,
        description,
        priority,
    }
}

static LINUX: [TemplateItem; 12] = [
    item(
        "Disable root SSH login",
        "Set PermitRootLogin to no in sshd_config; administrators log in as themselves and escalate with sudo.",
        Critical,
    ),
    item(
        "Use key-based SSH authentication only",
        "Set PasswordAuthentication to no and remove unused authorised keys.",
        Critical,
    ),
    item(
        "Enable automatic security updates",
        "Install unattended-upgrades or dnf-automatic so security patches apply without waiting for a person.",
        High,
    ),
    item(
        "Enable a host firewall with default deny",
        "Allow only the ports the services on this host need (nftables, ufw or firewalld).",
        High,
    ),
    item(
        "Remove unused packages and services",
        "Uninstall compilers, legacy daemons (telnet, rsh, FTP) and anything the host's role does not need.",
        Medium,
    ),
    item(
        "Enable auditd",
        "Record privileged commands, changes to identity files and logins; forward the records to central logging.",
        High,
    ),
    item(
        "Forward system logs to a central server",
        "Ship journald or rsyslog output off the host so an intruder cannot erase it.",
        Medium,
    ),
    item(
        "Mount /tmp with noexec, nosuid and nodev",
        "Keep world-writable directories from being used to run or escalate with dropped binaries.",
        Medium,
    ),
    item(
        "Restrict sudo to named administrators",
        "Grant sudo through a group, require the user's password, and log every use.",
        High,
    ),
    item(
        "Set strict permissions on sensitive files",
        "Only root can read /etc/shadow, and SSH host keys and cron directories are not writable by others.",
        Medium,
    ),
    item(
        "Enforce SELinux or AppArmor",
        "Run the mandatory access control system in enforcing mode with the distribution's profiles.",
        Medium,
    ),
    item(
        "Synchronise time with NTP",
        "Configure chrony or systemd-timesyncd so log timestamps line up across systems.",
        Low,
    ),
];

static WINDOWS: [TemplateItem; 11] = [
    item(
        "Install security updates through managed patching",
        "Point the server at WSUS, Intune or Windows Update for Business and apply critical updates promptly.",
        Critical,
    ),
    item(
        "Rename or disable the built-in Administrator account",
        "Use named administrator accounts and keep the well-known account out of reach of guessing.",
        High,
    ),
    item(
        "Deploy LAPS for local administrator passwords",
        "Give every machine a unique, rotated local administrator password stored in the directory.",
        High,
    ),
    item(
        "Enable Windows Defender Firewall on all profiles",
        "Turn the firewall on for domain, private and public profiles and block inbound traffic by default.",
        High,
    ),
    item(
        "Enable Microsoft Defender Antivirus with real-time protection",
        "Keep signatures current and tamper protection on.",
        High,
    ),
    item(
        "Disable SMBv1",
        "Remove the obsolete SMB 1.0 protocol, which has no protection against well-known worms.",
        Critical,
    ),
    item(
        "Require Network Level Authentication for Remote Desktop",
        "Authenticate before a session is created and allow RDP only from management networks.",
        High,
    ),
    item(
        "Configure advanced audit policy",
        "Audit logon events, account management, privilege use and policy changes; forward the security log.",
        Medium,
    ),
    item(
        "Encrypt system drives with BitLocker",
        "Protect data on the disk with BitLocker and store the recovery keys in the directory.",
        Medium,
    ),
    item(
        "Enable Credential Guard",
        "Isolate credential secrets with virtualisation-based security to blunt pass-the-hash attacks.",
        Medium,
    ),
    item(
        "Apply an account lockout policy",
        "Lock accounts after repeated failed logons to slow down password guessing.",
        Medium,
    ),
];

static CONTAINER: [TemplateItem; 10] = [
    item(
        "Run the container as a non-root user",
        "Set USER in the image to an unprivileged account.",
        Critical,
    ),
    item(
        "Use a minimal, trusted base image",
        "Start from a distroless, slim or official image and pin it by digest.",
        High,
    ),
    item(
        "Scan the image for known vulnerabilities",
        "Scan in CI and in the registry; fail the build on critical findings.",
        High,
    ),
    item(
        "Keep secrets out of the image",
        "Inject credentials at run time from a secret store, never through ENV, build arguments or copied files.",
        Critical,
    ),
    item(
        "Mount the root filesystem read-only",
        "Write only to explicit volumes or a tmpfs.",
        Medium,
    ),
    item(
        "Drop all Linux capabilities not needed",
        "Start from --cap-drop=ALL and add back only what the process requires.",
        High,
    ),
    item(
        "Never run privileged containers",
        "Do not use --privileged or mount the container runtime socket.",
        Critical,
    ),
    item(
        "Set memory and CPU limits",
        "Bound the resources each container can use so one cannot starve the host.",
        Medium,
    ),
    item(
        "Sign images and verify signatures at deploy",
        "Sign release images and admit only signed images into production.",
        Medium,
    ),
    item(
        "Add a health check",
        "Declare how the runtime can tell the service is healthy so broken containers are replaced.",
        Low,
    ),
];

static KUBERNETES: [TemplateItem; 11] = [
    item(
        "Enable RBAC and remove broad cluster-admin bindings",
        "Grant roles per namespace and per team; nobody uses cluster-admin day to day.",
        Critical,
    ),
    item(
        "Disable anonymous access to the API server",
        "Set --anonymous-auth=false and restrict the API endpoint to known networks.",
        Critical,
    ),
    item(
        "Enforce Pod Security Standards",
        "Label namespaces to enforce the restricted profile (baseline where restricted is impossible).",
        High,
    ),
    item(
        "Apply default-deny network policies",
        "Deny ingress and egress per namespace by default and allow only the flows the services need.",
        High,
    ),
    item(
        "Encrypt Secrets at rest in etcd",
        "Configure an encryption provider, preferably backed by a KMS.",
        High,
    ),
    item(
        "Enable API server audit logging",
        "Record who did what through the API and ship the audit log off the cluster.",
        High,
    ),
    item(
        "Do not mount service account tokens by default",
        "Set automountServiceAccountToken to false unless a pod talks to the API.",
        Medium,
    ),
    item(
        "Restrict access to etcd",
        "Require mutual TLS to etcd and allow only the API servers to reach it.",
        Critical,
    ),
    item(
        "Keep the control plane and nodes on a supported version",
        "Upgrade before the running minor version leaves support.",
        Medium,
    ),
    item(
        "Admit images only from trusted registries",
        "Use an admission policy that rejects images from unknown registries and the :latest tag.",
        Medium,
    ),
    item(
        "Set resource requests and limits on every workload",
        "Use LimitRange and ResourceQuota so a single workload cannot exhaust a node.",
        Low,
    ),
];

static DATABASE: [TemplateItem; 10] = [
    item(
        "Change or disable default accounts",
        "Remove sample users and give built-in superusers strong, unique passwords or disable their login.",
        Critical,
    ),
    item(
        "Restrict network access to the database",
        "Listen only on private interfaces and allow connections from the application hosts alone.",
        Critical,
    ),
    item(
        "Require TLS for client connections",
        "Refuse unencrypted connections and use a certificate clients can verify.",
        High,
    ),
    item(
        "Encrypt data at rest",
        "Use transparent data encryption or encrypted volumes, with keys managed outside the database host.",
        High,
    ),
    item(
        "Give applications least-privilege accounts",
        "Each application gets its own role with only the grants it needs and no superuser rights.",
        High,
    ),
    item(
        "Enable audit logging of privileged actions",
        "Log logins, role and permission changes and schema changes.",
        Medium,
    ),
    item(
        "Back up regularly and test restores",
        "Run encrypted backups on schedule and restore one to a scratch server at least quarterly.",
        High,
    ),
    item(
        "Apply security patches to the database engine",
        "Track the vendor's security releases and apply them within the patch window.",
        High,
    ),
    item(
        "Remove sample databases and unused extensions",
        "Drop demo schemas and disable features nobody uses.",
        Low,
    ),
    item(
        "Set connection limits and statement timeouts",
        "Cap connections per role and end runaway queries.",
        Low,
    ),
];

static APPLICATION: [TemplateItem; 11] = [
    item(
        "Serve only over HTTPS with HSTS",
        "Redirect HTTP to HTTPS, disable TLS older than 1.2, and send Strict-Transport-Security.",
        Critical,
    ),
    item(
        "Validate input and encode output",
        "Check input against allow-lists on the server and encode output for its context to stop injection and XSS.",
        Critical,
    ),
    item(
        "Use parameterised queries everywhere",
        "Never build SQL or shell commands by concatenating user input.",
        Critical,
    ),
    item(
        "Set secure session cookies",
        "Mark session cookies Secure, HttpOnly and SameSite, and renew the session identifier at login.",
        High,
    ),
    item(
        "Set security headers",
        "Send Content-Security-Policy, X-Content-Type-Options, Referrer-Policy and frame protections.",
        Medium,
    ),
    item(
        "Check authorisation on every request",
        "Enforce access on the server for each object and action; never rely on hidden links or fields.",
        Critical,
    ),
    item(
        "Keep dependencies patched and scanned",
        "Track third-party components and update those with known vulnerabilities.",
        High,
    ),
    item(
        "Store secrets in a secret manager",
        "Keep API keys and credentials out of source control and configuration files.",
        High,
    ),
    item(
        "Rate-limit authentication endpoints",
        "Slow down credential stuffing and password guessing on login and reset forms.",
        Medium,
    ),
    item(
        "Log security events without sensitive data",
        "Record logins, failures and permission denials; never log passwords, tokens or personal data.",
        Medium,
    ),
    item(
        "Show generic error pages",
        "Hide stack traces and internal details from users in production.",
        Low,
    ),
];

static NETWORK: [TemplateItem; 10] = [
    item(
        "Change default credentials",
        "Replace vendor default passwords and community strings before the device is connected.",
        Critical,
    ),
    item(
        "Keep firmware up to date",
        "Track vendor advisories and upgrade firmware that has known vulnerabilities.",
        High,
    ),
    item(
        "Disable insecure management protocols",
        "Turn off Telnet, HTTP management and SNMPv1/v2c; manage over SSH, HTTPS and SNMPv3.",
        Critical,
    ),
    item(
        "Restrict management to a dedicated network",
        "Allow administrative access only from a management VLAN or jump host.",
        High,
    ),
    item(
        "Apply default-deny firewall rules",
        "Permit only documented flows and review the rule base for unused or overly broad rules.",
        High,
    ),
    item(
        "Authenticate administrators centrally",
        "Use TACACS+ or RADIUS with MFA and keep one local break-glass account.",
        Medium,
    ),
    item(
        "Send logs to central logging",
        "Forward syslog to the SIEM and keep device clocks synchronised with NTP.",
        Medium,
    ),
    item(
        "Back up device configurations",
        "Save configurations after every change and store them encrypted.",
        Medium,
    ),
    item(
        "Segment the network",
        "Separate user, server, management and guest traffic into zones with controlled paths between them.",
        High,
    ),
    item(
        "Disable unused ports and services",
        "Shut down unused interfaces and switch ports and turn off discovery protocols on untrusted ports.",
        Low,
    ),
];

/// The built-in items for a new checklist of this type, in a sensible working
/// order; titles are unique within a template, so items can be matched by
/// title.
pub fn template(system: SystemType) -> &'static [TemplateItem] {
    match system {
        SystemType::Linux => &LINUX,
        SystemType::Windows => &WINDOWS,
        SystemType::Container => &CONTAINER,
        SystemType::Kubernetes => &KUBERNETES,
        SystemType::Database => &DATABASE,
        SystemType::Application => &APPLICATION,
        SystemType::Network => &NETWORK,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::domain::error::ErrorCode;

    #[test]
    fn percentages() {
        assert_eq!(completion_percentage(0, 0), 0.0);
        assert_eq!(completion_percentage(0, 5), 0.0);
        assert_eq!(completion_percentage(2, 3), 66.7);
        assert_eq!(completion_percentage(1, 3), 33.3);
        assert_eq!(completion_percentage(1, 8), 12.5);
        assert_eq!(completion_percentage(5, 5), 100.0);
        assert_eq!(completion_percentage(6, 5), 100.0);
    }

    #[test]
    fn statuses() {
        assert_eq!(derive_status(0, 0, false), ChecklistStatus::NotStarted);
        assert_eq!(derive_status(0, 0, true), ChecklistStatus::NotStarted);
        assert_eq!(derive_status(0, 4, false), ChecklistStatus::NotStarted);
        assert_eq!(derive_status(1, 4, false), ChecklistStatus::InProgress);
        assert_eq!(derive_status(3, 4, true), ChecklistStatus::InProgress);
        assert_eq!(derive_status(4, 4, false), ChecklistStatus::Completed);
        assert_eq!(derive_status(4, 4, true), ChecklistStatus::Verified);
    }

    #[test]
    fn verify_needs_every_item_done() {
        assert!(can_verify(4, 4).is_ok());
        let error = can_verify(3, 4).unwrap_err();
        assert_eq!(error.code, ErrorCode::Conflict);
        assert_eq!(
            error.message,
            "Only a fully completed checklist can be verified: 1 of 4 items is still open."
        );
        assert!(can_verify(1, 4)
            .unwrap_err()
            .message
            .contains("3 of 4 items are"));
        let error = can_verify(0, 0).unwrap_err();
        assert_eq!(error.code, ErrorCode::Conflict);
        assert!(error.message.contains("without items"));
    }

    #[test]
    fn enums_parse_their_wire_values() {
        assert_eq!(
            SystemType::parse("system_type", "kubernetes").unwrap(),
            SystemType::Kubernetes
        );
        let error = SystemType::parse("system_type", "mainframe").unwrap_err();
        assert_eq!(
            error.fields["system_type"],
            "System type must be one of: linux, windows, container, kubernetes, database, application, network."
        );
        assert_eq!(ChecklistStatus::InProgress.as_str(), "in_progress");
        assert_eq!(ChecklistStatus::InProgress.label(), "In progress");
        assert_eq!(
            serde_json::to_string(&ChecklistStatus::NotStarted).unwrap(),
            "\"not_started\""
        );
    }

    #[test]
    fn every_template_has_enough_distinct_items() {
        for system in SystemType::ALL {
            let items = template(system);
            assert!(items.len() >= 8, "{system:?} has {} items", items.len());
            let titles: HashSet<&str> = items.iter().map(|item| item.title).collect();
            assert_eq!(titles.len(), items.len(), "{system:?} repeats a title");
            for item in items {
                assert!(!item.title.is_empty() && item.title.chars().count() <= 200);
                assert!(item.description.ends_with('.'), "{}", item.title);
            }
            assert!(
                items.iter().any(|item| item.priority == Priority::Critical),
                "{system:?}"
            );
        }
        assert_eq!(
            template(SystemType::Linux)[0].title,
            "Disable root SSH login"
        );
    }
}
