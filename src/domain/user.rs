//! Users: the constrained values they are made of and what the UI sees.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::AppError;

/// An e-mail address, trimmed and lower-cased: emails are unique
/// case-insensitively, so the stored form is the canonical one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let email = raw.trim().to_lowercase();
        let invalid = || AppError::field("email", "Enter a valid e-mail address.");
        if email.len() < 3 || email.len() > 254 || email.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || !domain_ok {
            return Err(invalid());
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = AppError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

/// A person's display name: 1–200 characters once trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let name = raw.trim();
        match name.chars().count() {
            0 => Err(AppError::field("name", "Enter a name.")),
            1..=200 => Ok(DisplayName(name.to_string())),
            _ => Err(AppError::field("name", "Use at most 200 characters.")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 10–1024 characters, not only whitespace. Never logged,
/// never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

pub const MIN_PASSWORD_LENGTH: usize = 10;

impl NewPassword {
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        let length = raw.chars().count();
        if length < MIN_PASSWORD_LENGTH {
            return Err(AppError::field(
                field,
                format!("Use at least {MIN_PASSWORD_LENGTH} characters."),
            ));
        }
        if length > 1024 {
            return Err(AppError::field(field, "Use at most 1024 characters."));
        }
        if raw.trim().is_empty() {
            return Err(AppError::field(field, "A password cannot be only spaces."));
        }
        Ok(NewPassword(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

/// The signed-in user as pages and `GET /api/auth/me` show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct SessionUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub is_staff: bool,
}

/// A user as staff see them in `/api/users/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct UserRecord {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub is_staff: bool,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_canonicalised() {
        let email = Email::parse("  Alice.Smith@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "alice.smith@example.com");
    }

    #[test]
    fn email_rejects_malformed() {
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            "a b@example.com",
            "alice@@example.com",
            "alice@.example.com",
            "alice@example..com",
        ] {
            let error = Email::parse(bad).unwrap_err();
            assert!(error.fields.contains_key("email"), "{bad} accepted");
        }
    }

    #[test]
    fn email_deserialises_through_parse() {
        let email: Result<Email, _> = serde_json::from_str("\"nope\"");
        assert!(email.is_err());
        let email: Email = serde_json::from_str("\"Bob@Example.org\"").unwrap();
        assert_eq!(email.as_str(), "bob@example.org");
    }

    #[test]
    fn display_name_bounds() {
        assert!(DisplayName::parse("   ").is_err());
        assert_eq!(DisplayName::parse(" Ada ").unwrap().as_str(), "Ada");
        assert!(DisplayName::parse(&"x".repeat(201)).is_err());
        assert!(DisplayName::parse(&"x".repeat(200)).is_ok());
    }

    #[test]
    fn password_bounds_name_the_field() {
        let error = NewPassword::parse("new_password", "short").unwrap_err();
        assert!(error.fields.contains_key("new_password"));
        assert!(NewPassword::parse("password", &" ".repeat(12)).is_err());
        assert!(NewPassword::parse("password", "correct horse battery").is_ok());
        assert_eq!(
            format!(
                "{:?}",
                NewPassword::parse("password", "correct horse battery").unwrap()
            ),
            "NewPassword(..)"
        );
    }
}
