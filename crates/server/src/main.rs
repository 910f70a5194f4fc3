//! `cunju-server`: run the sync server, or administer its database from the command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use cunju_server::store::Store;
use cunju_server::{AppState, auth, build_app, now_ms, seed, verify};

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
    /// Recompute every device's hash chain; exit code 1 if any chain is broken.
    Verify {
        #[command(flatten)]
        db: Db,
    },
    /// Create the fictional demo district and one account per role (password demo1234).
    /// Safe to run again.
    SeedDemo {
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user account.
    Add {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        username: String,
        /// Password (or set CUNJU_PASSWORD to keep it out of the shell history).
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
    },
    /// Set a user's password (and sign them out everywhere).
    Passwd {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        username: String,
        /// New password (or set CUNJU_PASSWORD).
        #[arg(long, env = "CUNJU_PASSWORD", hide_env_values = true)]
        password: String,
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
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    username,
                    password,
                    role,
                    scope,
                    name,
                },
        } => {
            let store = open(&db).await?;
            let user = seed::new_user(&username, &password, &role, &scope, &name)?;
            store.insert_user(&user, now_ms()).await?;
            println!("created user {username} ({role}, scope {scope})");
        }
        Command::User {
            command:
                UserCommand::Passwd {
                    db,
                    username,
                    password,
                },
        } => {
            let store = open(&db).await?;
            let hash = auth::hash_password(&password);
            if !store.set_password(&username, &hash, now_ms()).await? {
                return Err(format!("no user named {username:?}").into());
            }
            println!("password changed for {username}; their sessions were signed out");
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
            let accounts = seed::seed_demo(&store).await?;
            println!(
                "demo district 5099 演示区(虚构) ready; accounts (password {}):",
                seed::DEMO_PASSWORD
            );
            for a in accounts {
                println!(
                    "  {:<22} {:<20} scope {:<10} {}",
                    a.username, a.role, a.scope, a.display_name
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
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
