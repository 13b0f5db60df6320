//! The HTTP link: Janus's HTTP REST transport (`janus.transport.http`), its exchanges carried
//! out by janus-http-connect and driven by a private current-thread tokio runtime inside the
//! caller's calls, so that every byte still moves on the caller's thread. No protocol logic
//! lives here: the core says which exchange to make, and takes back what each came to.

use std::collections::BTreeSet;
use std::future::poll_fn;
use std::io::{self, ErrorKind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use janus_http_connect::{ByteStream, Dialing, Done, Exchanges, Io, Sleep};
use janus_proto::http::{Exchange, ExchangeId};
use janus_ws_connect::{CommonOptions, ConnectError, Target};
use tokio::runtime::Runtime;
use tokio_util::compat::TokioAsyncReadCompatExt;

use crate::pipe::{Read, MAX_BLOCK, MIN_BLOCK};
use crate::socket::resolve;

/// The exchanges of one connection to a Janus HTTP endpoint, and the runtime that drives
/// them (only while a call is inside [`send`](Self::send) or [`read`](Self::read)).
#[derive(Debug)]
pub(crate) struct HttpLink {
    /// Declared before the runtime, so that its sockets and timers go before their driver.
    exchanges: Exchanges,
    /// What finished while [`send`](Self::send) drove the exchanges, for the next read.
    inbox: Vec<Done>,
    /// The long-polls in flight.
    polls: BTreeSet<ExchangeId>,
    /// Current-thread: it runs only inside `block_on`, on the calling thread, and starts no
    /// thread (nothing here spawns, and the address is resolved before tokio sees it).
    runtime: Runtime,
}

impl HttpLink {
    /// Opens a first connection to the HTTP endpoint at `url`, within the connect timeout:
    /// its failure (refused, TLS, timed out) is the connect error. It is kept for the first
    /// exchange.
    pub(crate) fn connect(url: &str, options: &CommonOptions) -> Result<HttpLink, ConnectError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let mut exchanges = Exchanges::new(url, options, Io::new(dial, sleep_until))?;
        exchanges.open(url)?;
        // Only the opening runs: its result is the first thing done.
        while let Some(done) = runtime.block_on(exchanges.next_done()) {
            if let Done::Opened(opened) = done {
                opened?;
                return Ok(HttpLink {
                    exchanges,
                    inbox: Vec::new(),
                    polls: BTreeSet::new(),
                    runtime,
                });
            }
        }
        let why = "the connection was dropped before it opened";
        Err(io::Error::new(ErrorKind::ConnectionAborted, why).into())
    }

    /// Starts an exchange the core handed out (it goes out at the next [`send`](Self::send)
    /// or [`read`](Self::read)).
    pub(crate) fn start(&mut self, exchange: Exchange) {
        if exchange.long_poll {
            self.polls.insert(exchange.id);
        }
        self.exchanges.start(exchange);
    }

    /// Drives the exchanges without waiting for the network, so that what was just started
    /// goes out now (a request on a kept connection is written; a new connection is
    /// dialled). What finishes meanwhile waits for the next [`read`](Self::read).
    pub(crate) fn send(&mut self) {
        let HttpLink {
            exchanges,
            inbox,
            runtime,
            ..
        } = self;
        runtime.block_on(settle(exchanges, inbox));
    }

    /// Waits at most `wait` for an exchange to finish, then takes every other one already
    /// finished too: [`Read::Exchanges`] with all of them, or [`Read::Idle`] when none
    /// finished in time. With nothing running, nothing can come: it waits out `wait`.
    ///
    /// Responses come on separate connections, so those that finished together have no
    /// order of their own: the requests' go before the long-polls', as Janus sends a reply
    /// before the events that follow from it (a handle's first events after its `attach`
    /// reply).
    pub(crate) fn read(&mut self, wait: Duration) -> Read {
        let wait = wait.clamp(MIN_BLOCK, MAX_BLOCK);
        let HttpLink {
            exchanges,
            inbox,
            polls,
            runtime,
        } = self;
        runtime.block_on(async {
            if inbox.is_empty() {
                let until = tokio::time::Instant::now() + wait;
                match tokio::time::timeout_at(until, exchanges.next_done()).await {
                    Ok(Some(done)) => inbox.push(done),
                    Ok(None) => tokio::time::sleep_until(until).await,
                    Err(_elapsed) => {}
                }
            }
            settle(exchanges, inbox).await;
        });
        if inbox.is_empty() {
            return Read::Idle;
        }
        let mut done = Vec::new();
        let mut polled = Vec::new();
        for finished in std::mem::take(inbox) {
            match &finished {
                Done::Response { id, .. } | Done::Failed { id, .. } if polls.remove(id) => {
                    polled.push(finished)
                }
                _ => done.push(finished),
            }
        }
        done.append(&mut polled);
        Read::Exchanges(done)
    }

    /// Drops every exchange in flight and every kept connection (closing their sockets).
    pub(crate) fn close(&mut self) {
        self.exchanges.reset();
        self.inbox.clear();
        self.polls.clear();
    }
}

/// Drives the exchanges until each waits for the network (or nothing runs), moving what
/// finishes into `inbox`: never waits, but does all there is to do now. One poll is not
/// enough: a job often wakes itself to go on (hyper's connection takes a request handed to
/// it at its next poll), and so does a job out of tokio's cooperative budget; so it polls
/// again while its polls woke it, each time after a turn of the runtime that waits for
/// nothing (which also takes in what the network brought meanwhile).
async fn settle(exchanges: &mut Exchanges, inbox: &mut Vec<Done>) {
    while poll_fn(|cx| Poll::Ready(take_ready(exchanges, inbox, cx))).await {
        tokio::task::yield_now().await;
    }
}

/// Moves every result already there into `inbox`; whether a job woke the exchanges while
/// they were polled (there is more to do at once).
fn take_ready(exchanges: &mut Exchanges, inbox: &mut Vec<Done>, cx: &mut Context<'_>) -> bool {
    let flag = Arc::new(Flag {
        woken: AtomicBool::new(false),
        waker: cx.waker().clone(),
    });
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    loop {
        match exchanges.poll_done(&mut cx) {
            Poll::Ready(Some(done)) => inbox.push(done),
            Poll::Ready(None) => return false,
            Poll::Pending => return flag.woken.load(Ordering::Relaxed),
        }
    }
}

/// A waker that records being woken, and wakes the runtime's.
struct Flag {
    woken: AtomicBool,
    waker: Waker,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Relaxed);
        self.waker.wake_by_ref();
    }
}

/// Dials the target's addresses in turn (resolved here, on the caller's thread: tokio's own
/// lookup would start a thread), with `TCP_NODELAY`; the connect timeout bounds it all.
fn dial(target: &Target) -> Dialing {
    let addrs = resolve(target);
    Box::pin(async move {
        let mut last = None;
        for addr in addrs? {
            match tokio::net::TcpStream::connect(addr).await {
                Ok(tcp) => {
                    tcp.set_nodelay(true)?;
                    let stream: Box<dyn ByteStream> = Box::new(tcp.compat());
                    return Ok(stream);
                }
                Err(e) => last = Some(e),
            }
        }
        let why = "no address to dial";
        Err(last
            .unwrap_or_else(|| io::Error::new(ErrorKind::NotFound, why))
            .into())
    })
}

/// tokio's sleep (created inside `block_on`, where the runtime is current).
fn sleep_until(at: std::time::Instant) -> Sleep {
    Box::pin(tokio::time::sleep_until(at.into()))
}
