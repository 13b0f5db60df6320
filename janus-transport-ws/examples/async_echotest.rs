//! EchoTest signalling on smol: create a session, attach, send a request, watch the handle's
//! events, hang up, detach, destroy.
//!
//! `cargo run -p janus-transport-ws --example async_echotest -- ws://127.0.0.1:8188`

use std::time::Duration;

use futures_util::StreamExt;
use janus_transport_ws::{connect, ConnectOptions, Error, StreamItem};
use serde_json::json;

fn main() -> Result<(), Error> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or("ws://127.0.0.1:8188".into());
    smol::block_on(async {
        let options = ConnectOptions::new().request_timeout(Duration::from_secs(5));
        let (client, driver) = connect(&url, options).await?;
        // The library spawns nothing: the driver runs where we put it.
        let driver = smol::spawn(driver);

        let info = client.info().await?;
        println!("connected to {:?}", info.version_string);
        let session = client.create().await?;
        let handle = session.attach("janus.plugin.echotest").await?;
        let mut events = handle.events();
        println!("session {} handle {}", session.id(), handle.id());

        let reply = handle
            .message(json!({"audio": true, "video": true}), None)
            .await?;
        println!("echotest answered {}", reply.data.data);

        handle.hangup().await?;
        handle.detach().await?;
        // The handle stream ends after `detached`.
        while let Some(item) = events.next().await {
            match item {
                StreamItem::Event(event) => println!("handle event: {event:?}"),
                StreamItem::Lagged { missed } => println!("missed {missed} events"),
                other => println!("{other:?}"),
            }
        }
        session.destroy().await?;

        client.close();
        println!("connection ended: {}", driver.await);
        Ok(())
    })
}
