//! Values shared by several record types: priorities (also used as
//! severities), titles, optional free text, and the `text_enum!` macro that
//! every closed set of values in the domain is declared with.
//!
//! Closed sets are stored as TEXT in Postgres, not as database enums: the SQL
//! layer writes `as_str()` and reads back through `parse()`, so adding a value
//! is a code change and a CHECK constraint, never an `ALTER TYPE`.

use serde::{Deserialize, Serialize};

use crate::domain::error::AppError;

/// Declares a closed set of values with one wire spelling and one human label
/// per variant, and the same API everywhere: `ALL`, `as_str`, `label` and
/// `parse(field, raw)`. The wire value is the serde value, the database value
/// and the form value, so the three can never drift apart.
///
/// ```ignore
/// text_enum! {
///     /// Doc comment of the enum.
///     pub enum Colour, "Colour" {
///         Red => "red", "Red";
///         DarkBlue => "dark-blue", "Dark blue";
///     }
/// }
/// ```
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident, $noun:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $wire)] $variant, )+
        }

        impl $name {
            /// Every value, in the order forms and filters list them.
            pub const ALL: [Self; [$($wire),+].len()] = [$(Self::$variant),+];

            /// The wire value: JSON, the database column and form values.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }

            /// What a person reads.
            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }

            /// Reads a wire value; the error is keyed by `field`.
            pub fn parse(field: &str, raw: &str) -> Result<Self, $crate::domain::error::AppError> {
                let raw = raw.trim();
                Self::ALL
                    .into_iter()
                    .find(|value| value.as_str() == raw)
                    .ok_or_else(|| {
                        let values: Vec<&str> = Self::ALL.iter().map(|value| value.as_str()).collect();
                        $crate::domain::error::AppError::field(
                            field,
                            format!("{} must be one of: {}.", $noun, values.join(", ")),
                        )
                    })
            }
        }
    };
}

pub(crate) use text_enum;

text_enum! {
    /// How urgent something is. Also the severity of incidents and audit
    /// findings (see [`Severity`]): one scale, one set of colours.
    pub enum Priority, "Priority" {
        Critical => "critical", "Critical";
        High => "high", "High";
        Medium => "medium", "Medium";
        Low => "low", "Low";
    }
}

/// Incidents and findings have a severity on the same four-step scale.
pub type Severity = Priority;

/// Counts per severity: active incidents (`GET by-severity/`) and audit
/// findings alike — one type, one schema.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct SeverityCounts {
    pub critical: i64,
    pub high: i64,
    pub medium: i64,
    pub low: i64,
}

impl SeverityCounts {
    pub fn add(&mut self, severity: Severity, count: i64) {
        match severity {
            Severity::Critical => self.critical += count,
            Severity::High => self.high += count,
            Severity::Medium => self.medium += count,
            Severity::Low => self.low += count,
        }
    }

    pub fn total(&self) -> i64 {
        self.critical + self.high + self.medium + self.low
    }
}

impl Priority {
    /// Sort key: the most urgent first (critical = 0 … low = 3).
    pub fn rank(self) -> u8 {
        match self {
            Priority::Critical => 0,
            Priority::High => 1,
            Priority::Medium => 2,
            Priority::Low => 3,
        }
    }
}

pub const TITLE_MAX_CHARS: usize = 200;

/// A one-line title or name: trimmed, 1–200 characters, no control
/// characters (a newline in a title breaks tables and printed reports).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Title(String);

