//! Pagination shared by every list: `?page=&page_size=` in, the DRF-style
//! envelope out.

use serde::{Deserialize, Serialize};

use super::error::AppError;

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;

/// A validated page request: page ≥ 1, 1 ≤ page_size ≤ 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    page: u32,
    page_size: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl PageRequest {
    /// Absent values take their defaults; present ones must be in range.
    pub fn parse(page: Option<i64>, page_size: Option<i64>) -> Result<Self, AppError> {
        let page = match page {
            None => 1,
            Some(p) if (1..=1_000_000).contains(&p) => p as u32,
            Some(_) => return Err(AppError::field("page", "Page must be 1 or more.")),
        };
        let page_size = match page_size {
            None => DEFAULT_PAGE_SIZE,
            Some(s) if (1..=MAX_PAGE_SIZE as i64).contains(&s) => s as u32,
            Some(_) => {
                return Err(AppError::field(
                    "page_size",
                    format!("Page size must be between 1 and {MAX_PAGE_SIZE}."),
                ))
            }
        };
        Ok(PageRequest { page, page_size })
    }

    pub fn page(&self) -> u32 {
        self.page
    }

    pub fn limit(&self) -> i64 {
        self.page_size as i64
    }

    pub fn offset(&self) -> i64 {
        (self.page as i64 - 1) * self.page_size as i64
    }

    pub fn page_size(&self) -> u32 {
        self.page_size
    }
}

/// `{"count", "next", "previous", "results"}`; `next`/`previous` are page
/// numbers here and become URLs at the REST edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paged<T> {
    pub count: i64,
    pub page: u32,
    pub page_size: u32,
    pub results: Vec<T>,
}

impl<T> Paged<T> {
    pub fn new(request: PageRequest, count: i64, results: Vec<T>) -> Self {
        Paged {
            count,
            page: request.page(),
            page_size: request.page_size(),
            results,
        }
    }

    pub fn has_next(&self) -> bool {
        (self.page as i64) * (self.page_size as i64) < self.count
    }

    pub fn has_previous(&self) -> bool {
        self.page > 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_absent() {
        let request = PageRequest::parse(None, None).unwrap();
        assert_eq!(
            (request.page(), request.limit(), request.offset()),
            (1, 50, 0)
        );
    }

    #[test]
    fn offset_follows_page() {
        let request = PageRequest::parse(Some(3), Some(20)).unwrap();
        assert_eq!(request.offset(), 40);
    }

    #[test]
    fn out_of_range_names_the_field() {
        assert!(PageRequest::parse(Some(0), None)
            .unwrap_err()
            .fields
            .contains_key("page"));
        assert!(PageRequest::parse(None, Some(201))
            .unwrap_err()
            .fields
            .contains_key("page_size"));
        assert!(PageRequest::parse(None, Some(0)).is_err());
        assert!(PageRequest::parse(None, Some(200)).is_ok());
    }

    #[test]
    fn next_and_previous() {
        let request = PageRequest::parse(Some(2), Some(10)).unwrap();
        let page: Paged<u8> = Paged::new(request, 25, vec![]);
        assert!(page.has_next() && page.has_previous());
        let last: Paged<u8> =
            Paged::new(PageRequest::parse(Some(3), Some(10)).unwrap(), 25, vec![]);
        assert!(!last.has_next());
    }
}

/// `?ordering=field` or `?ordering=-field`, checked against the fields a
/// list documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ordering(String);

impl Ordering {
    pub fn parse(raw: Option<&str>, allowed: &[&str], default: &str) -> Result<Self, AppError> {
        let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
            return Ok(Ordering(default.to_string()));
        };
        let field = raw.strip_prefix('-').unwrap_or(raw);
        if allowed.contains(&field) {
            Ok(Ordering(raw.to_string()))
        } else {
            Err(AppError::field(
                "ordering",
                format!(
                    "Order by one of: {} (prefix - for descending).",
                    allowed.join(", ")
                ),
            ))
        }
    }

    /// The key the SQL matches on, e.g. `-created_at`.
    pub fn key(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod ordering_tests {
    use super::Ordering;

    #[test]
    fn whitelisted_fields_only() {
        let allowed = ["created_at", "title"];
        assert_eq!(
            Ordering::parse(None, &allowed, "-created_at")
                .unwrap()
                .key(),
            "-created_at"
        );
        assert_eq!(
            Ordering::parse(Some("title"), &allowed, "-created_at")
                .unwrap()
                .key(),
            "title"
        );
        assert_eq!(
            Ordering::parse(Some("-title"), &allowed, "x")
                .unwrap()
                .key(),
            "-title"
        );
        let error = Ordering::parse(Some("password_hash"), &allowed, "x").unwrap_err();
        assert!(error.fields.contains_key("ordering"));
    }
}
