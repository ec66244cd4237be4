//! Settings: built once from flags and environment at start, then passed down.

use crate::cli::ServeArgs;
use anyhow::Context;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

/// Everything `serve` needs to know, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where to listen.
    pub bind: SocketAddr,
    /// Banks folder or file.
    pub questions: PathBuf,
    /// SQLite file.
    pub db: PathBuf,
    /// What phones open, without a trailing slash.
    pub public_url: String,
    /// A staff token given on the command line, if any.
    pub admin_token: Option<String>,
    /// The set pinned by `--set`.
    pub set: Option<String>,
    /// Rate limits.
    pub limits: crate::limits::LimitSettings,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where `/metrics` is served without a token (`--metrics-bind`), if anywhere.
    pub metrics_bind: Option<SocketAddr>,
    /// How often the service looks for rounds whose keeping time is over
    /// ([`crate::keeping`]).
    pub purge_every: std::time::Duration,
    /// The time zone of the funnel's days and hours (`--tz`).
    pub tz: chrono_tz::Tz,
    /// HTTP worker threads, and as many for the runtime that drives the
    /// database's connections (`--workers`; default one per core).
    pub workers: usize,
}

/// Default [`Settings::purge_every`]: a round's contacts go within ten
/// minutes of their date.
pub const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

impl Settings {
    /// Resolves the flags: parses the address and derives the public URL.
    pub fn from_args(args: &ServeArgs) -> anyhow::Result<Self> {
        let bind = resolve_bind(&args.bind)?;
        let public_url = match &args.public_url {
            Some(url) => normalise_url(url)?,
            None => derived_public_url(bind),
        };
        if let Some(token) = &args.admin_token {
            anyhow::ensure!(
                token.trim().chars().count() >= MIN_ADMIN_TOKEN_CHARS,
                "--admin-token must be at least {MIN_ADMIN_TOKEN_CHARS} characters \
                 (leave it out and a 160-bit one is generated)"
            );
        }
        Ok(Self {
            bind,
            questions: args.questions.clone(),
            db: args.db.clone(),
            public_url,
            admin_token: args.admin_token.as_deref().map(|t| t.trim().to_owned()),
            set: args.set.clone(),
            limits: crate::limits::LimitSettings {
                ip_burst: args.ip_limit,
                ip_per_sec: (args.ip_limit / 60).max(1),
                entry_burst: crate::limits::booth_burst(args.entry_limit),
                entry_per_hour: args.entry_limit,
                conn_per_ip: args.max_conn_per_ip,
                ..Default::default()
            },
            trusted_proxies: args.trusted_proxies.clone(),
            metrics_bind: args
                .metrics_bind
                .as_deref()
                .map(|a| resolve_addr("--metrics-bind", a))
                .transpose()?,
            purge_every: PURGE_EVERY,
            tz: args.tz,
            workers: args.workers.map_or_else(cores, usize::from),
        })
    }
}

/// The machine's cores: the default `--workers`.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Shortest staff token accepted on the command line.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 20;

/// The client's address for rate limits: the TCP peer, unless the peer is a
/// trusted proxy; then the right-most address of `X-Forwarded-For` that is
/// not itself a trusted proxy (a client can prepend anything to the header,
/// but not what the proxies append after it).
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
    trusted: &[ipnet::IpNet],
) -> IpAddr {
    // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d.
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for.rev().flat_map(|h| h.rsplit(',')) {
        let Ok(ip) = hop.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()) else {
            // Garbage in the chain: what is left of it cannot be believed.
            return client;
        };
        client = ip;
        if !is_trusted(&ip) {
            return ip;
        }
    }
    client
}

/// Parses `HOST:PORT`.
pub fn resolve_bind(bind: &str) -> anyhow::Result<SocketAddr> {
    resolve_addr("--bind", bind)
}

/// Parses `HOST:PORT` given to `flag`.
fn resolve_addr(flag: &str, addr: &str) -> anyhow::Result<SocketAddr> {
    addr.to_socket_addrs()
        .with_context(|| format!("{flag} `{addr}` is not an address such as 0.0.0.0:8080"))?
        .next()
        .with_context(|| format!("{flag} `{addr}` resolves to no address"))
}

/// Checks a URL given by hand and drops a trailing slash.
pub fn normalise_url(url: &str) -> anyhow::Result<String> {
    let url = url.trim().trim_end_matches('/');
    anyhow::ensure!(
        url.starts_with("http://") || url.starts_with("https://"),
        "the public URL `{url}` must start with http:// or https://"
    );
    Ok(url.to_owned())
}

