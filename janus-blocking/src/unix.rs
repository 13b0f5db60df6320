//! The Unix socket: a `SOCK_SEQPACKET` connection to Janus's Unix sockets transport
//! (`janus.transport.pfunix`), one JSON message per packet, moved with bounded waits. No
//! protocol logic lives here.

use std::collections::VecDeque;
use std::io::{self, ErrorKind};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use janus_proto::Config;
use janus_ws_connect::{CommonOptions, ConnectError};
use rustix::buffer::spare_capacity;
use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::io::Errno;
use rustix::net::{
    AddressFamily, RecvFlags, SendFlags, Shutdown, SocketAddrUnix, SocketFlags, SocketType,
};

use crate::pipe::{write_timeout, Read, MAX_BLOCK, MIN_BLOCK};
use crate::socket::after;
use crate::Error;

/// An open Unix socket to Janus.
///
/// Reads and writes never block in the kernel (`MSG_DONTWAIT`); the waits are `poll`s with
/// the caller's bound. While a write waits for room, it takes in what the server sends:
/// Janus's transport writes to its clients with blocking writes from its one thread, so a
/// client that only waited to write could wait for a server that waits for it.
pub(crate) struct UnixSocket {
    fd: OwnedFd,
    path: PathBuf,
    /// Packets taken in while a write waited, for the next reads.
    inbox: VecDeque<Read>,
    /// Messages queued by `write`, sent by `flush`.
    outbox: VecDeque<String>,
    /// Receive buffer with room for the largest message accepted, reused for every packet
    /// (only the pages a packet touches are ever committed).
    buf: Vec<u8>,
    /// The core's `max_incoming_frame`.
    limit: usize,
    /// Bound on one flush: a peer that stops reading must not hang the caller.
    write_timeout: Duration,
}

impl std::fmt::Debug for UnixSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnixSocket")
            .field("path", &self.path)
            .field("fd", &self.fd)
            .finish_non_exhaustive()
    }
}

impl UnixSocket {
    /// Connects to the socket at `path` (named by `url`), within the connect timeout.
    /// `config` is the protocol configuration the connection runs with (its frame limit and
    /// request timeout matter here).
    pub(crate) fn connect(
        url: &str,
        path: &Path,
        options: &CommonOptions,
        config: &Config,
    ) -> Result<UnixSocket, ConnectError> {
        let address = SocketAddrUnix::new(path).map_err(|e| ConnectError::InvalidUrl {
            url: url.to_owned(),
            reason: format!("not a usable Unix socket path: {}", io::Error::from(e)),
        })?;
        let fd = rustix::net::socket_with(
            AddressFamily::UNIX,
            SocketType::SEQPACKET,
            SocketFlags::CLOEXEC,
            None,
        )
        .map_err(io::Error::from)?;
        // A server whose listen backlog is full makes `connect` wait; the send timeout bounds
        // that wait (Linux), after which it fails with EAGAIN.
        let timeout = options.connect_timeout;
        rustix::net::sockopt::set_socket_timeout(
            &fd,
            rustix::net::sockopt::Timeout::Send,
            Some(timeout.max(MIN_BLOCK)),
        )
        .map_err(io::Error::from)?;
        match rustix::net::connect(&fd, &address) {
            Ok(()) => {}
            Err(Errno::AGAIN) => return Err(ConnectError::TimedOut { timeout }),
            Err(e) => return Err(io::Error::from(e).into()),
        }
        let limit = config.max_incoming_frame.max(1);
        Ok(UnixSocket {
            fd,
            path: path.to_owned(),
            inbox: VecDeque::new(),
            outbox: VecDeque::new(),
            buf: Vec::with_capacity(limit),
            limit,
            write_timeout: write_timeout(config),
        })
    }

    /// Queues one message: one packet, exactly the frame's bytes.
    pub(crate) fn write(&mut self, frame: String) {
        self.outbox.push_back(frame);
    }

