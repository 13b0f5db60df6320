//! A network namespace with a private Janus inside (the example's default; the test's too).

use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::Failure;
use crate::netns::NetNs;
use crate::{JanusServer, JanusVersion};

/// Janus of a version in a namespace of its own; the peers bind on the host end of the
/// veth (Janus skips loopback when gathering candidates). Dropping it stops Janus, then
/// removes the namespace.
#[derive(Debug)]
pub struct Setup {
    // Dropped in this order: Janus, then its namespace.
    janus: JanusServer,
    ns: NetNs,
    /// How long the setup took.
    pub took: Duration,
}

impl Setup {
    /// Makes the namespace (named after `name`) and starts Janus `version` inside.
    pub fn start(name: &str, version: JanusVersion) -> Result<Self, Failure> {
        let started = Instant::now();
        NetNs::available().map_err(|reason| Failure::at("setup", reason))?;
        Self::start_in(
            NetNs::create(name).map_err(Failure::step("setup"))?,
            name,
            version,
            started,
        )
    }

    /// Starts Janus `version` in `ns`.
    pub fn start_in(
        ns: NetNs,
        name: &str,
        version: JanusVersion,
        started: Instant,
    ) -> Result<Self, Failure> {
        let janus = JanusServer::start(ns.janus_options().version(version).name(name))
            .map_err(Failure::step("starting Janus"))?;
        Ok(Setup {
            janus,
            ns,
            took: started.elapsed(),
        })
    }

    /// Janus's API URL.
    pub fn url(&self) -> &str {
        self.janus.ws_url()
    }

    /// Where the peers bind.
    pub fn peer_ip(&self) -> IpAddr {
        self.ns.host_ip().into()
    }

    /// The namespace.
    pub fn ns(&self) -> &NetNs {
        &self.ns
    }

    /// Janus.
    pub fn janus(&self) -> &JanusServer {
        &self.janus
    }
}
