//! `rampart seed-demo`: a realistic demo enterprise with one user per role.

use sqlx::PgPool;

use crate::domain::enterprise::Role;
use crate::domain::server::users::{self, NewUser};
use crate::domain::server::{enterprises, DomainResult};
use crate::domain::user::{DisplayName, Email, NewPassword};

pub const DEMO_PASSWORD_DEFAULT: &str = "rampart-demo-2026";

pub struct DemoLogin {
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
}

pub const DEMO_USERS: [DemoLogin; 3] = [
    DemoLogin {
        email: "admin@northwind.example",
        name: "Avery Admin",
        role: Role::Admin,
    },
    DemoLogin {
        email: "member@northwind.example",
        name: "Morgan Member",
        role: Role::Member,
    },
    DemoLogin {
        email: "viewer@northwind.example",
        name: "Vic Viewer (auditor)",
        role: Role::Viewer,
    },
];

/// Idempotent: running it again resets the demo users' passwords and roles.
pub async fn seed(pool: &PgPool) -> DomainResult<()> {
    let password = std::env::var("RAMPART_DEMO_PASSWORD")
        .unwrap_or_else(|_| DEMO_PASSWORD_DEFAULT.to_string());
    let enterprise_id =
        enterprises::ensure_for_cli(pool, "Northwind Health", "northwind-health").await?;
    let mut admin_id = None;
    for login in &DEMO_USERS {
        let user_id = users::upsert_for_cli(
            pool,
            NewUser {
                email: Email::parse(login.email)?,
                name: DisplayName::parse(login.name)?,
                password: NewPassword::parse("password", &password)?,
                is_staff: false,
            },
        )
        .await?;
        enterprises::set_membership_for_cli(pool, enterprise_id, user_id, login.role).await?;
        if login.role == Role::Admin {
            admin_id = Some(user_id);
        }
    }
    if let Some(admin_id) = admin_id {
        if super::demo_records::seed(pool, enterprise_id, admin_id).await? {
            println!("Demo security records created.");
        }
    }
    println!("Demo enterprise: Northwind Health ({enterprise_id})");
    println!("Demo logins (password: {password}):");
    for login in &DEMO_USERS {
        println!("  {:<7} {}", login.role.as_str(), login.email);
    }
    Ok(())
}
