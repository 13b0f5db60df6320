//! # janus-admin: the Janus WebRTC Server's Admin API from a shell
//!
//! Lists sessions and handles, shows what Janus knows about a handle, manages stored tokens,
//! changes settings at runtime, starts and stops packet captures, destroys sessions,
//! detaches handles, hangs up PeerConnections, sends requests to plugins (to manage rooms)
//! and drains a server, over the WebSocket Admin API with `janus-blocking`. Tables by
//! default, the reply's JSON with `--json`; exit codes tell refusals, usage errors,
//! connection failures, a wrong secret and unknown ids apart. See `janus-admin --help` and
//! the crate's README.
#![forbid(unsafe_code)]

mod cli;
mod commands;
mod error;
mod render;
mod secret;

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use janus_blocking::{AdminConnection, ConnectOptions};
use serde_json::Value;

use crate::cli::Cli;
use crate::error::{CliError, Context};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("janus-admin: {e}");
            e.exit_code()
        }
    }
}

fn run(cli: &Cli) -> Result<(), CliError> {
    let secret = secret::admin_secret(cli)?;
    let planned = commands::plan(&cli.command)?;

    let mut options = ConnectOptions::new()
        .connect_timeout(cli.timeout)
        .request_timeout(cli.timeout);
    if let Some(secret) = &secret {
        options = options.admin_secret(secret.clone());
    }
    if let Some(ca) = &cli.ca_file {
        options = options.tls_root_pem(ca.as_path());
    }
    let mut admin =
        AdminConnection::connect(&cli.url, options).map_err(|source| CliError::Connect {
            url: cli.url.clone(),
            source,
        })?;
    let request = planned.request.kind().name();
    let started = Instant::now();
    let outcome = admin.call(planned.request);
    let elapsed = started.elapsed();
    let reply = match outcome {
        Ok(reply) => reply,
        Err(error) => {
            let context = Context {
                request,
                session: planned.session,
                handle: planned.handle,
                secret_given: secret.is_some(),
                timeout: cli.timeout,
                closed: admin.close_reason(),
            };
            let error = context.explain(error);
            admin.close();
            return Err(error);
        }
    };
    admin.close();

    let frame: Value =
        serde_json::from_str(reply.raw.as_str()).map_err(|_| CliError::Unexpected {
            request,
            frame: reply.raw.as_str().to_owned(),
        })?;
    let refusal = commands::plugin_refusal(&cli.command, &reply);
    let output = match (cli.json, &refusal) {
        (true, _) => format!("{:#}\n", frame),
        (false, None) => commands::text(&cli.command, &reply, &frame, elapsed),
        (false, Some(_)) => String::new(),
    };
    write_out(&output)?;
    refusal.map_or(Ok(()), Err)
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn write_out(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Output(e)),
        _ => Ok(()),
    }
}
