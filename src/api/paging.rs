//! `?page=&page_size=` and the `{"count", "next", "previous", "results"}`
//! envelope with absolute-path links that keep the other query parameters.

use serde::{Deserialize, Serialize};

use crate::domain::error::AppError;
use crate::domain::page::{PageRequest, Paged};

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

impl PageQuery {
    pub fn page_request(&self) -> Result<PageRequest, AppError> {
        PageRequest::parse(self.page, self.page_size)
    }
}

#[derive(Debug, Serialize)]
pub struct Envelope<T> {
    pub count: i64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

/// `filters` are the other query parameters to carry into the links.
pub fn envelope<T>(path: &str, filters: &[(&str, String)], page: Paged<T>) -> Envelope<T> {
    let link = |number: u32| {
        let mut query: Vec<String> = filters
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencoding::encode(v)))
            .collect();
        query.push(format!("page={number}"));
        query.push(format!("page_size={}", page.page_size));
        format!("{path}?{}", query.join("&"))
    };
    Envelope {
        count: page.count,
        next: page.has_next().then(|| link(page.page + 1)),
        previous: page.has_previous().then(|| link(page.page - 1)),
        results: page.results,
    }
}
