//! The command line. Every flag has a `QUIZBOOTH_*` environment fallback.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// quizbooth: a booth quiz with a verifiable prize draw.
#[derive(Debug, Parser)]
#[command(name = "quizbooth", version, about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Flags for the default `serve`.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service (the default).
    Serve(ServeArgs),
    /// Validate question banks; print FILE:LINE:COLUMN: message for each problem.
    Check(CheckArgs),
    /// Write the visitor QR code (PNG or SVG by extension), or draw it in the terminal.
    Qr(QrArgs),
    /// Recompute a draw offline from entries.txt and the public seed.
    DrawVerify(DrawVerifyArgs),
    /// Recompute the audit log's hash chain; exit 1 where it breaks.
    AuditVerify(AuditVerifyArgs),
    /// Convert a bank between YAML and an Excel workbook (by the extensions).
    Convert(ConvertArgs),
    /// Write the Excel template for a new bank.
    Template(TemplateArgs),
    /// Move an event from a SQLite file into an empty PostgreSQL database.
    Migrate(MigrateArgs),
}

/// `quizbooth migrate --from FILE.db --to postgres://…`.
#[derive(Debug, Args, Clone)]
pub struct MigrateArgs {
    /// The booth's SQLite file.
    #[arg(long, default_value = "data/quizbooth.db")]
    pub from: PathBuf,
    /// The PostgreSQL database: `postgres://USER:PASSWORD@HOST:PORT/DB`, empty.
    #[arg(long)]
    pub to: String,
}

/// `quizbooth convert IN OUT`.
#[derive(Debug, Args, Clone)]
pub struct ConvertArgs {
    /// The bank to read: .yaml, .yml, .xlsx or .csv.
    pub input: PathBuf,
    /// The file to write: .xlsx, or .yaml/.yml.
    pub output: PathBuf,
}

/// `quizbooth template OUT.xlsx`.
#[derive(Debug, Args, Clone)]
pub struct TemplateArgs {
    /// Where to write the template workbook.
    #[arg(default_value = "题库模板.xlsx")]
    pub output: PathBuf,
}

/// `quizbooth serve`.
#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "QUIZBOOTH_BIND", default_value = "0.0.0.0:8080")]
    pub bind: String,
    /// Question banks: a folder of *.yaml, *.yml, *.xlsx and *.csv, or one file.
    #[arg(long, env = "QUIZBOOTH_QUESTIONS", default_value = "questions")]
    pub questions: PathBuf,
    /// SQLite database file (created with its folder), or a PostgreSQL
    /// database shared by several nodes: `postgres://USER:PASSWORD@HOST:PORT/DB`.
    #[arg(long, env = "QUIZBOOTH_DB", default_value = "data/quizbooth.db")]
    pub db: PathBuf,
    /// The URL phones use (default: this machine's LAN address and port).
    #[arg(long, env = "QUIZBOOTH_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Staff token (default: generated on first start and kept in the database).
    #[arg(long, env = "QUIZBOOTH_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// The set visitors get (default: the one last made active, else the first by file name).
    #[arg(long, env = "QUIZBOOTH_SET")]
    pub set: Option<String>,
    /// Visitor requests one IP address may burst before being slowed to BURST/60 a second (0: no per-IP limit).
    #[arg(long, env = "QUIZBOOTH_IP_LIMIT", default_value_t = crate::limits::LimitSettings::default().ip_burst)]
    pub ip_limit: u32,
    /// Draw entries one address (an IPv6 /64) may make in an hour; 77% of them may come at once, so a booth behind one NAT making N in an hour at N/15 a minute is never refused (0: no entry budget).
    #[arg(long, env = "QUIZBOOTH_ENTRY_LIMIT", default_value_t = crate::limits::LimitSettings::default().entry_per_hour)]
    pub entry_limit: u32,
    /// Connections one address (an IPv6 /64) may hold open at once; one more is closed at once (0: no cap; a trusted proxy is never capped).
    #[arg(long, env = "QUIZBOOTH_MAX_CONN_PER_IP", default_value_t = crate::limits::LimitSettings::default().conn_per_ip)]
    pub max_conn_per_ip: u32,
    /// Also serve GET /metrics (Prometheus) on this address, with no token: give it one only the monitoring network reaches, e.g. 127.0.0.1:9464 (on the visitors' port /metrics always wants the staff token).
    #[arg(long, env = "QUIZBOOTH_METRICS_BIND")]
    pub metrics_bind: Option<String>,
    /// A reverse proxy (address or CIDR, repeatable) whose X-Forwarded-For names the client.
    #[arg(long = "trusted-proxy", env = "QUIZBOOTH_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The time zone the funnel's days and hours are counted in (an IANA name such as Asia/Shanghai or Asia/Urumqi; counts are kept by UTC hour, so changing it regroups them).
    #[arg(long, env = "QUIZBOOTH_TZ", default_value = "Asia/Shanghai", value_parser = parse_tz)]
    pub tz: chrono_tz::Tz,
    /// HTTP worker threads, and as many for the database's tasks (default: one per core). Nodes sharing one machine each take their share, e.g. 1 each for two nodes on two cores.
    #[arg(long, env = "QUIZBOOTH_WORKERS", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub workers: Option<u16>,
}

/// `quizbooth check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Bank files or folders.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print every warning on its own line (by default missing translations
    /// and template examples are folded into one line each, and with errors
    /// the warnings into one line).
    #[arg(long)]
    pub all: bool,
}

/// `quizbooth qr`.
#[derive(Debug, Args)]
pub struct QrArgs {
    /// The URL to encode (default: the visitor URL this machine would print).
    #[arg(long, env = "QUIZBOOTH_PUBLIC_URL")]
    pub url: Option<String>,
    /// Output file, .png or .svg (default: draw in the terminal).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Image width in pixels.
    #[arg(long, default_value_t = 512)]
    pub size: u32,
    /// Port used to derive the default URL.
    #[arg(long, env = "QUIZBOOTH_BIND", default_value = "0.0.0.0:8080")]
    pub bind: String,
}

/// `quizbooth draw-verify`.
#[derive(Debug, Args)]
pub struct DrawVerifyArgs {
    /// The downloaded entries.txt.
    #[arg(long)]
    pub entries: PathBuf,
    /// The draw's public seed.
    #[arg(long)]
    pub seed: String,
    /// How many winners the draw wanted.
    #[arg(long)]
    pub winners: usize,
    /// The published digest: check the file against it first (exit 2 on mismatch).
    #[arg(long)]
    pub digest: Option<String>,
    /// The draw's published `seed_digits`: check the seed has exactly that many digits.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=64))]
    pub seed_digits: Option<u8>,
}

/// `quizbooth audit-verify`.
#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// The database: a SQLite file or a postgres:// URL.
    #[arg(long, env = "QUIZBOOTH_DB", default_value = "data/quizbooth.db")]
    pub db: PathBuf,
    /// A head hash printed and published earlier (repeatable): it must
    /// still be the hash of a row, else the log was rewritten since.
    #[arg(long, value_name = "HASH")]
    pub published: Vec<String>,
}

/// `--tz`: an IANA time zone name (`Asia/Shanghai`).
pub fn parse_tz(s: &str) -> Result<chrono_tz::Tz, String> {
    s.trim().parse::<chrono_tz::Tz>().map_err(|_| {
        format!("`{s}` is not an IANA time zone name such as Asia/Shanghai or Asia/Urumqi")
    })
}

/// A trusted proxy: `10.0.0.0/8`, or one address (`10.0.0.5`, a /32).
pub fn parse_proxy(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("`{s}` is not an address or a CIDR block such as 10.0.0.0/8"))
}
