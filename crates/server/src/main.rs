//! `cunju-server`: run the sync server, or administer its database from the command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use cunju_domain::authz::{Role, check_password};
use cunju_domain::ids::UnitId;
use cunju_server::store::{Store, UserUpdate, db_text, from_db_text};
use cunju_server::units::{self, ImportError};
use cunju_server::{AppState, auth, backup, build_app, bundle, now_ms, seed, verify};

#[derive(Parser)]
#[command(
    name = "cunju-server",
    version,
    about = "村居台账 Cunju — sync and administration server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Db {
    /// Database URL: sqlite://PATH (file and directory are created) or postgres://USER@HOST/DB
    #[arg(long, env = "CUNJU_DB", default_value = "sqlite://data/cunju.db")]
    db: String,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (API and the built app); migrates the database first.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        #[command(flatten)]
        db: Db,
        /// Directory of the built app (Trunk's output).
        #[arg(long, default_value = "dist")]
        static_dir: PathBuf,
    },
    /// Create or update the database schema.
    Migrate {
        #[command(flatten)]
        db: Db,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import or export the jurisdiction tree (units) as CSV.
    Units {
        #[command(subcommand)]
        command: UnitsCommand,
    },
    /// List devices, or revoke a lost one (its events are refused, its sessions end).
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Back up the database to a new file while the server runs. SQLite: a consistent copy
    /// (VACUUM INTO). PostgreSQL: pg_dump --format=custom of the server's schema.
    Backup {
        #[command(flatten)]
        db: Db,
        /// The backup file to write (must not exist yet).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup, after checking its integrity and every hash chain. SQLite: replaces
    /// the database file (stop the server first; a database holding data needs --force and is
    /// kept as FILE.before-restore). PostgreSQL: pg_restore into a database without the schema.
    Restore {
        #[command(flatten)]
        db: Db,
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// Replace a SQLite database that already holds data.
        #[arg(long)]
        force: bool,
    },
    /// Import a device's bundle file (events carried from a place with no network).
    Bundle {
        #[command(subcommand)]
        command: BundleCommand,
    },
    /// Recompute every device's hash chain; exit code 1 if any chain is broken.
    Verify {
        #[command(flatten)]
        db: Db,
    },
    /// Create the fictional demo district 演示区(虚构): 3 townships, 30 villages and
    /// communities, 20,000 residents with some families linked, and one account per role
    /// (password demo1234). Safe to run again.
    SeedDemo {
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// List accounts (optionally only those within a unit's jurisdiction).
    List {
        #[command(flatten)]
        db: Db,
        /// Only accounts whose scope lies within this unit (e.g. 5099001).
        #[arg(long)]
        scope: Option<String>,
    },
    /// Create a user account.
    Add {
        #[command(flatten)]
        db: Db,
        /// 2–32 letters, digits or _ . - (e.g. li-shiqiao).
        #[arg(long)]
        username: String,
        /// Initial password, at least 8 characters (or set CUNJU_PASSWORD to keep it out of
        /// the shell history).
        #[arg(long, env = "CUNJU_PASSWORD", hide_env_values = true)]
        password: String,
        /// Role: village_official, township_supervisor, township_reviewer, district_admin,
        /// review_department, trainer, city_viewer.
        #[arg(long)]
        role: String,
        /// Code of the unit the user's jurisdiction starts at (e.g. 5099).
        #[arg(long)]
        scope: String,
        /// Display name (e.g. 张三).
        #[arg(long)]
        name: String,
        /// For a review_department user: the department (public_security,
        /// discipline_supervision, court, …).
        #[arg(long)]
        department: Option<String>,
    },
    /// Set a user's password (and sign them out everywhere).
    Passwd {
        #[command(flatten)]
        db: Db,
        /// The account's username.
        #[arg(long)]
        username: String,
        /// New password, at least 8 characters (or set CUNJU_PASSWORD).
        #[arg(long, env = "CUNJU_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Disable an account (it cannot sign in; its sessions end), or enable it again.
    Disable {
        #[command(flatten)]
        db: Db,
        /// The account's username.
        #[arg(long)]
        username: String,
        /// Enable the account again instead.
        #[arg(long)]
        enable: bool,
    },
    /// Change a user's role, and optionally their jurisdiction.
    SetRole {
        #[command(flatten)]
        db: Db,
        /// The account's username.
        #[arg(long)]
        username: String,
        /// Role: village_official, township_supervisor, township_reviewer, district_admin,
        /// review_department, trainer, city_viewer.
        #[arg(long)]
        role: String,
        /// New jurisdiction: code of a unit (e.g. 5099001).
        #[arg(long)]
        scope: Option<String>,
    },
}

#[derive(Subcommand)]
enum BundleCommand {
    /// Check the file, then store each event as if its author had pushed it (same rules;
    /// importing twice changes nothing). Exit code 1 if any event was refused.
    Import {
        #[command(flatten)]
        db: Db,
        /// The bundle file (.cunju.json) exported by the app.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// List the devices that have stored events (optionally of accounts within a unit).
    List {
        #[command(flatten)]
        db: Db,
        /// Only devices of accounts whose scope lies within this unit (e.g. 5099001).
        #[arg(long)]
        scope: Option<String>,
    },
    /// Revoke a device (a lost or stolen phone): the server refuses its events from now on
    /// and signs out every session it used. Records already stored stay.
    Revoke {
        #[command(flatten)]
        db: Db,
        /// The device id, as `device list` shows it.
        #[arg(long)]
        device: String,
    },
}

#[derive(Subcommand)]
enum UnitsCommand {
    /// Import units from a CSV file (代码,名称,类型,上级代码), UTF-8 or GBK/GB18030. Every row
    /// must be valid: otherwise every problem is listed by line and nothing is imported.
    /// Units already present are left alone; a new name is recorded as a rename.
    Import {
        #[command(flatten)]
        db: Db,
        /// The CSV file.
        file: PathBuf,
    },
    /// Write the units as CSV (UTF-8 with BOM, the import format) to standard output.
    Export {
        #[command(flatten)]
        db: Db,
        /// Only this unit and the units under it (e.g. 5099001).
        #[arg(long)]
        scope: Option<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    match run(Cli::parse().command).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type AnyError = Box<dyn std::error::Error>;

async fn open(db: &Db) -> Result<Store, AnyError> {
    let store = Store::connect(&db.db).await?;
    store.migrate().await?;
    Ok(store)
}

async fn run(command: Command) -> Result<ExitCode, AnyError> {
    match command {
        Command::Serve {
            listen,
            db,
            static_dir,
        } => {
            let store = open(&db).await?;
            if !static_dir.join("index.html").is_file() {
                tracing::warn!(
                    "{} has no index.html: build the app first (cargo xtask serve); serving the API only",
                    static_dir.display()
                );
            }
            let app = build_app(AppState {
                store: store.clone(),
                static_dir: Some(static_dir),
            })
            .await;
            let listener = tokio::net::TcpListener::bind(listen).await?;
            println!(
                "Cunju server on http://{} (database: {})",
                listener.local_addr()?,
                store.backend().name()
            );
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown_signal())
                .await?;
            store.close().await;
        }
        Command::Migrate { db } => {
            open(&db).await?;
            println!("database is up to date");
        }
        Command::User { command } => return user_command(command).await,
        Command::Units { command } => return units_command(command).await,
        Command::Device { command } => return device_command(command).await,
        Command::Bundle {
            command: BundleCommand::Import { db, file },
        } => {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let store = open(&db).await?;
            let report = bundle::import_file(&store, &bytes, now_ms()).await?;
            println!(
                "导入：新增 {} 条，已有 {} 条，拒收 {} 条 / imported: {} new, {} already stored, {} refused",
                report.accepted,
                report.duplicate,
                report.rejected.len(),
                report.accepted,
                report.duplicate,
                report.rejected.len()
            );
            for (seq, reason, detail) in &report.rejected {
                println!("  refused seq {seq}: {reason}: {detail}");
            }
            if !report.rejected.is_empty() {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Backup { db, out } => {
            let s = backup::backup(&db.db, &out).await?;
            println!(
                "备份完成 / backup written to {}: {} events from {} devices, {} accounts",
                out.display(),
                s.events,
                s.devices,
                s.users
            );
        }
        Command::Restore { db, from, force } => {
            let s = backup::restore(&db.db, &from, force).await?;
            println!(
                "恢复完成，哈希链完整 / restored from {}: {} events from {} devices, {} accounts; all hash chains intact",
                from.display(),
                s.events,
                s.devices,
                s.users
            );
        }
        Command::Verify { db } => {
            let store = open(&db).await?;
            let breaks = verify::verify(&store).await?;
            if breaks.is_empty() {
                println!("all hash chains intact");
            } else {
                for b in &breaks {
                    println!("BROKEN {b}");
                }
                println!("{} problem(s) found", breaks.len());
                return Ok(ExitCode::from(1));
            }
        }
        Command::SeedDemo { db } => {
            let store = open(&db).await?;
            let report = seed::seed_demo(&store).await?;
            println!("demo district 5099 演示区(虚构) ready");
            if report.units_recorded + report.people_recorded + report.links_recorded == 0 {
                println!("  everything was already there; nothing recorded");
            } else {
                println!(
                    "  recorded {} units, {} residents and {} family links in {:.2} s ({})",
                    report.units_recorded,
                    report.people_recorded,
                    report.links_recorded,
                    report.write_time.as_secs_f64(),
                    store.backend().name()
                );
            }
            println!("accounts (password {}):", seed::DEMO_PASSWORD);
            for a in report.accounts {
                println!(
                    "  {:<22} {:<20} scope {:<10} {}",
                    a.username, a.role, a.scope, a.display_name
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn user_command(command: UserCommand) -> Result<ExitCode, AnyError> {
    match command {
        UserCommand::List { db, scope } => {
            let store = open(&db).await?;
            let scope = scope.map(|s| parse_unit(&s)).transpose()?;
            let users = store
                .users_within(&scope.as_ref().map(db_text).unwrap_or_default())
                .await?;
            println!(
                "{:<22} {:<20} {:<12} {:<8} name",
                "username", "role", "scope", "status"
            );
            for u in &users {
                println!(
                    "{:<22} {:<20} {:<12} {:<8} {}",
                    u.username,
                    u.role,
                    u.scope,
                    if u.disabled { "disabled" } else { "active" },
                    u.display_name
                );
            }
            println!("{} account(s)", users.len());
        }
        UserCommand::Add {
            db,
            username,
            password,
            role,
            scope,
            name,
            department,
        } => {
            let store = open(&db).await?;
            let mut user = seed::new_user(&username, &password, &role, &scope, &name)?;
            user.department = seed::eligibility::department_for(&user.role, department.as_deref())?;
            let unit = parse_unit(&scope)?;
            store.insert_user(&user, now_ms()).await?;
            println!("created user {} ({role}, scope {scope})", user.username);
            if !store.unit_recorded(&unit).await? {
                println!(
                    "warning: unit {scope} has not been recorded yet; import the unit tree (units import)"
                );
            }
        }
        UserCommand::Passwd {
            db,
            username,
            password,
        } => {
            check_password(&password).map_err(|e| format!("{} / {e}", e.message_zh()))?;
            let store = open(&db).await?;
            let hash = auth::hash_password(&password);
            if !store.set_password(&username, &hash, None, now_ms()).await? {
                return Err(no_such_user(&username));
            }
            println!("password changed for {username}; their sessions were signed out");
        }
        UserCommand::Disable {
            db,
            username,
            enable,
        } => {
            let store = open(&db).await?;
            if !store.set_disabled(&username, !enable, now_ms()).await? {
                return Err(no_such_user(&username));
            }
            if enable {
                println!("enabled {username}");
            } else {
                println!("disabled {username}; their sessions were signed out");
            }
        }
        UserCommand::SetRole {
            db,
            username,
            role,
            scope,
        } => {
            let parsed: Role = from_db_text(&role).map_err(|_| {
                format!("unknown role {role:?}; roles: {}", role_names().join(", "))
            })?;
            let scope = scope.map(|s| parse_unit(&s)).transpose()?;
            let store = open(&db).await?;
            let update = UserUpdate {
                role: Some(db_text(&parsed)),
                scope: scope.as_ref().map(db_text),
                display_name: None,
            };
            if !store.update_user(&username, &update).await? {
                return Err(no_such_user(&username));
            }
            println!("{username} is now {role}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn device_command(command: DeviceCommand) -> Result<ExitCode, AnyError> {
    match command {
        DeviceCommand::List { db, scope } => {
            let store = open(&db).await?;
            let scope = scope.map(|s| parse_unit(&s)).transpose()?;
            let devices = store
                .devices_within(&scope.as_ref().map(db_text).unwrap_or_default())
                .await?;
            println!(
                "{:<40} {:<22} {:>7} {:<20} status",
                "device", "username", "events", "last seen (UTC)"
            );
            for d in &devices {
                println!(
                    "{:<40} {:<22} {:>7} {:<20} {}",
                    d.device,
                    d.username,
                    d.events,
                    utc(d.last_seen),
                    d.revoked_at
                        .map_or_else(|| "active".to_string(), |t| format!("revoked {}", utc(t)))
                );
            }
            println!("{} device(s)", devices.len());
        }
        DeviceCommand::Revoke { db, device } => {
            let store = open(&db).await?;
            match store.revoke_device(&device, "cli", now_ms()).await? {
                Some(tokens) => println!(
                    "已停用设备 {device}，注销 {tokens} 个登录 / revoked device {device}; {tokens} session(s) signed out"
                ),
                None => return Err(format!("no device {device:?}; see `device list`").into()),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

async fn units_command(command: UnitsCommand) -> Result<ExitCode, AnyError> {
    match command {
        UnitsCommand::Import { db, file } => {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let store = open(&db).await?;
            match units::import_csv(&store, &bytes, now_ms()).await {
                Ok(report) => println!(
                    "导入完成：记录 {} 个单位，{} 个未变 / imported: {} unit(s) recorded, {} unchanged",
                    report.recorded, report.unchanged, report.recorded, report.unchanged
                ),
                Err(ImportError::Rows(errors)) => {
                    print!("{}", units::error_table(&errors));
                    println!("{}", ImportError::Rows(errors));
                    return Ok(ExitCode::FAILURE);
                }
                Err(e) => return Err(e.into()),
            }
        }
        UnitsCommand::Export { db, scope } => {
            let scope = scope.map(|s| parse_unit(&s)).transpose()?;
            let store = open(&db).await?;
            print!("{}", units::export_csv(&store, scope.as_ref()).await?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_unit(code: &str) -> Result<UnitId, AnyError> {
    Ok(code.parse::<UnitId>()?)
}

fn role_names() -> Vec<String> {
    Role::ALL.iter().map(db_text).collect()
}

fn no_such_user(username: &str) -> AnyError {
    format!("no user named {username:?}").into()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
