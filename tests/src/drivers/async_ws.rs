//! [`JanusDriver`] over `janus-transport-ws`: the driver future runs on a thread of its own
//! (smol), each request is awaited with `smol::block_on` on the caller's thread, and events
//! come from the stream of all events, opened at connect, or from a handle's own stream,
//! opened the first time that handle's events are asked for.

use std::any::Any;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::thread::JoinHandle;
use std::time::Duration;

use futures_util::{FutureExt as _, Stream, StreamExt as _};
use janus_proto::plugins::{Plugin, PluginEvent, PluginHandle, PluginRequest, Typed};
use janus_proto::request::Request;
use janus_proto::wire::admin::{AdminReply, AdminRequest};
use janus_proto::{
    Command, Event, HandleId, Reply, RequestError, SessionId, SessionState, UsageError,
};
use janus_transport_ws::{
    connect, connect_admin, AdminClient, AllEvents, Client, ConnectOptions, DriverEnd, Error,
    HandleEvents, PluginEvents, StreamItem,
};

use super::{apply_options, JanusAdmin, JanusDriver, Options};

/// A request's future, sent when it was made.
pub type PendingReply = Pin<Box<dyn Future<Output = Result<Reply, Error>> + Send>>;

/// A `janus_transport_ws::Client` with its driver on a thread.
#[derive(Debug)]
pub struct AsyncWs {
    client: Client,
    events: AllEvents,
    handles: BTreeMap<HandleId, HandleEvents>,
    /// Each typed handle's `PluginEvents<P>` stream, for its plugin `P`.
    plugin_events: BTreeMap<HandleId, Box<dyn Any + Send>>,
    driver: DriverThread,
}

/// A `janus_transport_ws::AdminClient` with its driver on a thread.
#[derive(Debug)]
pub struct AsyncAdmin {
    client: AdminClient,
    driver: DriverThread,
}

/// The next item of `stream` within `wait` (`None`: nothing came; `Some(None)`: the
/// stream ended).
fn next_item<T, S: Stream<Item = T> + Unpin>(stream: &mut S, wait: Duration) -> Option<Option<T>> {
    if wait.is_zero() {
        return stream.next().now_or_never();
    }
    let timer = async {
        smol::Timer::after(wait).await;
        None
    };
    smol::block_on(smol::future::or(stream.next().map(Some), timer))
}

/// A driver future running on a thread of its own.
#[derive(Debug)]
struct DriverThread(Option<JoinHandle<DriverEnd>>);

impl DriverThread {
    fn run(driver: impl Future<Output = DriverEnd> + Send + 'static) -> Self {
        let thread = std::thread::Builder::new()
            .name("janus-driver".into())
            .spawn(move || smol::block_on(driver))
            .expect("a thread for the driver");
        DriverThread(Some(thread))
    }

    /// Waits for the driver's end (once its client was closed); a panic in the driver is
    /// the test's.
    fn join(&mut self) -> Option<DriverEnd> {
        self.0
            .take()
            .map(|thread| thread.join().expect("the driver thread"))
    }

    /// Waits for the driver's end and checks it was a clean close.
    fn closed(&mut self) {
        let end = self.join();
        assert!(matches!(end, Some(DriverEnd::Closed)), "{end:?}");
    }
}

impl JanusDriver for AsyncWs {
    const NAME: &'static str = "janus-transport-ws";
    type Pending = PendingReply;
    type Admin = AsyncAdmin;

    fn connect(url: &str, options: &Options) -> Result<Self, Error> {
        let options = apply_options!(options, ConnectOptions::new());
        let (client, driver) = smol::block_on(connect(url, options))?;
        let events = client.events();
        Ok(AsyncWs {
            client,
            events,
            handles: BTreeMap::new(),
            plugin_events: BTreeMap::new(),
            driver: DriverThread::run(driver),
        })
    }

    fn admin(url: &str, secret: Option<&str>) -> Result<AsyncAdmin, Error> {
        let mut options = apply_options!(&Options::new(), ConnectOptions::new());
        if let Some(secret) = secret {
            options = options.admin_secret(secret);
        }
        let (client, driver) = smol::block_on(connect_admin(url, options))?;
        Ok(AsyncAdmin {
            client,
            driver: DriverThread::run(driver),
        })
    }

    fn call<R>(&mut self, request: R) -> Result<R::Output, Error>
    where
        R: Request<Command = Command, Reply = Reply> + 'static,
        R::Output: Send + 'static,
    {
        smol::block_on(self.client.call(request))
    }

