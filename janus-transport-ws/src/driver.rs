//! The driver: the one future that owns the connection (a WebSocket, a Unix socket as a
//! stream and sink of the same messages, or the HTTP exchanges of Janus's REST transport)
//! and moves frames or exchanges, time and events between it and the protocol core (quinn's
//! `ConnectionDriver` shape).

use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use async_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use async_tungstenite::tungstenite::protocol::CloseFrame;
use async_tungstenite::tungstenite::Message;
use bytes::Bytes;
use futures_core::Stream;
use futures_sink::Sink;

use crate::options::{ConnectOptions, Sleep, Timer};
use crate::runtime::Runtime;
use crate::shared::{lock, remember_waker, Conn, Shared};
use crate::transport::{self, Pipe, Source, Transport};
use crate::Error;
use janus_http_connect::Done;
use janus_proto::http::{Exchange, ExchangeId};
use janus_proto::{Action, Api, Config, Core, RequestError};
use janus_ws_connect::{ConnectError, Observer};

/// Most turns (reads, one timer check, writes each) a driver makes in one `poll` before it
/// yields to the executor, so one busy connection cannot starve other tasks.
const BUDGET: usize = 64;

/// Most messages one turn reads before the core gets them (all of them, under one lock).
const READ_BATCH: usize = 64;

/// Waits up to this long sleep until the deadline exactly (longer ones sleep 3/4 of the wait
/// first; see `DriverLoop::step_timer`).
const EXACT_SLEEP: Duration = Duration::from_millis(4);

/// Why a connection ended: what a [`Driver`](crate::Driver) or
/// [`AdminDriver`](crate::AdminDriver) resolves to.
#[derive(Debug)]
#[non_exhaustive]
pub enum DriverEnd {
    /// [`Client::close`](crate::Client::close) was called; the close handshake was done (or
    /// timed out).
    Closed,
    /// Every client handle was dropped (clients, sessions, handles and request futures), so
    /// nobody could use the connection any more; it was closed.
    ClientsDropped,
    /// The server closed the WebSocket with a close frame.
    ServerClosed {
        /// The close code, if the frame had one.
        code: Option<u16>,
        /// The close reason text.
        reason: String,
    },
    /// The connection broke: EOF without a close frame (e.g. Janus was killed; a Unix socket
    /// has no close frame, so any end of it by the server is this), a socket, TLS or
    /// WebSocket protocol error, or a message over the limit ([`Error::MessageTooLarge`],
    /// answered with close code 1009 over a WebSocket). Over HTTP: an exchange that could not
    /// be carried out (refused, reset, a body over the limit), or a long-poll answered with
    /// a `5xx` status or not answered in time ([`Error::Dead`]).
    Lost(Error),
}

impl DriverEnd {
    /// Whether the connection ended because something went wrong (rather than by a close
    /// either side asked for).
    pub fn is_error(&self) -> bool {
        matches!(self, DriverEnd::Lost(_))
    }
}

impl fmt::Display for DriverEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriverEnd::Closed => f.write_str("closed by the client"),
            DriverEnd::ClientsDropped => f.write_str("every client handle was dropped"),
            DriverEnd::ServerClosed { code, reason } => {
                write!(f, "closed by the server (code {code:?}, reason {reason:?})")
            }
            DriverEnd::Lost(e) => write!(f, "connection lost: {e}"),
        }
    }
}

