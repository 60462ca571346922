//! What every enterprise record shares: which enterprises a list covers,
//! and the optimistic-concurrency check on updates.

use serde::Serialize;
use sqlx::PgExecutor;
use uuid::Uuid;

use super::access::{authorize, Actor};
use super::error::DomainResult;
use crate::domain::enterprise::Action;
use crate::domain::error::AppError;

/// The enterprise a list is limited to: the one named by `?enterprise=`
/// (which the actor must be able to read, else 403), or every enterprise
/// for staff who name none. Others must name one.
pub async fn list_scope<'e>(
    db: impl PgExecutor<'e>,
    actor: &Actor,
    enterprise: Option<Uuid>,
) -> DomainResult<Option<Uuid>> {
    match enterprise {
        Some(id) => {
            authorize(db, actor, id, Action::Read).await?;
            Ok(Some(id))
        }
        None if actor.is_staff => Ok(None),
        None => Err(AppError::field("enterprise", "Name the enterprise: ?enterprise=<id>.").into()),
    }
}

/// Refuses an update made against an older version than the stored one
/// (409, carrying the current record so the client can show it).
pub fn check_version<T: Serialize>(
    expected: Option<i32>,
    stored: i32,
    current: &T,
) -> DomainResult<()> {
    match expected {
        Some(version) if version != stored => {
            let mut error = AppError::conflict(format!(
                "This record was changed by someone else (you edited version {version}, it is now at version {stored}). Review the current values and try again."
            ));
            error.current = serde_json::to_value(current).ok();
            Err(error.into())
        }
        _ => Ok(()),
    }
}

/// The version a client sends: in the body as `version`, or as `If-Match`
/// (plain or quoted). Both present and different → 400.
pub fn expected_version(
    body: Option<i32>,
    if_match: Option<&str>,
) -> Result<Option<i32>, AppError> {
    let header = match if_match {
        None => None,
        Some(raw) => Some(
            raw.trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .parse::<i32>()
                .map_err(|_| {
                    AppError::field(
                        "version",
                        "If-Match must carry the record's version number.",
                    )
                })?,
        ),
    };
    match (body, header) {
        (Some(a), Some(b)) if a != b => Err(AppError::field(
            "version",
            "The body and If-Match name different versions.",
        )),
        (a, b) => Ok(a.or(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_from_body_or_header() {
        assert_eq!(expected_version(Some(3), None).unwrap(), Some(3));
        assert_eq!(expected_version(None, Some("\"4\"")).unwrap(), Some(4));
        assert_eq!(expected_version(None, Some("W/\"5\"")).unwrap(), Some(5));
        assert_eq!(expected_version(Some(2), Some("2")).unwrap(), Some(2));
        assert!(expected_version(Some(2), Some("3")).is_err());
        assert!(expected_version(None, Some("abc")).is_err());
        assert_eq!(expected_version(None, None).unwrap(), None);
    }

    #[test]
    fn stale_versions_conflict_with_the_current_record() {
        assert!(check_version(Some(1), 1, &serde_json::json!({})).is_ok());
        assert!(check_version(None, 7, &serde_json::json!({})).is_ok());
        let DomainError::Refused(error) =
            check_version(Some(1), 2, &serde_json::json!({"title": "now"})).unwrap_err()
        else {
            panic!("expected a refusal");
        };
        assert_eq!(error.status(), http::StatusCode::CONFLICT);
        assert_eq!(error.current.unwrap()["title"], "now");
    }

    use super::super::error::DomainError;
}

/// A list filter such as `?status=`: parsed with the value type's own
/// parser when present; a bad value is collected under its field name.
pub fn optional_filter<T>(
    raw: Option<&str>,
    field: &str,
    parse: impl Fn(&str, &str) -> Result<T, AppError>,
    errors: &mut crate::domain::error::FieldErrors,
) -> Option<T> {
    match raw.map(|value| parse(field, value)) {
        Some(Ok(value)) => Some(value),
        Some(Err(error)) => {
            errors.extend(error.fields);
            None
        }
        None => None,
    }
}

/// Reading loosely-typed JSON bodies field by field, so that every bad field
/// is reported at once under its own name.
pub mod body {
    use serde_json::{Map, Value};
    use uuid::Uuid;

    use crate::domain::error::FieldErrors;

    pub fn uuid(
        map: &mut Map<String, Value>,
        field: &str,
        errors: &mut FieldErrors,
    ) -> Option<Uuid> {
        match map.remove(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => match Uuid::parse_str(s.trim()) {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.insert(field.into(), "Must be an id (UUID).".into());
                    None
                }
            },
            Some(_) => {
                errors.insert(field.into(), "Must be an id (UUID).".into());
                None
            }
        }
    }

    pub fn version(map: &mut Map<String, Value>, errors: &mut FieldErrors) -> Option<i32> {
        match map.remove("version") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n))
                if n.as_i64()
                    .is_some_and(|v| (1..=i32::MAX as i64).contains(&v)) =>
            {
                n.as_i64().map(|v| v as i32)
            }
            Some(_) => {
                errors.insert(
                    "version".into(),
                    "Must be the record's version number.".into(),
                );
                None
            }
        }
    }

    /// A list of strings (ids or slugs); `None` when absent.
    pub fn strings(
        map: &mut Map<String, Value>,
        field: &str,
        errors: &mut FieldErrors,
    ) -> Option<Vec<String>> {
        match map.remove(field) {
            None => None,
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => out.push(s.trim().to_string()),
                        _ => {
                            errors.insert(field.into(), "Must be a list of strings.".into());
                            return None;
                        }
                    }
                }
                Some(out)
            }
            Some(_) => {
                errors.insert(field.into(), "Must be a list of strings.".into());
                None
            }
        }
    }

    /// Drops the fields a client may echo back from a read but never sets.
    pub fn drop_read_only(map: &mut Map<String, Value>, fields: &[&str]) {
        for field in ["id", "created_at", "updated_at", "created_by"]
            .iter()
            .chain(fields)
        {
            map.remove(*field);
        }
    }
}
