//! Enterprises (the tenant root), roles and memberships.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::AppError;

/// A member's role in an enterprise. The order matters: a user who is both a
/// direct member and in a team gets the higher of the two roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type, schemars::JsonSchema))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "member_role", rename_all = "lowercase")
)]
pub enum Role {
    Viewer,
    Member,
    Admin,
}

impl Role {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        match raw {
            "viewer" => Ok(Role::Viewer),
            "member" => Ok(Role::Member),
            "admin" => Ok(Role::Admin),
            _ => Err(AppError::field(
                "role",
                "Role must be admin, member or viewer.",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Member => "member",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Member => "Member",
            Role::Admin => "Admin",
        }
    }
}

/// What a user asks to do in an enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read security data.
    Read,
    /// Create, change or delete security data.
    Write,
    /// Manage members and the security policy.
    Administer,
}

/// The one rule of who may do what once a role is known; staff act as admins.
pub fn role_permits(role: Role, action: Action) -> bool {
    match action {
        Action::Read => true,
        Action::Write => role >= Role::Member,
        Action::Administer => role == Role::Admin,
    }
}

/// An enterprise slug: lower-case letters, digits and single hyphens, 2–63.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let slug = raw.trim();
        let well_formed = (2..=63).contains(&slug.len())
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            && !slug.contains("--");
        if well_formed {
            Ok(Slug(slug.to_string()))
        } else {
            Err(AppError::field(
                "slug",
                "Use 2–63 lower-case letters, digits and single hyphens.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = AppError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Slug::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(value: Slug) -> Self {
        value.0
    }
}

/// An enterprise as a user sees it, with that user's role (`None` for staff
/// who are not members).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct EnterpriseSummary {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub created_at: DateTime<Utc>,
    pub role: Option<Role>,
}

/// A member of an enterprise, directly or through teams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    /// The direct membership role; `None` when the access is through teams.
    pub role: Option<Role>,
    /// The role that applies: the highest of the direct and team roles.
    pub effective_role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_only_read() {
        assert!(role_permits(Role::Viewer, Action::Read));
        assert!(!role_permits(Role::Viewer, Action::Write));
        assert!(!role_permits(Role::Viewer, Action::Administer));
    }

    #[test]
    fn members_write_but_do_not_administer() {
        assert!(role_permits(Role::Member, Action::Write));
        assert!(!role_permits(Role::Member, Action::Administer));
    }

    #[test]
    fn admins_do_everything() {
        for action in [Action::Read, Action::Write, Action::Administer] {
            assert!(role_permits(Role::Admin, action));
        }
    }

    #[test]
    fn roles_order_by_power() {
        assert!(Role::Admin > Role::Member && Role::Member > Role::Viewer);
        assert_eq!(Role::parse("member").unwrap(), Role::Member);
        assert!(Role::parse("owner")
            .unwrap_err()
            .fields
            .contains_key("role"));
    }

    #[test]
    fn slugs() {
        assert!(Slug::parse("acme-health").is_ok());
        for bad in ["A", "acme--x", "-acme", "acme-", "acme health", "Acme"] {
            assert!(Slug::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
