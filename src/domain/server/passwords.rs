//! Password hashing: argon2id with the crate's defaults (OWASP's
//! recommended parameters), run off the async runtime.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use super::error::{DomainError, DomainResult};

pub async fn hash(password: String) -> DomainResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| DomainError::Internal(format!("hashing failed: {e}")))
    })
    .await
    .map_err(|e| DomainError::Internal(e.to_string()))?
}

/// Verifies against the stored hash; with no stored hash (unknown user) a
/// dummy hash is checked anyway so that timing does not reveal which e-mail
/// addresses exist.
pub async fn verify(password: String, stored: Option<String>) -> DomainResult<bool> {
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| DomainError::Internal(format!("stored hash unreadable: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| DomainError::Internal(e.to_string()))?
}

/// The argon2id hash of a random string nobody knows, with default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2pM4QI4s6oZqkBWyXCU6Vq7rGmHa2GtvfY7p6H9cGJc";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(stored.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong".into(), Some(stored)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        assert!(!verify("anything".into(), None).await.unwrap());
    }
}