impl Title {
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        let title = raw.trim();
        if title.is_empty() {
            return Err(AppError::field(field, "This field is required."));
        }
        if title.chars().count() > TITLE_MAX_CHARS {
            return Err(AppError::field(
                field,
                format!("Use at most {TITLE_MAX_CHARS} characters."),
            ));
        }
        if title.chars().any(char::is_control) {
            return Err(AppError::field(
                field,
                "Use a single line without control characters.",
            ));
        }
        Ok(Title(title.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl TryFrom<String> for Title {
    type Error = AppError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Title::parse("title", &value)
    }
}

impl From<Title> for String {
    fn from(value: Title) -> Self {
        value.0
    }
}

/// Optional free text (descriptions, notes, justifications): trimmed, and an
/// empty or blank value is stored as NULL rather than as "", so "has a note"
/// is one test (`IS NOT NULL`) everywhere.
pub fn parse_optional_text(
    field: &str,
    raw: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, AppError> {
    let Some(text) = raw.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > max_chars {
        return Err(AppError::field(
            field,
            format!("Use at most {max_chars} characters."),
        ));
    }
    Ok(Some(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_round_trips_through_its_wire_value() {
        for priority in Priority::ALL {
            assert_eq!(
                Priority::parse("priority", priority.as_str()).unwrap(),
                priority
            );
            let json = serde_json::to_string(&priority).unwrap();
            assert_eq!(json, format!("\"{}\"", priority.as_str()));
            assert_eq!(serde_json::from_str::<Priority>(&json).unwrap(), priority);
        }
        assert_eq!(Priority::High.label(), "High");
    }

    #[test]
    fn unknown_priority_lists_the_choices_under_the_field() {
        let error = Priority::parse("severity", "urgent").unwrap_err();
        assert_eq!(
            error.fields["severity"],
            "Priority must be one of: critical, high, medium, low."
        );
    }

    #[test]
    fn rank_sorts_the_most_urgent_first() {
        let mut priorities = vec![
            Priority::Low,
            Priority::Critical,
            Priority::Medium,
            Priority::High,
        ];
        priorities.sort_by_key(|priority| priority.rank());
        assert_eq!(priorities, Priority::ALL.to_vec());
        let severity: Severity = Priority::Critical;
        assert_eq!(severity.rank(), 0);
    }

    #[test]
    fn title_bounds() {
        assert_eq!(
            Title::parse("title", "  Patch VPN  ").unwrap().as_str(),
            "Patch VPN"
        );
        assert!(Title::parse("title", "   ")
            .unwrap_err()
            .fields
            .contains_key("title"));
        assert!(Title::parse("name", &"é".repeat(200)).is_ok());
        assert!(Title::parse("name", &"é".repeat(201))
            .unwrap_err()
            .fields
            .contains_key("name"));
        assert!(Title::parse("title", "two\nlines").is_err());
    }

    #[test]
    fn title_deserialises_through_parse() {
        assert!(serde_json::from_str::<Title>("\"  \"").is_err());
        let title: Title = serde_json::from_str("\" Rotate keys \"").unwrap();
        assert_eq!(title.into_inner(), "Rotate keys");
    }

    #[test]
    fn optional_text_is_trimmed_and_blank_is_none() {
        assert_eq!(parse_optional_text("note", None, 10).unwrap(), None);
        assert_eq!(parse_optional_text("note", Some("   "), 10).unwrap(), None);
        assert_eq!(
            parse_optional_text("note", Some(" done "), 10).unwrap(),
            Some("done".to_string())
        );
        assert!(parse_optional_text("note", Some(&"x".repeat(10)), 10).is_ok());
        let error = parse_optional_text("note", Some(&"x".repeat(11)), 10).unwrap_err();
        assert_eq!(error.fields["note"], "Use at most 10 characters.");
    }
}

/// Newtypes that travel as plain strings (validated on the way in) are
/// documented as strings in the OpenAPI document.
#[cfg(feature = "ssr")]
macro_rules! string_schema {
    ($($ty:ty),+ $(,)?) => {
        $(
            impl schemars::JsonSchema for $ty {
                fn schema_name() -> String {
                    stringify!($ty).rsplit("::").next().unwrap_or("String").to_string()
                }
                fn json_schema(generator: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
                    <String as schemars::JsonSchema>::json_schema(generator)
                }
            }
        )+
    };
}

#[cfg(feature = "ssr")]
string_schema!(
    Title,
    crate::domain::policy::Cidr,
    crate::domain::control::EvidenceUrl,
    crate::domain::enterprise::Slug,
    crate::domain::user::Email,
);
