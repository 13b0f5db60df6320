//! The contract [`Client`] and [`AdminClient`] share, so that one transport loop drives either.

use std::time::{Duration, Instant};

use crate::admin::{AdminClient, AdminEvent};
use crate::command::Command;
use crate::error::{ProtocolError, RequestError, UsageError};
use crate::event::{Event, Input, Reply};
use crate::ids::TransactionId;
use crate::wire::admin::{AdminReply, AdminRequest};
use crate::Client;

/// A sans-IO connection state machine: requests and input in, frames, events and a deadline
/// out. Each method is the inherent one of the same name (see [`Client`] and
/// [`AdminClient`]); a transport written against this trait serves the Janus API and the
/// Admin API alike.
///
/// ```
/// use std::time::Instant;
/// use janus_proto::{Client, Command, Config, StateMachine};
///
/// /// Submits a request and gives the frame to send.
/// fn first_frame<M: StateMachine>(core: &mut M, now: Instant, request: M::Request) -> Option<String> {
///     core.submit_request(now, request, None).ok()?;
///     core.poll_transmit()
/// }
/// # #[allow(clippy::disallowed_methods)]
/// let now = Instant::now();
/// let mut client = Client::new(Config::new(), now);
/// let frame = first_frame(&mut client, now, Command::Info).expect("a frame");
/// assert!(frame.contains(r#""janus":"info""#));
/// ```
pub trait StateMachine {
    /// What a request is ([`Command`], [`AdminRequest`]).
    type Request;
    /// The successful outcome of a request.
    type Reply;
    /// What [`poll_event`](Self::poll_event) gives.
    type Event;

    /// Submits a request, with its own deadline or the default one.
    fn submit_request(
        &mut self,
        now: Instant,
        request: Self::Request,
        timeout: Option<Duration>,
    ) -> Result<TransactionId, UsageError>;
    /// Cancels a pending request.
    fn cancel(&mut self, now: Instant, txn: TransactionId) -> Result<(), UsageError>;
    /// Feeds a frame received, or the end of the connection.
    fn handle_input(&mut self, now: Instant, input: Input) -> Result<(), ProtocolError>;
    /// Fires the timers due at `now`.
    fn handle_timeout(&mut self, now: Instant);
    /// The next frame to send.
    fn poll_transmit(&mut self) -> Option<String>;
    /// The next event.
    fn poll_event(&mut self) -> Option<Self::Event>;
    /// When [`handle_timeout`](Self::handle_timeout) is next due.
    fn poll_timeout(&self) -> Option<Instant>;
    /// Splits a request's outcome off an event, or gives the event back.
    #[allow(clippy::type_complexity)]
    fn outcome(
        event: Self::Event,
    ) -> Result<(TransactionId, Result<Self::Reply, RequestError>), Self::Event>;
    /// The transaction an "accepted, outcome to follow" event is about.
    fn acked(event: &Self::Event) -> Option<TransactionId>;
}

impl StateMachine for Client {
    type Request = Command;
    type Reply = Reply;
    type Event = Event;

    fn submit_request(
        &mut self,
        now: Instant,
        command: Command,
        timeout: Option<Duration>,
    ) -> Result<TransactionId, UsageError> {
        match timeout {
            Some(t) => Client::submit_with_timeout(self, now, command, t),
            None => Client::submit(self, now, command),
        }
    }

    fn cancel(&mut self, now: Instant, txn: TransactionId) -> Result<(), UsageError> {
        Client::cancel(self, now, txn)
    }

    fn handle_input(&mut self, now: Instant, input: Input) -> Result<(), ProtocolError> {
        Client::handle_input(self, now, input)
    }

    fn handle_timeout(&mut self, now: Instant) {
        Client::handle_timeout(self, now);
    }

    fn poll_transmit(&mut self) -> Option<String> {
        Client::poll_transmit(self)
    }

    fn poll_event(&mut self) -> Option<Event> {
        Client::poll_event(self)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        Client::poll_timeout(self)
    }

    fn outcome(event: Event) -> Result<(TransactionId, Result<Reply, RequestError>), Event> {
        match event {
            Event::Completed { txn, outcome } => Ok((txn, outcome)),
            other => Err(other),
        }
    }

    fn acked(event: &Event) -> Option<TransactionId> {
        match event {
            Event::Acked { txn, .. } => Some(*txn),
            _ => None,
        }
    }
}

impl StateMachine for AdminClient {
    type Request = AdminRequest;
    type Reply = AdminReply;
    type Event = AdminEvent;

    fn submit_request(
        &mut self,
        now: Instant,
        request: AdminRequest,
        timeout: Option<Duration>,
    ) -> Result<TransactionId, UsageError> {
        match timeout {
            Some(t) => AdminClient::submit_with_timeout(self, now, request, t),
            None => AdminClient::submit(self, now, request),
        }
    }

    fn cancel(&mut self, now: Instant, txn: TransactionId) -> Result<(), UsageError> {
        AdminClient::cancel(self, now, txn)
    }

    fn handle_input(&mut self, now: Instant, input: Input) -> Result<(), ProtocolError> {
        AdminClient::handle_input(self, now, input)
    }

    fn handle_timeout(&mut self, now: Instant) {
        AdminClient::handle_timeout(self, now);
    }

    fn poll_transmit(&mut self) -> Option<String> {
        AdminClient::poll_transmit(self)
    }

    fn poll_event(&mut self) -> Option<AdminEvent> {
        AdminClient::poll_event(self)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        AdminClient::poll_timeout(self)
    }

    fn outcome(
        event: AdminEvent,
    ) -> Result<(TransactionId, Result<AdminReply, RequestError>), AdminEvent> {
        match event {
            AdminEvent::Completed { txn, outcome } => Ok((txn, outcome)),
            other => Err(other),
        }
    }

    /// The Admin API has no acknowledgements.
    fn acked(_: &AdminEvent) -> Option<TransactionId> {
        None
    }
}
