//! TLS to the database, chosen by the URL's `sslmode` as libpq reads it:
//! the names and phones a node writes cross the network to a database on
//! another machine, often a managed one.
//!
//! - `disable`: no TLS.
//! - `prefer` (the default) and `require`: encrypted when the server offers
//!   it (`require`: or no connection), the certificate not checked, as
//!   libpq does; a name in `sslrootcert=FILE` makes it checked.
//! - `verify-full`: encrypted, and the server's certificate must chain to
//!   the system's roots or to `sslrootcert=FILE` (a managed service's CA)
//!   and name the host.
//!
//! `sslrootcert` and `verify-full` are read here: tokio-postgres knows
//! neither, so they are taken out of the URL before it reads the rest.

use anyhow::Context;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;

/// How a node reaches its database.
pub(super) enum Tls {
    /// `sslmode=disable`.
    Off,
    /// Any other mode, with the connector it needs.
    On(tokio_postgres_rustls::MakeRustlsConnect),
}

/// The URL without what only this module reads, and the TLS it asks for.
pub(super) fn from_url(url: &str) -> anyhow::Result<(String, Tls)> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let (mut mode, mut root) = (None, None);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", v)) => mode = Some(v.to_owned()),
            Some(("sslrootcert", v)) => root = Some(percent_decoded(v)),
            _ => kept.push(pair.to_owned()),
        }
    }
    let mode = mode.unwrap_or_else(|| "prefer".to_owned());
    let (passed, verify) = match mode.as_str() {
        "disable" => ("disable", false),
        "prefer" | "allow" => ("prefer", root.is_some()),
        "require" | "verify-ca" => ("require", root.is_some()),
        "verify-full" => ("require", true),
        other => anyhow::bail!("sslmode={other}: use disable, prefer, require or verify-full"),
    };
    kept.push(format!("sslmode={passed}"));
    let url = format!("{base}?{}", kept.join("&"));
    if passed == "disable" {
        return Ok((url, Tls::Off));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .context("TLS set-up")?;
    let config = if verify {
        let mut roots = rustls::RootCertStore::empty();
        match &root {
            Some(file) => {
                let certs = CertificateDer::pem_file_iter(file)
                    .and_then(|c| c.collect::<Result<Vec<_>, _>>())
                    .map_err(|e| anyhow::anyhow!("sslrootcert={file}: {e}"))?;
                anyhow::ensure!(
                    !certs.is_empty(),
                    "sslrootcert={file}: no certificate in it"
                );
                roots.add_parsable_certificates(certs);
            }
            None => {
                roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
                anyhow::ensure!(
                    !roots.is_empty(),
                    "sslmode=verify-full: this machine has no CA certificates; give sslrootcert=FILE"
                );
            }
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
            .with_no_client_auth()
    };
    Ok((
        url,
        Tls::On(tokio_postgres_rustls::MakeRustlsConnect::new(config)),
    ))
}

/// One connection, its I/O driven by a task of its own (for `migrate`).
pub(in crate::store) async fn connect(url: &str) -> anyhow::Result<tokio_postgres::Client> {
    connect_with(url, |_| {}).await
}

/// [`connect`], with `adjust` applied to the URL's settings first.
pub(super) async fn connect_with(
    url: &str,
    adjust: impl FnOnce(&mut tokio_postgres::Config),
) -> anyhow::Result<tokio_postgres::Client> {
    let (url, tls) = from_url(url)?;
    let mut config: tokio_postgres::Config = url.parse()?;
    adjust(&mut config);
    Ok(match tls {
        Tls::Off => drive(config.connect(tokio_postgres::NoTls).await?),
        Tls::On(t) => drive(config.connect(t).await?),
    })
}

fn drive<S, T>(
    (client, connection): (tokio_postgres::Client, tokio_postgres::Connection<S, T>),
) -> tokio_postgres::Client
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::error!(error = %e, "the database connection failed");
        }
    });
    client
}

/// `%2F` and the like in a URL's value.
fn percent_decoded(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// libpq's `prefer` and `require` without a root certificate: the channel
/// is encrypted and the handshake signed, the certificate is not checked.
#[derive(Debug)]
struct Unchecked(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_keeps_what_tokio_postgres_reads_and_says_the_mode() {
        let (url, tls) = from_url("postgres://u:p@h:5432/db?sslmode=disable").unwrap();
        assert_eq!(url, "postgres://u:p@h:5432/db?sslmode=disable");
        assert!(matches!(tls, Tls::Off));
        let (url, tls) = from_url("postgres://u@h/db?application_name=x").unwrap();
        assert_eq!(url, "postgres://u@h/db?application_name=x&sslmode=prefer");
        assert!(matches!(tls, Tls::On(_)));
        let err = from_url("postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Fno%2Fsuch.pem")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("sslrootcert=/no/such.pem"), "{err}");
        assert!(from_url("postgres://u@h/db?sslmode=sometimes").is_err());
    }
}
