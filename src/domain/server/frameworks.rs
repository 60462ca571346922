//! Framework catalogues: the built-in nine (synchronised at start-up) and
//! `rampart frameworks import FILE`, through one import path.

use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::error::{DomainError, DomainResult};
use crate::domain::error::AppError;
use crate::domain::framework::{
    CatalogueFile, CatalogueRequirement, Framework, SHIPPED_CATALOGUES,
};

#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub framework_id: Uuid,
    pub slug: String,
    pub created: bool,
    pub requirements_added: u64,
    pub requirements_retitled: u64,
}

/// Imports one catalogue. Idempotent: importing the same file twice changes
/// nothing. A file whose slug exists with another version, or that moves,
/// removes or re-parents existing requirements, is refused: a new version
/// of a framework is a new framework with its own slug.
pub async fn import(pool: &PgPool, file: &CatalogueFile) -> DomainResult<ImportOutcome> {
    file.validate()
        .map_err(|e| AppError::new(crate::domain::error::ErrorCode::Invalid, e.to_string()))?;
    let mut tx = pool.begin().await?;
    // Replicas starting together import one after the other.
    sqlx::query!("SELECT pg_advisory_xact_lock(7412001)")
        .execute(&mut *tx)
        .await?;

    let existing = sqlx::query!(
        "SELECT id, name, version FROM frameworks WHERE slug = $1",
        file.slug
    )
    .fetch_optional(&mut *tx)
    .await?;
    let (framework_id, created) = match existing {
        Some(row) if row.name != file.name || row.version != file.version => {
            return Err(AppError::conflict(format!(
                "The slug {} already names {} {}; give a new version its own slug.",
                file.slug, row.name, row.version
            ))
            .into());
        }
        Some(row) => {
            sqlx::query!(
                "UPDATE frameworks SET description = $2, issuing_body = $3, reference_url = $4 WHERE id = $1",
                row.id,
                file.description,
                file.issuing_body,
                file.reference_url,
            )
            .execute(&mut *tx)
            .await?;
            (row.id, false)
        }
        None => {
            let id = sqlx::query_scalar!(
                r#"INSERT INTO frameworks (slug, name, version, description, issuing_body, reference_url)
                   VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"#,
                file.slug,
                file.name,
                file.version,
                file.description,
                file.issuing_body,
                file.reference_url,
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                if super::error::is_unique_violation(&e, "frameworks_name_version_key") {
                    AppError::conflict(format!(
                        "{} {} already exists under another slug.",
                        file.name, file.version
                    ))
                    .into()
                } else {
                    DomainError::from(e)
                }
            })?;
            (id, true)
        }
    };

    let current = sqlx::query!(
        "SELECT reference, title, parent_reference, depth, assessable FROM requirements WHERE framework_id = $1",
        framework_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut problems = Vec::new();
    for row in &current {
        match file
            .requirements
            .iter()
            .find(|r| r.reference == row.reference)
        {
            None => problems.push(format!("{} would be removed", row.reference)),
            Some(r)
                if r.parent_reference != row.parent_reference
                    || r.depth != row.depth
                    || r.assessable != row.assessable =>
            {
                problems.push(format!("{} would move in the tree", row.reference))
            }
            Some(_) => {}
        }
    }
    if !problems.is_empty() {
        return Err(AppError::conflict(format!(
            "This file changes the existing catalogue of {} ({}); import it as a new framework version instead.",
            file.slug,
            problems.join(", ")
        ))
        .into());
    }

    // Two set-based statements, whatever the catalogue's size.
    let mut new_rows = NewRows::default();
    let mut retitled_rows: (Vec<String>, Vec<String>, Vec<i32>) = Default::default();
    for (position, entry) in file.requirements.iter().enumerate() {
        match current.iter().find(|r| r.reference == entry.reference) {
            Some(row) if row.title == entry.title => {}
            Some(_) => {
                retitled_rows.0.push(entry.reference.clone());
                retitled_rows.1.push(entry.title.clone());
                retitled_rows.2.push(position as i32);
            }
            None => {
                new_rows.references.push(entry.reference.clone());
                new_rows.titles.push(entry.title.clone());
                new_rows.parents.push(entry.parent_reference.clone());
                new_rows.depths.push(entry.depth);
                new_rows.assessable.push(entry.assessable);
                new_rows.positions.push(position as i32);
            }
        }
    }
    let added = sqlx::query!(
        r#"INSERT INTO requirements (framework_id, reference, title, parent_reference, depth, assessable, position)
           SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::int4[], $6::bool[], $7::int4[])"#,
        framework_id,
        &new_rows.references,
        &new_rows.titles,
        &new_rows.parents as &[Option<String>],
        &new_rows.depths,
        &new_rows.assessable,
        &new_rows.positions,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let retitled = sqlx::query!(
        r#"UPDATE requirements r SET title = u.title, position = u.position
             FROM UNNEST($2::text[], $3::text[], $4::int4[]) AS u(reference, title, position)
            WHERE r.framework_id = $1 AND r.reference = u.reference"#,
        framework_id,
        &retitled_rows.0,
        &retitled_rows.1,
        &retitled_rows.2,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if created || added > 0 || retitled > 0 {
        super::audit::record(
            &mut tx,
            None,
            super::audit::Entry {
                enterprise_id: None,
                entity_type: "framework",
                entity_id: framework_id.to_string(),
                action: if created {
                    "import"
                } else {
                    "update_catalogue"
                },
                changes: serde_json::json!({
                    "slug": {"before": null, "after": file.slug},
                    "requirements_added": {"before": null, "after": added},
                    "requirements_retitled": {"before": null, "after": retitled},
                }),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ImportOutcome {
        framework_id,
        slug: file.slug.clone(),
        created,
        requirements_added: added,
        requirements_retitled: retitled,
    })
}

#[derive(Default)]
struct NewRows {
    references: Vec<String>,
    titles: Vec<String>,
    parents: Vec<Option<String>>,
    depths: Vec<i32>,
    assessable: Vec<bool>,
    positions: Vec<i32>,
}

/// Loads the shipped catalogues; run at every start, after the migrations.
pub async fn sync_builtin(pool: &PgPool) -> DomainResult<()> {
    for (name, text) in SHIPPED_CATALOGUES {
        let file = CatalogueFile::parse_json(text).map_err(|e| {
            DomainError::Internal(format!("built-in catalogue {name} is broken: {e}"))
        })?;
        import(pool, &file).await?;
    }
    Ok(())
}

pub async fn list(pool: &PgPool, name: Option<&str>) -> DomainResult<Vec<Framework>> {
    Ok(sqlx::query_as!(
        Framework,
        r#"
        SELECT f.id, f.slug, f.name, f.version, f.description, f.issuing_body, f.reference_url,
               (SELECT count(*) FROM requirements r WHERE r.framework_id = f.id AND r.assessable) AS "requirement_count!"
          FROM frameworks f
         WHERE $1::text IS NULL OR f.name ILIKE '%' || $1 || '%' OR f.slug = $1
         ORDER BY f.name, f.version
        "#,
        name,
    )
    .fetch_all(pool)
    .await?)
}

/// One framework by id or slug; 404 when neither matches.
pub async fn get(pool: &PgPool, id_or_slug: &str) -> DomainResult<Framework> {
    let id = Uuid::parse_str(id_or_slug).ok();
    sqlx::query_as!(
        Framework,
        r#"
        SELECT f.id, f.slug, f.name, f.version, f.description, f.issuing_body, f.reference_url,
               (SELECT count(*) FROM requirements r WHERE r.framework_id = f.id AND r.assessable) AS "requirement_count!"
          FROM frameworks f
         WHERE f.id = $1 OR f.slug = $2
        "#,
        id,
        id_or_slug,
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::not_found().into())
}

/// A framework's catalogue in tree order (parents before children).
pub async fn requirements(
    pool: &PgPool,
    id_or_slug: &str,
) -> DomainResult<Vec<CatalogueRequirement>> {
    let framework = get(pool, id_or_slug).await?;
    Ok(sqlx::query_as!(
        CatalogueRequirement,
        r#"SELECT id, framework_id, reference, title, parent_reference, depth, assessable
             FROM requirements WHERE framework_id = $1 ORDER BY position"#,
        framework.id,
    )
    .fetch_all(pool)
    .await?)
}

/// Resolves framework ids or slugs to (id, slug); unknown ones are a 400
/// naming them under `field`.
pub async fn resolve(
    pool: &PgPool,
    references: &[String],
    field: &str,
) -> DomainResult<Vec<(Uuid, String)>> {
    let ids: Vec<Uuid> = references
        .iter()
        .filter_map(|r| Uuid::parse_str(r).ok())
        .collect();
    let rows = sqlx::query!(
        "SELECT id, slug FROM frameworks WHERE id = ANY($1) OR slug = ANY($2)",
        &ids,
        references,
    )
    .fetch_all(pool)
    .await?;
    let unknown: Vec<&str> = references
        .iter()
        .filter(|r| {
            !rows
                .iter()
                .any(|row| &row.slug == *r || row.id.to_string() == **r)
        })
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(
            AppError::field(field, format!("Unknown framework: {}.", unknown.join(", "))).into(),
        );
    }
    let mut resolved: Vec<(Uuid, String)> = Vec::new();
    for reference in references {
        if let Some(row) = rows
            .iter()
            .find(|row| &row.slug == reference || row.id.to_string() == *reference)
        {
            if !resolved.iter().any(|(id, _)| *id == row.id) {
                resolved.push((row.id, row.slug.clone()));
            }
        }
    }
    Ok(resolved)
}
