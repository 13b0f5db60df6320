//! [`JanusDriver`] over `janus-blocking`: the caller's thread drives the socket.

use std::time::Duration;

use janus_blocking::{
    AdminConnection, ConnectOptions, Connection, Error, Event, HandleId, SessionId, SessionState,
    TransactionId,
};
use janus_proto::plugins::{Plugin, PluginEvent, PluginHandle, PluginRequest, Typed};
use janus_proto::request::Request;
use janus_proto::wire::admin::{AdminReply, AdminRequest};
use janus_proto::{Command, Reply};

use super::{apply_options, JanusAdmin, JanusDriver, Options};

/// A `janus_blocking::Connection`.
#[derive(Debug)]
pub struct Blocking {
    conn: Connection,
}

impl JanusDriver for Blocking {
    const NAME: &'static str = "janus-blocking";
    type Pending = TransactionId;
    type Admin = AdminConnection;

    fn connect(url: &str, options: &Options) -> Result<Self, Error> {
        let options = apply_options!(options, ConnectOptions::new());
        Ok(Blocking {
            conn: Connection::connect(url, options)?,
        })
    }

    fn admin(url: &str, secret: Option<&str>) -> Result<AdminConnection, Error> {
        let mut options = apply_options!(&Options::new(), ConnectOptions::new());
        if let Some(secret) = secret {
            options = options.admin_secret(secret);
        }
        AdminConnection::connect(url, options)
    }

    fn call<R>(&mut self, request: R) -> Result<R::Output, Error>
    where
        R: Request<Command = Command, Reply = Reply> + 'static,
        R::Output: Send + 'static,
    {
        self.conn.call(request)
    }

    fn attach_plugin<P: Plugin>(&mut self, session: SessionId) -> Result<PluginHandle<P>, Error> {
        self.conn.attach_plugin(session)
    }

    fn plugin_call<M>(
        &mut self,
        handle: PluginHandle<M::Plugin>,
        request: M,
    ) -> Result<Typed<M::Response>, Error>
    where
        M: PluginRequest + 'static,
        M::Response: Send + 'static,
    {
        self.conn.call(handle.request(request))
    }

    fn next_plugin_event<P: Plugin>(
        &mut self,
        handle: PluginHandle<P>,
        wait: Duration,
    ) -> Result<Option<PluginEvent<P::Event>>, Error> {
        self.conn.next_plugin_event(handle, wait)
    }

    fn submit(&mut self, command: Command) -> Result<TransactionId, Error> {
        self.conn.submit(command)
    }

    fn wait(&mut self, pending: TransactionId) -> Result<Reply, Error> {
        self.conn.wait(pending)
    }

    fn cancel(&mut self, pending: TransactionId) -> Result<(), Error> {
        self.conn.cancel(pending)
    }

    fn next_event(&mut self, wait: Duration) -> Result<Option<Event>, Error> {
        self.conn.next_event(wait)
    }

    fn next_handle_event(
        &mut self,
        handle: HandleId,
        wait: Duration,
    ) -> Result<Option<Event>, Error> {
        self.conn.next_handle_event(handle, wait)
    }

    fn session_state(&self, session: SessionId) -> Option<SessionState> {
        self.conn.core().session_state(session)
    }

    fn session_of(&self, handle: HandleId) -> Option<SessionId> {
        self.conn.core().session_of(handle)
    }

    fn pending(&self) -> usize {
        self.conn.core().pending()
    }

    fn keepalive_interval(&self) -> Duration {
        self.conn.core().keepalive_interval()
    }

    fn is_closed(&self) -> bool {
        self.conn.is_closed()
    }

    fn close(self) {
        self.conn.close();
    }
}

impl JanusAdmin for AdminConnection {
    fn call<R>(&mut self, request: R) -> Result<R::Output, Error>
    where
        R: Request<Command = AdminRequest, Reply = AdminReply> + 'static,
        R::Output: Send + 'static,
    {
        AdminConnection::call(self, request)
    }

    fn close(self) {
        AdminConnection::close(self);
    }
}
