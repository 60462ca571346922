//! `rampart [serve|migrate|create-admin|seed-demo]`.

use clap::{Parser, Subcommand};
use leptos::config::get_configuration;

use super::config::Config;
use super::{db, demo, startup, telemetry};
use crate::domain::framework::CatalogueFile;
use crate::domain::server::frameworks;
use crate::domain::server::users::{self, NewUser};
use crate::domain::user::{DisplayName, Email, NewPassword};

#[derive(Parser)]
#[command(
    name = "rampart",
    version,
    about = "Enterprise security and compliance manager"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the application (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a staff user, or reset the password of an existing one.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Create (or refresh) the demo enterprise and its three users.
    SeedDemo,
    /// Framework catalogues.
    Frameworks {
        #[command(subcommand)]
        command: FrameworksCommand,
    },
}

#[derive(Subcommand)]
enum FrameworksCommand {
    /// Validate and import a catalogue JSON file (idempotent).
    Import { file: std::path::PathBuf },
}

pub async fn run() -> Result<(), Box<dyn std::error::Error>> {
    telemetry::init();
    let cli = Cli::parse();
    let config = Config::from_env()?;
    let pool = db::connect(&config.database_url, config.database_max_connections).await?;
    db::migrate(&pool).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let leptos = get_configuration(Some("Leptos.toml"))?;
            let addr = leptos.leptos_options.site_addr;
            let listener = tokio::net::TcpListener::bind(addr).await?;
            tracing::info!("Rampart listening on http://{addr}");
            startup::serve(
                listener,
                startup::state(pool, leptos.leptos_options, config),
            )
            .await?;
        }
        Command::Migrate => println!("Database is up to date."),
        Command::CreateAdmin { email, name } => {
            let password = match std::env::var("RAMPART_ADMIN_PASSWORD") {
                Ok(password) => password,
                Err(_) => rpassword::prompt_password("Password for the new admin: ")?,
            };
            let user = NewUser {
                email: Email::parse(&email)?,
                name: DisplayName::parse(&name)?,
                password: NewPassword::parse("password", &password)?,
                is_staff: true,
            };
            users::upsert_for_cli(&pool, user).await?;
            println!("Staff user {} is ready.", email.trim().to_lowercase());
        }
        Command::SeedDemo => demo::seed(&pool).await?,
        Command::Frameworks {
            command: FrameworksCommand::Import { file },
        } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let catalogue = CatalogueFile::parse_json(&text)?;
            let outcome = frameworks::import(&pool, &catalogue).await?;
            println!(
                "{} {}: {} requirements added, {} retitled.",
                if outcome.created {
                    "Imported"
                } else {
                    "Updated"
                },
                outcome.slug,
                outcome.requirements_added,
                outcome.requirements_retitled
            );
        }
    }
    Ok(())
}
