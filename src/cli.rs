//! The command line (docs/behaviour.md#running): `licensedesk [SETTINGS] <serve|migrate|admin|org|license>`.

use std::{io::Read, path::PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::{
    app::{self, licenses::ImportOutcome},
    config::{Config, Settings, write_private},
    domain::{
        email::Email,
        license_key::{LicenceKeyPayload, VendorSigningKey},
        organization::{OrganizationDetails, OrganizationGuid},
        password::NewPassword,
        permissions::Role,
        products::Product,
        text,
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
    Serve {
        /// Run as a backup licensing server on a read replica: answer licence checks for
        /// known users, change nothing (docs/behaviour.md#read-only-replica).
        #[arg(long)]
        read_only: bool,
    },
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage administrators.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage organizations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Licence keys: the vendor side (keygen, issue) and import.
    #[command(subcommand)]
    License(LicenseCommand),
    /// Offline licence files.
    #[command(subcommand)]
    Offline(OfflineCommand),
    /// Fill the database with demo data (organizations, licences, mobile users); for trying
    /// LicenseDesk out and for benchmarks, never for production.
    Demo {
        /// Mobile users in all (spread over the demo organizations).
        #[arg(long, default_value_t = 150)]
        users: usize,
        /// Licences beyond the basic set, spread over the demo organizations.
        #[arg(long, default_value_t = 0)]
        licenses: usize,
        /// Devices of the first demo organization (the second gets a hundredth of them, the
        /// third a thousandth).
        #[arg(long, default_value_t = 60)]
        devices: usize,
        /// Work orders of the first demo organization's sync demo (at least 20).
        #[arg(long, default_value_t = 200)]
        records: usize,
        /// Audit entries of the first demo organization, spread over the last year (for
        /// trying the Audit page and its benchmark at size).
        #[arg(long, default_value_t = 0)]
        audit: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum OfflineCommand {
    /// Check an offline licence file's signature and print its users.
    Verify {
        file: PathBuf,
        /// The server's offline-licence public key (base64, or a file holding it).
        #[arg(long)]
        public_key: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LicenseCommand {
    /// Write a new vendor key pair as DIR/vendor.key (private, mode 0600) and DIR/vendor.pub.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Print a signed licence key.
    Issue {
        #[arg(long)]
        product: String,
        #[arg(long)]
        limit: u32,
        #[arg(long)]
        valid_from: chrono::NaiveDate,
        #[arg(long)]
        valid_till: chrono::NaiveDate,
        /// Count users active at the same time instead of assigned users.
        #[arg(long)]
        competitive: bool,
        /// GUID of an organization the licence is for (repeat for several).
        #[arg(long = "org", required = true)]
        organizations: Vec<String>,
        /// The vendor's private key file (from `license keygen`).
        #[arg(long)]
        signing_key: PathBuf,
    },
    /// Import a licence key (verified against LICENSEDESK_VENDOR_PUBLIC_KEY).
    Import { key: String },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an administrator whose password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        /// operator, admin or viewer.
        #[arg(long, value_parser = Role::parse)]
        role: Role,
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
    let mut config = Config::load(cli.settings)?;
    match cli.command.unwrap_or(Command::Serve { read_only: false }) {
        Command::License(command) => license(&config, command).await,
        Command::Offline(OfflineCommand::Verify { file, public_key }) => {
            let key_text = std::fs::read_to_string(&public_key).unwrap_or(public_key);
            let key = crate::domain::keys::PublicKey::parse(&key_text)?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let licence = crate::domain::offline_file::OfflineLicence::verify(&text, &key)?;
            println!(
                "valid offline licence of {} ({}) issued {}",
                licence.organization_id, licence.organization_url, licence.issued_at
            );
            for user in &licence.users {
                println!("{}  until {}", user.user_id, user.valid_until);
            }
            println!("{} users", licence.users.len());
            Ok(())
        }
        Command::Demo {
            users,
            licenses,
            devices,
            records,
            audit,
        } => {
            let db = storage::connect(&config.database_url).await?;
            let size = crate::demo::DemoSize {
                users,
                extra_licences: licenses,
                devices,
                records,
                audit,
            };
            for organization in crate::demo::fill(&db, &config.data_dir, size).await? {
                println!("{}  {}", organization.organization_id, organization.name);
            }
            println!(
                "demo vendor key: {} (trusted only while LICENSEDESK_VENDOR_PUBLIC_KEY is unset)",
                config
                    .data_dir
                    .join(crate::demo::DEMO_PUBLIC_KEY_FILE)
                    .display()
            );
            Ok(())
        }
        Command::Serve { read_only } => {
            config.read_only = read_only;
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
            let admin = app::administrators::create(
                &db,
                &Actor::command_line(),
                NewAdministrator {
                    organization_id,
                    display_name: text::display_name(
                        name.as_deref().unwrap_or_default(),
                        email.as_str(),
                    )?,
                    email,
                    role,
                    password_hash: Some(hash),
                },
            )
            .await
            .map_err(app::Error::into_anyhow)?;
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
            let org = app::organizations::create(&db, &Actor::command_line(), guid, details)
                .await
                .map_err(app::Error::into_anyhow)?;
            println!(
                "created organization {} with id {}",
                org.name, org.organization_id
            );
            Ok(())
        }
    }
}

async fn license(config: &Config, command: LicenseCommand) -> anyhow::Result<()> {
    match command {
        LicenseCommand::Keygen { out } => {
            std::fs::create_dir_all(&out)?;
            let key = VendorSigningKey::generate();
            let private = out.join("vendor.key");
            write_private(&private, &key.to_base64())
                .with_context(|| format!("cannot write {}", private.display()))?;
            let public = out.join("vendor.pub");
            std::fs::write(&public, key.public_key().to_base64())?;
            println!(
                "wrote {} (keep it secret) and {}",
                private.display(),
                public.display()
            );
            println!(
                "trust it with LICENSEDESK_VENDOR_PUBLIC_KEY={}",
                key.public_key().to_base64()
            );
            Ok(())
        }
        LicenseCommand::Issue {
            product,
            limit,
            valid_from,
            valid_till,
            competitive,
            organizations,
            signing_key,
        } => {
            let signing = std::fs::read_to_string(&signing_key)
                .with_context(|| format!("cannot read {}", signing_key.display()))?;
            let signing = VendorSigningKey::parse(&signing)?;
            let organizations = organizations
                .iter()
                .map(|guid| OrganizationGuid::parse(guid).map(OrganizationGuid::into_uuid))
                .collect::<Result<Vec<_>, _>>()?;
            let key = signing.issue(&LicenceKeyPayload {
                licence_id: uuid::Uuid::new_v4(),
                product: Product::parse(&product)?,
                valid_from,
                valid_till,
                limit,
                competitive,
                organizations,
                issued_at: chrono::Utc::now(),
            })?;
            println!("{key}");
            Ok(())
        }
        LicenseCommand::Import { key } => {
            let vendor = config
                .vendor_public_key()?
                .context("set LICENSEDESK_VENDOR_PUBLIC_KEY to the vendor's public key first")?;
            let db = storage::connect(&config.database_url).await?;
            let outcome =
                app::licenses::import_key(&db, &vendor, &Actor::command_line(), &key, None)
                    .await
                    .map_err(app::Error::into_anyhow)?;
            match outcome {
                ImportOutcome::Imported(licence) => println!(
                    "imported {} licence {} ({} seats, {} to {})",
                    licence.product,
                    licence.licence_id,
                    licence.seat_limit,
                    licence.valid_from,
                    licence.valid_till
                ),
                ImportOutcome::AlreadyImported(licence) => {
                    println!(
                        "licence {} was already imported: nothing changed",
                        licence.licence_id
                    )
                }
            }
            Ok(())
        }
    }
}
