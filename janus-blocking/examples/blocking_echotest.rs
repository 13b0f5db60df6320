//! EchoTest signalling over the blocking client (no media): create a session, attach the
//! EchoTest plugin, send it `{"audio":true}`, print its answer, then clean up.
//!
//! ```text
//! cargo run -p janus-blocking --example blocking_echotest -- ws://127.0.0.1:8188
//! ```

use std::time::Duration;

use janus_blocking::{ConnectOptions, Connection, Error};
use serde_json::json;

fn main() -> Result<(), Error> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ws://127.0.0.1:8188".to_owned());
    let options = ConnectOptions::new().request_timeout(Duration::from_secs(5));
    let mut janus = Connection::connect(&url, options)?;

    let info = janus.info()?;
    println!("connected to {:?} {:?}", info.name, info.version_string);

    let session = janus.create()?;
    let handle = janus.attach(session, "janus.plugin.echotest")?;
    println!("session {session}, handle {handle}");

    // EchoTest answers asynchronously: an ack, then an event (in either order). `message`
    // returns the event.
    let reply = janus.message(handle, json!({"audio": true}), None)?;
    println!("{} answered {}", reply.data.plugin, reply.data.data);

    // Anything else Janus said meanwhile (none expected here).
    while let Some(event) = janus.next_event(Duration::from_millis(100))? {
        println!("event: {event:?}");
    }

    janus.detach(handle)?;
    janus.destroy(session)?;
    janus.close();
    Ok(())
}