    /// Sends every queued message within the write timeout, taking in what the server
    /// sends meanwhile.
    pub(crate) fn flush(&mut self) -> Result<(), Error> {
        let deadline = after(self.write_timeout);
        while let Some(frame) = self.outbox.front() {
            match rustix::net::send(
                &self.fd,
                frame.as_bytes(),
                SendFlags::DONTWAIT | SendFlags::NOSIGNAL,
            ) {
                Ok(_) => {
                    self.outbox.pop_front();
                }
                Err(Errno::INTR) => {}
                Err(Errno::AGAIN) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        let why = format!(
                            "the server took no message for {:?} (Unix socket {})",
                            self.write_timeout,
                            self.path.display()
                        );
                        return Err(io::Error::new(ErrorKind::TimedOut, why).into());
                    }
                    let ready = wait(&self.fd, PollFlags::IN | PollFlags::OUT, left)?;
                    if ready.intersects(PollFlags::IN | PollFlags::HUP | PollFlags::ERR) {
                        match self.receive() {
                            Read::Idle => {}
                            Read::Closed(why) => return Err(why),
                            read => self.inbox.push_back(read),
                        }
                    }
                }
                Err(e) => return Err(io::Error::from(e).into()),
            }
        }
        Ok(())
    }

    /// Waits at most `wait` for one message.
    pub(crate) fn read(&mut self, wait_at_most: Duration) -> Read {
        if let Some(read) = self.inbox.pop_front() {
            return read;
        }
        match self.receive() {
            Read::Idle => {}
            read => return read,
        }
        match wait(
            &self.fd,
            PollFlags::IN,
            wait_at_most.clamp(MIN_BLOCK, MAX_BLOCK),
        ) {
            Ok(ready) if ready.is_empty() => Read::Idle,
            Ok(_) => self.receive(),
            Err(e) => Read::Closed(e),
        }
    }

    /// Takes one packet if there is one, without waiting.
    fn receive(&mut self) -> Read {
        self.buf.clear();
        // `TRUNC`: the packet's whole length, even when it does not fit.
        let received = rustix::net::recv(
            &self.fd,
            spare_capacity(&mut self.buf),
            RecvFlags::DONTWAIT | RecvFlags::TRUNC,
        );
        match received {
            Ok((_, 0)) => {
                let why = format!("the server closed the Unix socket {}", self.path.display());
                Read::Closed(io::Error::new(ErrorKind::UnexpectedEof, why).into())
            }
            Ok((_, size)) if size > self.limit => {
                // The kernel dropped what did not fit; nothing more is read from a server
                // that sends what the core refuses.
                let _ = rustix::net::shutdown(&self.fd, Shutdown::Both);
                Read::Closed(Error::MessageTooLarge {
                    size,
                    limit: self.limit,
                })
            }
            Ok((n, _)) => Read::Frame(Bytes::copy_from_slice(&self.buf[..n])),
            Err(Errno::AGAIN | Errno::INTR) => Read::Idle,
            Err(e) => Read::Closed(io::Error::from(e).into()),
        }
    }

    /// Tells the server we are done (it closes its side on end of file) and waits at most
    /// `wait_at_most` for that. Nothing is queued here: every write is flushed at once, and
    /// a flush that fails ends the connection.
    pub(crate) fn close(&mut self, wait_at_most: Duration) {
        let deadline = after(wait_at_most);
        if rustix::net::shutdown(&self.fd, Shutdown::Write).is_ok() {
            while let Some(left) = deadline.checked_duration_since(Instant::now()) {
                if left.is_zero() {
                    break;
                }
                if let Read::Closed(_) = self.read(left) {
                    break;
                }
            }
        }
        let _ = rustix::net::shutdown(&self.fd, Shutdown::Both);
    }
}

/// Polls `fd` for `events` for at most `timeout`; the events that came (none: timed out, or
/// a signal interrupted the wait).
fn wait(fd: &OwnedFd, events: PollFlags, timeout: Duration) -> Result<PollFlags, Error> {
    let mut fds = [PollFd::new(fd, events)];
    let timeout = Timespec::try_from(timeout).unwrap_or(Timespec {
        tv_sec: MAX_BLOCK.as_secs() as _,
        tv_nsec: 0,
    });
    match rustix::event::poll(&mut fds, Some(&timeout)) {
        Ok(_) => Ok(fds[0].revents()),
        Err(Errno::INTR) => Ok(PollFlags::empty()),
        Err(e) => Err(io::Error::from(e).into()),
    }
}