/// What the driver needs from a connection's shared state (Janus API or Admin API).
pub(crate) trait Engine: Send + 'static {
    /// A text or binary message arrived.
    fn on_frame(&mut self, now: Instant, frame: Bytes, wakes: &mut Vec<Waker>);
    /// The core's deadline passed.
    fn on_timeout(&mut self, now: Instant, wakes: &mut Vec<Waker>);
    /// The connection is over: fail what is pending, end the streams. Idempotent.
    fn on_closed(&mut self, now: Instant, wakes: &mut Vec<Waker>);
    /// The next frame to send.
    fn poll_transmit(&mut self) -> Option<String>;
    /// Over HTTP: the next exchange to make.
    fn poll_exchange(&mut self) -> Option<Exchange>;
    /// Over HTTP: an exchange got its response.
    fn on_response(
        &mut self,
        now: Instant,
        id: ExchangeId,
        status: u16,
        body: Bytes,
        wakes: &mut Vec<Waker>,
    );
    /// Over HTTP: an exchange could not be carried out, with the transport's words.
    fn on_exchange_failed(
        &mut self,
        now: Instant,
        id: ExchangeId,
        why: String,
        wakes: &mut Vec<Waker>,
    );
    /// The core's next deadline.
    fn poll_timeout(&self) -> Option<Instant>;
    /// Where to wake the driver when clients change something.
    fn register_driver(&mut self, waker: &Waker);
    /// Whether the clients want the connection closed, and why.
    fn close_request(&self) -> Option<DriverEnd>;
    /// A pong arrived.
    fn on_pong(&mut self, now: Instant, wakes: &mut Vec<Waker>);
    /// The socket broke, or a dial failed, with the transport's words.
    fn on_lost(&mut self, now: Instant, why: String, wakes: &mut Vec<Waker>);
    /// A dial succeeded.
    fn on_connected(&mut self, now: Instant, wakes: &mut Vec<Waker>);
    /// The next thing the core asks for besides frames.
    fn poll_action(&mut self) -> Option<Action>;
    /// Whether the core closed the connection for good, and if so how it ended, given the
    /// last transport error (`None`: the core has not closed it).
    fn closed_end(&self, last_loss: Option<Error>) -> Option<DriverEnd>;
    /// Whether the core reconnects after a loss.
    fn reconnects(&self) -> bool;
}

/// A dial in progress.
type Dialing = Pin<Box<dyn std::future::Future<Output = Result<Transport, ConnectError>> + Send>>;

/// How to open the connection again when the core asks for a dial (only for connections
/// the library dialled itself: a caller's stream cannot be opened again).
pub(crate) struct Dialer {
    runtime: Runtime,
    url: String,
    protocol: &'static str,
    options: ConnectOptions,
    max_incoming: usize,
    timer: Timer,
}

impl Dialer {
    /// Opens endpoint `endpoint` again: a new socket, or over HTTP new exchanges with their
    /// first connection open (the old ones were dropped with the link).
    fn dial(&self, endpoint: usize) -> Dialing {
        let url = self.options.common.endpoint(&self.url, endpoint).to_owned();
        let (runtime, protocol, max_incoming) = (self.runtime, self.protocol, self.max_incoming);
        let (options, timer) = (self.options.clone(), self.timer.clone());
        Box::pin(async move {
            let setup = options.setup(&url, protocol, max_incoming, &timer);
            transport::establish(Source::Dial(runtime), setup).await
        })
    }
}

/// Opens a connection speaking `A` with subprotocol `protocol`: TCP (or the given
/// stream), TLS, the WebSocket handshake (or a Unix socket, or the first HTTP connection),
/// then the core, its shared state and the driver loop. What [`connect`](crate::connect)
/// and [`connect_admin`](crate::connect_admin) share.
pub(crate) async fn open_connection<A: Api>(
    source: Source,
    url: &str,
    protocol: &'static str,
    options: &ConnectOptions,
    config: Config,
) -> Result<(Conn<A>, DriverLoop<Shared<A>>), Error> {
    options.common.check_urls(url)?;
    let mut config = config;
    let timer = options.resolve_timer()?;
    let dialer = match source {
        Source::Dial(runtime) => Some(Dialer {
            runtime,
            url: url.to_owned(),
            protocol,
            options: options.clone(),
            max_incoming: config.max_incoming_frame,
            timer: timer.clone(),
        }),
        // A caller's stream cannot be opened again.
        Source::Given(_) => {
            config.reconnect = None;
            None
        }
    };
    let setup = options.setup(url, protocol, config.max_incoming_frame, &timer);
    let transport = transport::establish(source, setup).await?;
    let core = Core::<A>::new(config, transport::now());
    let shared = Arc::new(Mutex::new(Shared::new(core, Observer::new(url))));
    let mut driver = DriverLoop::new(shared.clone(), transport, timer, options.close_timeout);
    driver.dialer = dialer;
    Ok((Conn::first(shared), driver))
}

