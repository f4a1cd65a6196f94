//! The command line (§8): `licensedesk [SETTINGS] <serve|migrate|admin|org>`.

use std::io::Read;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use sea_orm::TransactionTrait;

use crate::{
    config::{Config, Settings},
    domain::{
        email::Email,
        organization::{OrganizationDetails, OrganizationGuid},
        password::NewPassword,
        permissions::Role,
    },
    startup::Application,
    storage::{self, administrators::NewAdministrator, audit::Actor},
};

#[derive(Debug, Parser)]
#[command(
    name = "licensedesk",
    version,
    about = "Back office for the licences of mobile field apps"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web UI and the API (the default).
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage administrators.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage organizations.
    #[command(subcommand)]
    Org(OrgCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an administrator whose password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["operator", "admin", "viewer"])]
        role: String,
        /// GUID of the organization (not for operators).
        #[arg(long)]
        org: Option<String>,
        /// Name shown in the UI; the email when omitted.
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization.
    Create {
        #[arg(long)]
        name: String,
        /// The GUID mobile clients send; a new one when omitted.
        #[arg(long)]
        org_id: Option<String>,
        #[arg(long)]
        url: String,
        /// Last day of the trial (YYYY-MM-DD).
        #[arg(long)]
        trial_until: Option<chrono::NaiveDate>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.settings)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(config).await?;
            app.run_until_stopped().await
        }
        Command::Migrate => {
            storage::connect(&config.database_url).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Admin(AdminCommand::Create {
            email,
            role,
            org,
            name,
            password_stdin: _,
        }) => {
            let db = storage::connect(&config.database_url).await?;
            let email = Email::parse(&email)?;
            let role = Role::parse(&role)?;
            let organization_id = match (role.is_global(), org) {
                (true, None) => None,
                (true, Some(_)) => bail!("operators are global: leave out --org"),
                (false, None) => bail!("--org is required for the {role} role"),
                (false, Some(guid)) => {
                    let guid = OrganizationGuid::parse(&guid)?;
                    let org = storage::organizations::find_by_guid(&db, guid)
                        .await?
                        .with_context(|| format!("no organization has the id {guid}"))?;
                    Some(org.id)
                }
            };
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let hash = NewPassword::parse(password, password)?.hash()?;
            let txn = db.begin().await?;
            let admin = storage::administrators::create(
                &txn,
                &Actor::command_line(),
                NewAdministrator {
                    organization_id,
                    display_name: name.unwrap_or_else(|| email.to_string()),
                    email,
                    role,
                    password_hash: Some(hash),
                },
            )
            .await?;
            txn.commit().await?;
            println!(
                "created {} administrator {} (id {})",
                admin.role, admin.email, admin.id
            );
            Ok(())
        }
        Command::Org(OrgCommand::Create {
            name,
            org_id,
            url,
            trial_until,
        }) => {
            let db = storage::connect(&config.database_url).await?;
            let guid = match org_id {
                Some(id) => OrganizationGuid::parse(&id)?,
                None => OrganizationGuid::new_random(),
            };
            let details = OrganizationDetails::parse(&name, &url, trial_until)?;
            let txn = db.begin().await?;
            let org =
                storage::organizations::create(&txn, &Actor::command_line(), guid, details).await?;
            txn.commit().await?;
            println!(
                "created organization {} with id {}",
                org.name, org.organization_id
            );
            Ok(())
        }
    }
}