    fn attach_plugin<P: Plugin>(&mut self, session: SessionId) -> Result<PluginHandle<P>, Error> {
        let Some(session) = self.client.session(session) else {
            return Err(Error::Usage(UsageError::SessionEnded(session)));
        };
        let typed = smol::block_on(session.attach_plugin::<P>())?;
        Ok(typed.plugin_handle())
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
        let Some(h) = self.client.handle(handle.id()) else {
            return Err(Error::Usage(UsageError::HandleEnded(handle.id())));
        };
        smol::block_on(h.typed::<M::Plugin>().call(request))
    }

    fn next_plugin_event<P: Plugin>(
        &mut self,
        handle: PluginHandle<P>,
        wait: Duration,
    ) -> Result<Option<PluginEvent<P::Event>>, Error> {
        let id = handle.id();
        let Some(h) = self.client.handle(id) else {
            return Err(Error::Usage(UsageError::HandleEnded(id)));
        };
        let stream = self
            .plugin_events
            .entry(id)
            .or_insert_with(|| Box::new(h.typed::<P>().events()));
        let Some(stream) = stream.downcast_mut::<PluginEvents<P>>() else {
            panic!("handle {id} was read through another plugin's model");
        };
        match next_item(stream, wait) {
            None => Ok(None),
            Some(Some(event)) => Ok(Some(event)),
            Some(None) => Err(Error::Usage(UsageError::HandleEnded(id))),
        }
    }

    fn submit(&mut self, command: Command) -> Result<PendingReply, Error> {
        Ok(Box::pin(self.client.call(command)))
    }

    fn wait(&mut self, pending: PendingReply) -> Result<Reply, Error> {
        smol::block_on(pending)
    }

    fn cancel(&mut self, pending: PendingReply) -> Result<(), Error> {
        drop(pending);
        Ok(())
    }

    fn next_event(&mut self, wait: Duration) -> Result<Option<Event>, Error> {
        match next_item(&mut self.events, wait) {
            None => Ok(None),
            Some(Some(StreamItem::Event(event))) => Ok(Some(event)),
            Some(Some(other)) => panic!("the stream of all events: {other:?}"),
            Some(None) => Err(Error::Request(RequestError::ConnectionLost)),
        }
    }

    fn next_handle_event(
        &mut self,
        handle: HandleId,
        wait: Duration,
    ) -> Result<Option<Event>, Error> {
        // A stream opened while the handle lived gives its trailing events (`detached`).
        if !self.handles.contains_key(&handle) {
            let Some(h) = self.client.handle(handle) else {
                return Err(Error::Usage(UsageError::HandleEnded(handle)));
            };
            self.handles.insert(handle, h.events());
        }
        let Some(stream) = self.handles.get_mut(&handle) else {
            return Err(Error::Usage(UsageError::HandleEnded(handle)));
        };
        match next_item(stream, wait) {
            None => Ok(None),
            Some(Some(StreamItem::Event(event))) => Ok(Some(event)),
            Some(Some(other)) => panic!("the stream of handle {handle}: {other:?}"),
            Some(None) => Err(Error::Usage(UsageError::HandleEnded(handle))),
        }
    }

    fn session_state(&self, session: SessionId) -> Option<SessionState> {
        self.client.session_state(session)
    }

    fn session_of(&self, handle: HandleId) -> Option<SessionId> {
        self.client.handle(handle).map(|h| h.session())
    }

    fn pending(&self) -> usize {
        self.client.pending()
    }

    fn keepalive_interval(&self) -> Duration {
        self.client.keepalive_interval()
    }

    fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    fn close(mut self) {
        self.client.close();
        self.driver.closed();
    }
}

impl Drop for AsyncWs {
    fn drop(&mut self) {
        self.client.close();
        self.driver.join();
    }
}

impl JanusAdmin for AsyncAdmin {
    fn call<R>(&mut self, request: R) -> Result<R::Output, Error>
    where
        R: Request<Command = AdminRequest, Reply = AdminReply> + 'static,
        R::Output: Send + 'static,
    {
        smol::block_on(self.client.call(request))
    }

    fn close(mut self) {
        self.client.close();
        self.driver.closed();
    }
}

impl Drop for AsyncAdmin {
    fn drop(&mut self) {
        self.client.close();
        self.driver.join();
    }
}