/// A close in progress.
struct Closing {
    end: DriverEnd,
    deadline: Instant,
    /// The close frame to send.
    frame: CloseFrame,
    sent: bool,
    /// Whether to wait for the server's side of the handshake after sending ours (reading
    /// on); if not, the connection ends once our close frame is flushed.
    await_reply: bool,
}

/// What woke the driver besides its clients: the socket's read side (over HTTP, the
/// exchanges in flight) or its sleep. Each has a waker of its own that sets its flag and wakes
/// the driver task, so that a wake by a client (each request it submits) neither tries the
/// socket, which with async-io costs system calls when it finds nothing, nor polls the sleep.
#[derive(Debug)]
struct Wakes {
    /// The driver task's waker, woken with either flag.
    task: Mutex<Option<Waker>>,
    /// Set when the socket may have something: at first, when reading stopped before the
    /// socket said it had nothing more, when the read side is woken, and over HTTP when an
    /// exchange starts (it has not been polled yet).
    read: AtomicBool,
    /// Set when the sleep may have ended: when it is woken (a new sleep is always polled).
    timer: AtomicBool,
}

impl Wakes {
    fn new() -> Arc<Self> {
        Arc::new(Wakes {
            task: Mutex::new(None),
            read: AtomicBool::new(true),
            timer: AtomicBool::new(false),
        })
    }

    /// Remembers the driver task's current waker.
    fn register(&self, waker: &Waker) {
        remember_waker(
            &mut self.task.lock().unwrap_or_else(|e| e.into_inner()),
            waker,
        );
    }

    fn wake_task(&self) {
        let task = self.task.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(waker) = task.as_ref() {
            waker.wake_by_ref();
        }
    }
}

/// A waker that sets one of [`Wakes`]'s flags.
struct Flag {
    wakes: Arc<Wakes>,
    /// The timer's (else the read side's).
    timer: bool,
}

impl Flag {
    fn waker(wakes: &Arc<Wakes>, timer: bool) -> Waker {
        Waker::from(Arc::new(Flag {
            wakes: wakes.clone(),
            timer,
        }))
    }
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let flag = if self.timer {
            &self.wakes.timer
        } else {
            &self.wakes.read
        };
        flag.store(true, Ordering::Release);
        self.wakes.wake_task();
    }
}

/// Whether a step gave the core something new (so the steps before it in the turn may have
/// work now: another turn), only carried out what the core had (frames written, frames read
/// and fed when the steps after reading react to them in the same turn), found nothing to
/// do, or ended the connection.
enum Step {
    Busy,
    Done,
    Idle,
    End(DriverEnd),
}

/// The run loop shared by [`Driver`](crate::Driver) and [`AdminDriver`](crate::AdminDriver).
pub(crate) struct DriverLoop<E: Engine> {
    shared: Arc<Mutex<E>>,
    /// The connection; `None` while it is down (dropped, and dialled again or not).
    transport: Option<Transport>,
    timer: Timer,
    /// The armed sleep and when it ends (no later than the deadline it is for).
    sleep: Option<(Instant, Sleep)>,
    wakes: Arc<Wakes>,
    /// The waker of the socket's read side (of the exchanges, over HTTP): sets `wakes.read`.
    read_waker: Waker,
    /// The sleep's waker: sets `wakes.timer`.
    timer_waker: Waker,
    /// Frames read and not yet fed to the core (kept for its allocation).
    inbox: Vec<Bytes>,
    /// Set by a close of ours, or by the server's close frame.
    closing: Option<Closing>,
    close_timeout: Duration,
    dialer: Option<Dialer>,
    dialing: Option<Dialing>,
    /// A ping the core asked for, not yet handed to the socket.
    ping_due: bool,
    /// Why the socket last broke, until the core decides whether that ends the connection.
    last_loss: Option<Error>,
    /// The future resolved: it stays `Pending` from now on.
    done: bool,
}

