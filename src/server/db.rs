//! The connection pool and the start-up migration.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use crate::domain::server::{frameworks, DomainResult};

pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
}

/// Applies pending migrations, then loads the shipped framework catalogues.
/// sqlx holds a Postgres advisory lock while it migrates and the catalogue
/// import takes its own, so replicas starting together do each step once.
pub async fn migrate(pool: &PgPool) -> DomainResult<()> {
    sqlx::migrate!("./migrations").run(pool).await?;
    frameworks::sync_builtin(pool).await
}
