use leptos::prelude::*;

use crate::domain::error::AppError;
use crate::domain::user::SessionUser;

/// Signs in and redirects to `next` (a local path) or `/`.
#[server(prefix = "/sfn", endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use super::context::{fail, state};
    use crate::domain::server::users;
    use crate::server::auth::start_session;
    use tower_sessions::Session;

    let state = state();
    let user = users::authenticate(&state.pool, &email, &password)
        .await
        .map_err(fail)?
        .ok_or_else(|| {
            fail(AppError::new(
                crate::domain::error::ErrorCode::Unauthenticated,
                "The e-mail address or password is not correct.",
            ))
        })?;
    let session: Session = leptos_axum::extract()
        .await
        .map_err(|_| AppError::internal())?;
    start_session(&session, user.id).await.map_err(fail)?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use super::context::fail;
    use crate::server::auth::end_session;
    use tower_sessions::Session;

    let session: Session = leptos_axum::extract()
        .await
        .map_err(|_| AppError::internal())?;
    end_session(&session).await.map_err(fail)?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    use super::context::caller_or_401;
    match caller_or_401().await {
        Ok((_, user)) => Ok(Some(user)),
        Err(error) if error.code == crate::domain::error::ErrorCode::Unauthenticated => Ok(None),
        Err(error) => Err(error),
    }
}

/// Only local paths are followed after login: `//evil.example` and
/// absolute URLs would make the login page an open redirect.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            safe_next(Some("/enterprise/x/security?tab=audits")),
            "/enterprise/x/security?tab=audits"
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "evil",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad} followed");
        }
        assert_eq!(safe_next(None), "/");
    }
}