impl<E: Engine> DriverLoop<E> {
    pub(crate) fn new(
        shared: Arc<Mutex<E>>,
        transport: Transport,
        timer: Timer,
        close_timeout: Duration,
    ) -> Self {
        let wakes = Wakes::new();
        Self {
            shared,
            transport: Some(transport),
            timer,
            sleep: None,
            read_waker: Flag::waker(&wakes, false),
            timer_waker: Flag::waker(&wakes, true),
            wakes,
            inbox: Vec::new(),
            closing: None,
            close_timeout,
            dialer: None,
            dialing: None,
            ping_due: false,
            last_loss: None,
            done: false,
        }
    }

    pub(crate) fn poll_drive(&mut self, cx: &mut Context<'_>) -> Poll<DriverEnd> {
        if self.done {
            return Poll::Pending;
        }
        self.wakes.register(cx.waker());
        let request = lock(&self.shared, |s, _| {
            s.register_driver(cx.waker());
            s.close_request()
        });
        if let (None, Some(end)) = (&self.closing, request) {
            self.begin_close(end);
        }
        for _ in 0..BUDGET {
            // Reading first: the steps after it react to what it fed the core in the same
            // turn (a new deadline, actions, frames to send). Another turn only when a step
            // gave the core something new that a step before it must see.
            let mut busy = false;
            for which in 0..5 {
                let step = match which {
                    0 => self.step_read(),
                    1 => self.step_timer(),
                    2 => self.step_actions(),
                    3 => self.step_dial(cx),
                    _ => self.step_write(cx),
                };
                match step {
                    Step::Busy => busy = true,
                    Step::Done | Step::Idle => {}
                    Step::End(end) => return Poll::Ready(self.finish(end)),
                }
            }
            if !busy {
                return match self.flush(cx) {
                    Step::End(end) => Poll::Ready(self.finish(end)),
                    // The socket broke and the core reconnects: its dial timer needs a turn.
                    Step::Busy => {
                        cx.waker().wake_by_ref();
                        Poll::Pending
                    }
                    Step::Done | Step::Idle => Poll::Pending,
                };
            }
        }
        if let Step::End(end) = self.flush(cx) {
            return Poll::Ready(self.finish(end));
        }
        // Work remains: come back after other tasks had their turn.
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// The connection, if it is a stream and sink of messages.
    fn ws(&mut self) -> Option<Pin<&mut Pipe>> {
        match &mut self.transport {
            Some(Transport::Messages(pipe)) => Some(Pin::new(pipe)),
            _ => None,
        }
    }

    /// Does what the core asks besides sending frames: pings, dropping a dead socket (or
    /// every HTTP exchange in flight), dialling again. Ends the connection once the core has
    /// closed it for good.
    fn step_actions(&mut self) -> Step {
        if self.closing.is_some() {
            return Step::Idle;
        }
        let last_loss = self.last_loss.take();
        let (actions, end) = lock(&self.shared, |s, _| {
            let actions: Vec<Action> = std::iter::from_fn(|| s.poll_action()).collect();
            (actions, s.closed_end(last_loss))
        });
        if let Some(end) = end {
            return Step::End(end);
        }
        let busy = !actions.is_empty();
        for action in actions {
            match action {
                Action::Ping => match &self.transport {
                    // Over a Unix socket the driver answers at once (see
                    // `Transport::answers_pings_itself`).
                    Some(t) if t.answers_pings_itself() => {
                        lock(&self.shared, |s, w| s.on_pong(Instant::now(), w));
                    }
                    t => self.ping_due = t.is_some(),
                },
                // Dead: the core already treats it as closed. Over HTTP this drops every
                // exchange in flight (their results never come) and every kept connection.
                Action::Close => {
                    self.transport = None;
                    self.ping_due = false;
                }
                Action::Dial { endpoint, .. } => match &self.dialer {
                    Some(dialer) => self.dialing = Some(dialer.dial(endpoint)),
                    None => {
                        let why = "this connection cannot be dialled again".to_owned();
                        lock(&self.shared, |s, w| s.on_lost(Instant::now(), why, w));
                    }
                },
                _ => {}
            }
        }
        if busy {
            Step::Busy
        } else {
            Step::Idle
        }
    }

    /// Polls a dial in progress; feeds its outcome to the core.
    fn step_dial(&mut self, cx: &mut Context<'_>) -> Step {
        let Some(dialing) = self.dialing.as_mut() else {
            return Step::Idle;
        };
        let outcome = match dialing.as_mut().poll(cx) {
            Poll::Pending => return Step::Idle,
            Poll::Ready(outcome) => outcome,
        };
        self.dialing = None;
        let now = Instant::now();
        match outcome {
            Ok(transport) => {
                self.transport = Some(transport);
                self.wakes.read.store(true, Ordering::Release);
                lock(&self.shared, |s, w| s.on_connected(now, w));
            }
            Err(e) => {
                let why = e.to_string();
                self.last_loss = Some(e.into());
                lock(&self.shared, |s, w| s.on_lost(now, why, w));
            }
        }
        Step::Busy
    }

    /// Sends every frame the core has, as long as the socket takes them; over HTTP, starts
    /// every exchange the core has.
    fn step_write(&mut self, cx: &mut Context<'_>) -> Step {
        if let Some(Transport::Http(_)) = self.transport {
            return self.step_start();
        }
        let mut busy = false;
        loop {
            let Some(mut ws) = self.ws() else {
                return Step::Idle;
            };
            match ws.as_mut().poll_ready(cx) {
                Poll::Pending => break,
                Poll::Ready(Err(e)) => return self.lost(e.into()),
                Poll::Ready(Ok(())) => {}
            }
            let message = match &mut self.closing {
                Some(c) if c.sent => break,
                Some(c) => {
                    c.sent = true;
                    Message::Close(Some(c.frame.clone()))
                }
                None if self.ping_due => {
                    self.ping_due = false;
                    Message::Ping(Bytes::new())
                }
                // Exactly the core's frame: one JSON object, no trailing bytes.
                None => match lock(&self.shared, |s, _| s.poll_transmit()) {
                    Some(frame) => Message::text(frame),
                    None => break,
                },
            };
            let Some(ws) = self.ws() else {
                return Step::Idle;
            };
            if let Err(e) = ws.start_send(message) {
                return self.lost(e.into());
            }
            busy = true;
        }
        // Written: nothing new for the core (the flush at the end of the poll sends them).
        if busy {
            Step::Done
        } else {
            Step::Idle
        }
    }

    /// Starts every exchange the core hands out (not while closing: the core is closed).
    fn step_start(&mut self) -> Step {
        if self.closing.is_some() {
            return Step::Idle;
        }
        let Some(Transport::Http(exchanges)) = &mut self.transport else {
            return Step::Idle;
        };
        let started: Vec<Exchange> = lock(&self.shared, |s, _| {
            std::iter::from_fn(|| s.poll_exchange()).collect()
        });
        if started.is_empty() {
            return Step::Idle;
        }
        for exchange in started {
            exchanges.start(exchange);
        }
        // New exchanges run only once polled: another turn polls them.
        self.wakes.read.store(true, Ordering::Release);
        Step::Busy
    }

    /// Reads every message the socket has (up to [`READ_BATCH`]), if the read side was woken,
    /// and feeds the frames among them to the core under one lock; over HTTP, every exchange
    /// done.
    fn step_read(&mut self) -> Step {
        if let Some(Transport::Http(_)) = self.transport {
            return self.step_done();
        }
        if self.transport.is_none() || self.closing.as_ref().is_some_and(|c| !c.await_reply) {
            return Step::Idle;
        }
        if !self.wakes.read.swap(false, Ordering::AcqRel) {
            return Step::Idle;
        }
        let waker = self.read_waker.clone();
        let mut cx = Context::from_waker(&waker);
        let mut read_any = false;
        for _ in 0..READ_BATCH {
            let Some(ws) = self.ws() else {
                break;
            };
            let message = match ws.poll_next(&mut cx) {
                // Nothing more: the read side's waker is with the socket.
                Poll::Pending => return self.feed(read_any, Step::Done),
                Poll::Ready(Some(Ok(message))) => message,
                Poll::Ready(None) => {
                    self.feed_inbox();
                    return self.ended_normally();
                }
                // While closing, the peer may drop the socket instead of finishing the
                // handshake.
                Poll::Ready(Some(Err(e))) => {
                    self.feed_inbox();
                    return match Error::from(e) {
                        too_large @ Error::MessageTooLarge { .. } if self.closing.is_none() => {
                            self.refuse_too_large(too_large);
                            Step::Busy
                        }
                        other => self.lost(other),
                    };
                }
            };
            read_any = true;
            match message {
                Message::Text(text) => self.inbox.push(text.into()),
                Message::Binary(bytes) => self.inbox.push(bytes),
                Message::Pong(_) => {
                    self.feed_inbox();
                    lock(&self.shared, |s, w| s.on_pong(Instant::now(), w));
                }
                Message::Close(frame) if self.closing.is_none() && self.reconnects() => {
                    self.feed_inbox();
                    // With a reconnect policy the server's close is a loss like any other:
                    // the socket goes and the core dials again.
                    let why = match frame {
                        Some(f) => format!("server closed: {} {}", f.code, f.reason),
                        None => "server closed".to_owned(),
                    };
                    return self.lost_with(why, None);
                }
                Message::Close(frame) => {
                    self.feed_inbox();
                    if self.closing.is_none() {
                        let (code, reason) = match frame {
                            Some(f) => (Some(u16::from(f.code)), f.reason.to_string()),
                            None => (None, String::new()),
                        };
                        // tungstenite answers the close frame on the next flush; the server
                        // then drops the socket (or the close timeout ends it).
                        self.begin_close(DriverEnd::ServerClosed { code, reason });
                        if let Some(c) = &mut self.closing {
                            c.sent = true;
                        }
                    }
                    // Reading on (for the end of the stream) is the next turn's.
                    self.wakes.read.store(true, Ordering::Release);
                    return Step::Busy;
                }
                // Pings are answered by tungstenite on the next flush.
                _ => {}
            }
        }
        // The batch is full: the socket may have more, for the next turn.
        self.wakes.read.store(true, Ordering::Release);
        self.feed(true, Step::Busy)
    }

    /// Feeds the frames read to the core; `then` if anything was read, else `Idle`.
    fn feed(&mut self, read_any: bool, then: Step) -> Step {
        self.feed_inbox();
        if read_any {
            then
        } else {
            Step::Idle
        }
    }

    /// Feeds the frames read so far to the core, in order, under one lock.
    fn feed_inbox(&mut self) {
        if self.inbox.is_empty() {
            return;
        }
        let inbox = &mut self.inbox;
        lock(&self.shared, |s, w| {
            let now = Instant::now();
            for frame in inbox.drain(..) {
                s.on_frame(now, frame, w);
            }
        });
    }

    /// Drives the HTTP exchanges in flight, if they were woken, and feeds the core every one
    /// that is done: its response, or why it failed (the connection is lost then; the core
    /// asks for the exchanges to be dropped, and for a dial if it reconnects).
    fn step_done(&mut self) -> Step {
        if self.closing.is_some() || !self.wakes.read.swap(false, Ordering::AcqRel) {
            return Step::Idle;
        }
        let waker = self.read_waker.clone();
        let mut cx = Context::from_waker(&waker);
        let Some(Transport::Http(exchanges)) = &mut self.transport else {
            return Step::Idle;
        };
        // Everything done by now; `Pending` leaves the read waker with what still runs.
        let mut done = Vec::new();
        while let Poll::Ready(Some(d)) = exchanges.poll_done(&mut cx) {
            done.push(d);
        }
        if done.is_empty() {
            return Step::Idle;
        }
        let now = Instant::now();
        let mut loss = None;
        lock(&self.shared, |s, w| {
            for d in done {
                match d {
                    Done::Response { id, status, body } => s.on_response(now, id, status, body, w),
                    Done::Failed { id, error } => {
                        s.on_exchange_failed(now, id, error.to_string(), w);
                        loss.get_or_insert(error);
                    }
                    // Only `establish` opens a connection, before the driver has the
                    // exchanges: nothing to tell the core.
                    Done::Opened(_) => {}
                }
            }
        });
        if loss.is_some() {
            self.last_loss = loss;
        }
        Step::Busy
    }

    /// Fires the core's timers (or ends a close that took too long).
    fn step_timer(&mut self) -> Step {
        let deadline = match &self.closing {
            Some(c) => Some(c.deadline),
            None => lock(&self.shared, |s, _| s.poll_timeout()),
        };
        let Some(at) = deadline else {
            // No deadline: an armed sleep is left to end (one wake for nothing at worst)
            // rather than dropped now and armed again for the next deadline.
            return Step::Idle;
        };
        let now = Instant::now();
        if now < at {
            // Every request moves the core's deadline a little; arming a new sleep each time
            // costs the runtime a timer update (async-io: a system call, and a reactor turn).
            // Keep the armed one while it ends no later than `at` and not before a quarter
            // of the wait; a new one ends at 3/4 of it (exactly at `at` when that is near),
            // and waking early only costs a turn.
            let left = at - now;
            let keep = self
                .sleep
                .as_ref()
                .is_some_and(|(ends, _)| *ends <= at && *ends >= now + left / 4);
            if !keep {
                let ends = if left > EXACT_SLEEP {
                    now + left / 4 * 3
                } else {
                    at
                };
                self.sleep = Some((ends, self.timer.sleep_until(ends)));
                // A new sleep is polled once, which hands it the timer's waker.
                self.wakes.timer.store(true, Ordering::Release);
            }
            // The sleep is polled only when its waker was woken (or it is new).
            if !self.wakes.timer.swap(false, Ordering::AcqRel) {
                return Step::Idle;
            }
            let waker = self.timer_waker.clone();
            let mut cx = Context::from_waker(&waker);
            let woke = match &mut self.sleep {
                Some((_, sleep)) => sleep.as_mut().poll(&mut cx).is_ready(),
                None => false,
            };
            if !woke {
                return Step::Idle;
            }
            self.sleep = None;
            if Instant::now() < at {
                // Woken early on purpose: the next turn arms the rest of the wait.
                return Step::Busy;
            }
        }
        self.sleep = None;
        if let Some(c) = self.closing.take() {
            return Step::End(c.end);
        }
        lock(&self.shared, |s, w| s.on_timeout(Instant::now(), w));
        Step::Busy
    }

    /// Flushes the socket: `End` if that found it broken with no reconnect to come, or
    /// flushed a close frame that awaits no reply; `Busy` if it found it broken and the core
    /// reconnects.
    fn flush(&mut self, cx: &mut Context<'_>) -> Step {
        let Some(ws) = self.ws() else {
            return Step::Idle;
        };
        match ws.poll_flush(cx) {
            // A loss like any other: the core decides whether the connection ends.
            Poll::Ready(Err(e)) => self.lost(e.into()),
            Poll::Ready(Ok(()))
                if self
                    .closing
                    .as_ref()
                    .is_some_and(|c| c.sent && !c.await_reply) =>
            {
                match self.closing.take() {
                    Some(c) => Step::End(c.end),
                    None => Step::Idle,
                }
            }
            _ => Step::Idle,
        }
    }

    fn lost(&mut self, e: Error) -> Step {
        match self.closing.take() {
            Some(c) => Step::End(c.end),
            None => self.lost_with(e.to_string(), Some(e)),
        }
    }

    /// The socket is gone: the core fails what was in flight and dials again, or closes for
    /// good (then the connection ends).
    fn lost_with(&mut self, why: String, error: Option<Error>) -> Step {
        self.transport = None;
        self.ping_due = false;
        self.sleep = None;
        lock(&self.shared, |s, w| s.on_lost(Instant::now(), why, w));
        let last_loss = error.or_else(|| self.last_loss.take());
        match lock(&self.shared, |s, _| s.closed_end(last_loss)) {
            Some(end) => Step::End(end),
            None => Step::Busy,
        }
    }

    fn reconnects(&self) -> bool {
        lock(&self.shared, |s, _| s.reconnects())
    }

    /// The stream ended after a close handshake (or a clean EOF).
    fn ended_normally(&mut self) -> Step {
        match self.closing.take() {
            Some(c) => Step::End(c.end),
            None => self.lost_with(
                "the server dropped the connection".to_owned(),
                Some(RequestError::ConnectionLost.into()),
            ),
        }
    }

    /// Starts closing: pending requests fail now, the close frame goes out next.
    fn begin_close(&mut self, end: DriverEnd) {
        let frame = CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        };
        self.begin_close_with(end, frame, true);
    }

