//! [`Runtime`]: the runtime [`connect`](crate::connect) dials with and whose timer a
//! connection uses when the options name none.

use janus_ws_connect::{ConnectError, Target};

use crate::options::Timer;
use crate::transport::Io;

/// A runtime compiled in (features `async-io`, `tokio`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runtime {
    /// async-io: `Async<TcpStream>` and `async_io::Timer`.
    #[cfg(feature = "async-io")]
    AsyncIo,
    /// tokio: `tokio::net::TcpStream` (adapted to futures-io inside) and tokio's timer.
    #[cfg(feature = "tokio")]
    Tokio,
}

/// The runtime when the caller is not inside a tokio runtime.
#[cfg(feature = "async-io")]
const OUTSIDE_TOKIO: Option<Runtime> = Some(Runtime::AsyncIo);
#[cfg(not(feature = "async-io"))]
const OUTSIDE_TOKIO: Option<Runtime> = None;

impl Runtime {
    /// The runtime the caller runs on: tokio when called inside a tokio runtime (feature
    /// `tokio`), else async-io (feature `async-io`), else none.
    pub(crate) fn current() -> Option<Runtime> {
        #[cfg(feature = "tokio")]
        if tokio::runtime::Handle::try_current().is_ok() {
            return Some(Runtime::Tokio);
        }
        OUTSIDE_TOKIO
    }

    /// This runtime's timer.
    pub(crate) fn timer(self) -> Timer {
        match self {
            #[cfg(feature = "async-io")]
            Runtime::AsyncIo => Timer::async_io(),
            #[cfg(feature = "tokio")]
            Runtime::Tokio => Timer::tokio(),
        }
    }

    /// Dials the target over TCP with this runtime's socket, with `TCP_NODELAY` set.
    #[cfg_attr(
        not(any(feature = "async-io", feature = "tokio")),
        allow(unused_variables)
    )]
    pub(crate) async fn dial(self, target: &Target) -> Result<Box<dyn Io>, ConnectError> {
        match self {
            #[cfg(feature = "async-io")]
            Runtime::AsyncIo => Ok(Box::new(dial_async_io(target).await?)),
            #[cfg(feature = "tokio")]
            Runtime::Tokio => {
                use tokio_util::compat::TokioAsyncReadCompatExt;
                let tcp =
                    tokio::net::TcpStream::connect((target.host.as_str(), target.port)).await?;
                tcp.set_nodelay(true)?;
                Ok(Box::new(tcp.compat()))
            }
        }
    }
}

/// async-io's dial: each address of the host in turn. Host names go through the system
/// resolver, which blocks the calling task while it runs.
#[cfg(feature = "async-io")]
async fn dial_async_io(
    target: &Target,
) -> Result<async_io::Async<std::net::TcpStream>, ConnectError> {
    use std::io;
    use std::net::ToSocketAddrs;
    let addrs: Vec<_> = (target.host.as_str(), target.port)
        .to_socket_addrs()?
        .collect();
    let mut last = io::Error::new(
        io::ErrorKind::NotFound,
        format!("{} resolves to no address", target.host),
    );
    for addr in addrs {
        match async_io::Async::<std::net::TcpStream>::connect(addr).await {
            Ok(stream) => {
                stream.get_ref().set_nodelay(true)?;
                return Ok(stream);
            }
            Err(e) => last = e,
        }
    }
    Err(last.into())
}