/// `http://LAN-ADDRESS:PORT` for a wildcard bind, else the bound address.
pub fn derived_public_url(bind: SocketAddr) -> String {
    let ip = if bind.ip().is_unspecified() {
        lan_address().unwrap_or(bind.ip())
    } else {
        bind.ip()
    };
    let host = match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    };
    format!("http://{host}:{}", bind.port())
}

/// This machine's LAN IPv4 address: a private one first, else any non-loopback one.
pub fn lan_address() -> Option<IpAddr> {
    let addrs: Vec<Ipv4Addr> = if_addrs::get_if_addrs()
        .ok()?
        .into_iter()
        .filter_map(|i| match i.ip() {
            IpAddr::V4(v4) if !v4.is_loopback() && !v4.is_link_local() => Some(v4),
            _ => None,
        })
        .collect();
    addrs
        .iter()
        .find(|a| a.is_private())
        .or(addrs.first())
        .copied()
        .map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_proxy, parse_tz};

    #[test]
    fn the_funnels_time_zone_is_an_iana_name() {
        assert_eq!(parse_tz("Asia/Shanghai"), Ok(chrono_tz::Asia::Shanghai));
        assert_eq!(parse_tz(" Asia/Urumqi "), Ok(chrono_tz::Asia::Urumqi));
        let e = parse_tz("Beijing").unwrap_err();
        assert!(e.contains("IANA") && e.contains("`Beijing`"), "{e}");
    }

    #[test]
    fn public_url_follows_the_bind() {
        assert_eq!(
            derived_public_url("127.0.0.1:9000".parse().unwrap()),
            "http://127.0.0.1:9000"
        );
        // A wildcard bind names this machine's LAN address, when it has one.
        let lan = lan_address();
        assert!(
            lan.is_none_or(|ip| ip.is_ipv4() && !ip.is_loopback() && !ip.is_unspecified()),
            "{lan:?}"
        );
        let host = lan.map_or_else(|| "0.0.0.0".to_owned(), |ip| ip.to_string());
        assert_eq!(
            derived_public_url("0.0.0.0:8080".parse().unwrap()),
            format!("http://{host}:8080")
        );
        assert_eq!(
            normalise_url("https://quiz.example.cn/").unwrap(),
            "https://quiz.example.cn"
        );
        assert!(normalise_url("quiz.example.cn").is_err());
    }

    #[test]
    fn the_client_address_is_believed_only_from_a_trusted_proxy() {
        let proxies = vec![
            parse_proxy("10.0.0.0/8").unwrap(),
            parse_proxy("192.168.1.1").unwrap(),
        ];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let cases: [(&str, &[&str], &str, &str); 9] = [
            (
                "::ffff:10.0.0.2",
                &["203.0.113.7"],
                "203.0.113.7",
                "a proxy seen through a dual-stack listener",
            ),
            (
                "10.0.0.2",
                &["::ffff:203.0.113.7"],
                "203.0.113.7",
                "a mapped client is its IPv4 address",
            ),
            (
                "203.0.113.9",
                &["1.2.3.4"],
                "203.0.113.9",
                "a direct client's header is ignored",
            ),
            ("10.0.0.2", &["203.0.113.7"], "203.0.113.7", "one proxy"),
            (
                "10.0.0.2",
                &["6.6.6.6, 203.0.113.7"],
                "203.0.113.7",
                "a forged left part is skipped",
            ),
            (
                "10.0.0.2",
                &["203.0.113.7, 192.168.1.1"],
                "203.0.113.7",
                "two proxies",
            ),
            (
                "10.0.0.2",
                &["6.6.6.6", "203.0.113.7"],
                "203.0.113.7",
                "two header lines",
            ),
            (
                "10.0.0.2",
                &["203.0.113.7, bogus"],
                "10.0.0.2",
                "garbage after the client: the proxy",
            ),
            ("10.0.0.2", &[], "10.0.0.2", "no header: the proxy itself"),
        ];
        for (peer, header, want, why) in cases {
            let got = client_address(ip(peer), header.iter().copied(), &proxies);
            assert_eq!(got, ip(want), "{why}");
        }
        assert!(parse_proxy("10.0.0.0/33").is_err());
        assert!(parse_proxy("proxy").is_err());
    }
}