    /// Answers a message over the limit, which tungstenite refused from its frame header
    /// without reading its payload: the socket is not read again (tungstenite would go on
    /// buffering the payload), a close frame with code 1009 goes out, and the connection
    /// ends with `error` once it is flushed (or the close timeout passes).
    fn refuse_too_large(&mut self, error: Error) {
        let frame = janus_ws_connect::too_large_close();
        self.begin_close_with(DriverEnd::Lost(error), frame, false);
    }

    fn begin_close_with(&mut self, end: DriverEnd, frame: CloseFrame, await_reply: bool) {
        let now = Instant::now();
        lock(&self.shared, |s, w| s.on_closed(now, w));
        self.sleep = None;
        // Down (reconnecting): nothing to close but the dial. Over HTTP there is no close
        // handshake: the exchanges in flight are dropped at once.
        let wait = match self.transport {
            Some(Transport::Messages(_)) => self.close_timeout,
            Some(Transport::Http(_)) | None => Duration::ZERO,
        };
        self.dialing = None;
        self.closing = Some(Closing {
            end,
            deadline: crate::transport::later(now, wait),
            frame,
            sent: false,
            await_reply,
        });
    }

    /// The connection is over: tell the state, drop the socket.
    fn finish(&mut self, end: DriverEnd) -> DriverEnd {
        lock(&self.shared, |s, w| s.on_closed(Instant::now(), w));
        self.transport = None;
        self.dialing = None;
        self.sleep = None;
        self.closing = None;
        self.done = true;
        end
    }
}

impl<E: Engine> Drop for DriverLoop<E> {
    fn drop(&mut self) {
        if !self.done {
            // Dropped before the connection ended: nobody will read or write it again, so
            // everything pending fails now instead of hanging.
            lock(&self.shared, |s, w| s.on_closed(Instant::now(), w));
        }
    }
}

impl<E: Engine> fmt::Debug for DriverLoop<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("open", &self.transport.is_some())
            .field("dialing", &self.dialing.is_some())
            .field("closing", &self.closing.is_some())
            .finish_non_exhaustive()
    }
}
