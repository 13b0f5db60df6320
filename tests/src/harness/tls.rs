//! A throw-away certificate authority and a `localhost`/127.0.0.1 server certificate signed by
//! it, made with the `openssl` command, for Janus's `wss` listener. A separate CA (rather than
//! one self-signed certificate) keeps strict verifiers such as webpki happy: they refuse a CA
//! certificate used as the server's own.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::command::run;
use super::{install, HarnessError};

/// The PEM files made by [`generate`].
#[derive(Clone, Debug)]
pub(crate) struct TlsFiles {
    /// The CA certificate clients should trust.
    pub(crate) ca_pem: PathBuf,
    /// The server certificate Janus presents.
    pub(crate) cert_pem: PathBuf,
    /// The server's private key.
    pub(crate) key_pem: PathBuf,
}

/// Writes a CA and a server certificate for `localhost` and `ip` into `dir`.
pub(crate) fn generate(dir: &Path, ip: Ipv4Addr) -> Result<TlsFiles, HarnessError> {
    let openssl = install::ensure("openssl")?;
    let files = TlsFiles {
        ca_pem: dir.join("ca.pem"),
        cert_pem: dir.join("server.pem"),
        key_pem: dir.join("server.key"),
    };
    let (ca_key, csr, ext) = (
        dir.join("ca.key"),
        dir.join("server.csr"),
        dir.join("server.ext"),
    );
    let ext_text = format!(
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:{ip}\n"
    );
    std::fs::write(&ext, ext_text)
        .map_err(|e| HarnessError::io("writing cert extensions", &ext, e))?;
    let new_key = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(
        "making the test CA",
        Command::new(&openssl)
            .args(["req", "-x509", "-days", "7", "-subj", "/CN=janus-tests CA"])
            .args(new_key)
            .arg("-keyout")
            .arg(&ca_key)
            .arg("-out")
            .arg(&files.ca_pem),
    )?;
    run(
        "making the server key and request",
        Command::new(&openssl)
            .args(["req", "-subj", "/CN=localhost"])
            .args(new_key)
            .arg("-keyout")
            .arg(&files.key_pem)
            .arg("-out")
            .arg(&csr),
    )?;
    run(
        "signing the server certificate",
        Command::new(&openssl)
            .args(["x509", "-req", "-days", "7", "-CAcreateserial", "-in"])
            .arg(&csr)
            .arg("-CA")
            .arg(&files.ca_pem)
            .arg("-CAkey")
            .arg(&ca_key)
            .arg("-extfile")
            .arg(&ext)
            .arg("-out")
            .arg(&files.cert_pem),
    )?;
    Ok(files)
}
