//! Each subcommand as an Admin API request, and its reply as text.

use std::io::Read;
use std::time::Duration;

use janus_blocking::{AdminReply, AdminReplyKind, AdminRequest, HandleId, SessionId};
use serde_json::Value;

use crate::cli::{Capture, CaptureFile, Command, Set, Tokens};
use crate::error::CliError;
use crate::render::{cell, fields, Table};

/// A subcommand made into its request, with the ids it names (to explain a refusal).
pub struct Planned {
    /// The request to send.
    pub request: AdminRequest,
    /// The session it names.
    pub session: Option<u64>,
    /// The handle it names.
    pub handle: Option<u64>,
}

/// The request `command` sends. `message-plugin` with `-` reads its JSON from stdin.
pub fn plan(command: &Command) -> Result<Planned, CliError> {
    use AdminRequest as R;
    let ids = |session: u64, handle: u64| (SessionId(session), HandleId(handle));
    let mut planned = Planned {
        request: R::Info,
        session: None,
        handle: None,
    };
    planned.request = match command {
        Command::Info => R::Info,
        Command::Ping => R::Ping,
        Command::Status => R::GetStatus,
        Command::Sessions => R::ListSessions,
        Command::Handles { session } => {
            planned.session = Some(*session);
            R::ListHandles {
                session_id: SessionId(*session),
            }
        }
        Command::HandleInfo {
            session,
            handle,
            plugin_only,
        } => {
            (planned.session, planned.handle) = (Some(*session), Some(*handle));
            let (session_id, handle_id) = ids(*session, *handle);
            R::HandleInfo {
                session_id,
                handle_id,
                plugin_only: plugin_only.then_some(true),
            }
        }
        Command::Tokens(tokens) => token_request(tokens),
        Command::Set(set) => {
            if let Set::SessionTimeout {
                session: Some(session),
                ..
            } = set
            {
                planned.session = Some(*session);
            }
            set_request(set)
        }
        Command::Pcap(capture) | Command::Text2pcap(capture) => {
            let text = matches!(command, Command::Text2pcap(_));
            let (session, handle) = match capture {
                Capture::Start {
                    session, handle, ..
                }
                | Capture::Stop { session, handle } => (*session, *handle),
            };
            (planned.session, planned.handle) = (Some(session), Some(handle));
            capture_request(text, capture, ids(session, handle))
        }
        Command::DestroySession { session } => {
            planned.session = Some(*session);
            R::DestroySession {
                session_id: SessionId(*session),
            }
        }
        Command::DetachHandle { session, handle } | Command::HangupWebrtc { session, handle } => {
            (planned.session, planned.handle) = (Some(*session), Some(*handle));
            let (session_id, handle_id) = ids(*session, *handle);
            match command {
                Command::DetachHandle { .. } => R::DetachHandle {
                    session_id,
                    handle_id,
                },
                _ => R::HangupWebrtc {
                    session_id,
                    handle_id,
                },
            }
        }
        Command::MessagePlugin { plugin, request } => R::MessagePlugin {
            plugin: plugin.clone(),
            request: plugin_request(plugin, request)?,
        },
        Command::AcceptNewSessions { accept } => R::AcceptNewSessions {
            accept: accept.is_on(),
        },
    };
    Ok(planned)
}

fn token_request(tokens: &Tokens) -> AdminRequest {
    use AdminRequest as R;
    match tokens {
        Tokens::List => R::ListTokens,
        Tokens::Add { token, plugins } => R::AddToken {
            token: token.clone(),
            plugins: (!plugins.is_empty()).then(|| plugins.clone()),
        },
        Tokens::Remove { token } => R::RemoveToken {
            token: token.clone(),
        },
        Tokens::Allow { token, plugins } => R::AllowToken {
            token: token.clone(),
            plugins: plugins.clone(),
        },
        Tokens::Disallow { token, plugins } => R::DisallowToken {
            token: token.clone(),
            plugins: plugins.clone(),
        },
    }
}

fn set_request(set: &Set) -> AdminRequest {
    use AdminRequest as R;
    match *set {
        Set::LogLevel { level } => R::SetLogLevel { level },
        Set::SessionTimeout { seconds, session } => R::SetSessionTimeout {
            timeout: seconds,
            session_id: session.map(SessionId),
        },
        Set::LogTimestamps { switch } => R::SetLogTimestamps {
            timestamps: switch.is_on(),
        },
        Set::LogColors { switch } => R::SetLogColors {
            colors: switch.is_on(),
        },
        Set::LockingDebug { switch } => R::SetLockingDebug {
            debug: switch.is_on(),
        },
        Set::RefcountDebug { switch } => R::SetRefcountDebug {
            debug: switch.is_on(),
        },
        Set::LibniceDebug { switch } => R::SetLibniceDebug {
            debug: switch.is_on(),
        },
        Set::MinNackQueue { milliseconds } => R::SetMinNackQueue {
            min_nack_queue: milliseconds,
        },
        Set::NackOptimizations { switch } => R::SetNackOptimizations {
            nack_optimizations: switch.is_on(),
        },
        Set::NoMediaTimer { seconds } => R::SetNoMediaTimer {
            no_media_timer: seconds,
        },
        Set::SlowlinkThreshold { packets } => R::SetSlowlinkThreshold {
            slowlink_threshold: packets,
        },
    }
}

fn capture_request(
    text: bool,
    capture: &Capture,
    (session_id, handle_id): (SessionId, HandleId),
) -> AdminRequest {
    use AdminRequest as R;
    match (capture, text) {
        (Capture::Start { file, .. }, _) => {
            let CaptureFile {
                folder,
                filename,
                truncate,
            } = file.clone();
            match text {
                false => R::StartPcap {
                    session_id,
                    handle_id,
                    folder,
                    filename,
                    truncate,
                },
                true => R::StartText2pcap {
                    session_id,
                    handle_id,
                    folder,
                    filename,
                    truncate,
                },
            }
        }
        (Capture::Stop { .. }, false) => R::StopPcap {
            session_id,
            handle_id,
        },
        (Capture::Stop { .. }, true) => R::StopText2pcap {
            session_id,
            handle_id,
        },
    }
}

/// The plugin request: `json` itself, or standard input for `-`; a JSON object.
fn plugin_request(plugin: &str, json: &str) -> Result<Value, CliError> {
    let mut text = json.to_owned();
    if json == "-" {
        text.clear();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(CliError::Stdin)?;
    }
    let bad = |reason: String| CliError::BadJson {
        plugin: plugin.to_owned(),
        reason,
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(value) if value.is_object() => Ok(value),
        Ok(_) => Err(bad("it is valid JSON, but not an object".to_owned())),
        Err(e) => Err(bad(e.to_string())),
    }
}

/// The plugin's refusal inside a `message_plugin` reply (`error_code` in its response).
pub fn plugin_refusal(command: &Command, reply: &AdminReply) -> Option<CliError> {
    let (Command::MessagePlugin { plugin, .. }, AdminReplyKind::Response(response)) =
        (command, &reply.kind)
    else {
        return None;
    };
    let code = response.get("error_code")?.as_i64()?;
    let reason = response.get("error").and_then(Value::as_str).unwrap_or("");
    Some(CliError::PluginRefused {
        plugin: plugin.clone(),
        code,
        reason: reason.to_owned(),
    })
}

/// The reply shown as text (tables, or a line saying what was done). A reply whose shape is
/// not the expected one is shown whole, as fields.
pub fn text(command: &Command, reply: &AdminReply, frame: &Value, elapsed: Duration) -> String {
    use AdminReplyKind as K;
    let on = |b: bool| if b { "on" } else { "off" };
    let line = |text: String| text + "\n";
    if let Command::Set(set) = command {
        if let Some(text) = set_text(set, &reply.kind) {
            return line(text);
        }
    }
    match (command, &reply.kind) {
        (Command::Info, K::ServerInfo(_)) => info(frame),
        (Command::Ping, K::Pong) => line(format!("pong in {:.1} ms", elapsed.as_secs_f64() * 1e3)),
        (Command::Status, _) if frame.get("status").is_some_and(Value::is_object) => {
            fields(&frame["status"])
        }
        (Command::Sessions, K::Sessions(sessions)) => {
            let mut ids: Vec<u64> = sessions.iter().map(|s| s.0).collect();
            ids.sort_unstable();
            list("SESSION", &ids, "no sessions")
        }
        (Command::Handles { session }, K::Handles { handles, .. }) => {
            let mut ids: Vec<u64> = handles.iter().map(|h| h.0).collect();
            ids.sort_unstable();
            list("HANDLE", &ids, &format!("no handles in session {session}"))
        }
        (Command::HandleInfo { .. }, K::HandleInfo { info, .. }) => fields(info.value()),
        (Command::Tokens(Tokens::List), K::Tokens(tokens)) if tokens.is_empty() => {
            line("no stored tokens".to_owned())
        }
        (Command::Tokens(Tokens::List), K::Tokens(tokens)) => {
            let mut table = Table::with_header(&["TOKEN", "PLUGINS"]);
            for token in tokens {
                let plugins = Value::from(token.allowed_plugins.clone());
                table.row([token.token.expose().to_owned(), cell(&plugins)]);
            }
            table.to_string()
        }
        (Command::Tokens(tokens), K::TokenPlugins(plugins)) => {
            let done = match tokens {
                Tokens::Add { .. } => "token added",
                Tokens::Allow { .. } => "plugins allowed",
                _ => "plugins disallowed",
            };
            line(format!(
                "{done}; the token may use: {}",
                cell(&Value::from(plugins.clone()))
            ))
        }
        (Command::Tokens(Tokens::Remove { .. }), K::Done) => line("token removed".to_owned()),
        (Command::Pcap(capture) | Command::Text2pcap(capture), K::Done) => {
            let what = match command {
                Command::Pcap(_) => "pcap",
                _ => "text2pcap",
            };
            line(match capture {
                Capture::Start { handle, .. } => format!("{what} dump of handle {handle} started"),
                Capture::Stop { handle, .. } => format!("{what} dump of handle {handle} stopped"),
            })
        }
        (Command::DestroySession { session }, K::Done) => {
            line(format!("session {session} destroyed"))
        }
        (Command::DetachHandle { session, handle }, K::Done) => {
            line(format!("handle {handle} detached from session {session}"))
        }
        (Command::HangupWebrtc { handle, .. }, K::Done) => {
            line(format!("PeerConnection of handle {handle} hung up"))
        }
        (Command::MessagePlugin { .. }, K::Response(response)) => fields(response),
        (Command::AcceptNewSessions { .. }, K::Enabled(accept)) => {
            line(format!("accepting new sessions: {}", on(*accept)))
        }
        _ => fields(frame),
    }
}

/// What a `set_*` reply says is in force now.
fn set_text(set: &Set, kind: &AdminReplyKind) -> Option<String> {
    use AdminReplyKind as K;
    let on = |b: bool| if b { "on" } else { "off" };
    Some(match (set, kind) {
        (Set::LogLevel { .. }, K::LogLevel(level)) => format!("log level: {level}"),
        (Set::SessionTimeout { .. }, K::SessionTimeout { session, timeout }) => {
            let whose = match session {
                Some(session) => format!("session {session}'s timeout"),
                None => "session timeout".to_owned(),
            };
            let meaning = match timeout {
                0 => " (never)",
                -1 => " (the global one)",
                _ => "",
            };
            format!("{whose}: {timeout} s{meaning}")
        }
        (Set::LogTimestamps { .. }, K::Enabled(b)) => format!("log timestamps: {}", on(*b)),
        (Set::LogColors { .. }, K::Enabled(b)) => format!("log colors: {}", on(*b)),
        (Set::LockingDebug { .. }, K::Enabled(b)) => format!("locking debug: {}", on(*b)),
        (Set::RefcountDebug { .. }, K::Enabled(b)) => format!("refcount debug: {}", on(*b)),
        (Set::LibniceDebug { .. }, K::Enabled(b)) => format!("libnice debug: {}", on(*b)),
        (Set::NackOptimizations { .. }, K::Enabled(b)) => {
            format!("NACK optimizations: {}", on(*b))
        }
        (Set::MinNackQueue { .. }, K::Number(n)) => format!("min NACK queue: {n} ms"),
        (Set::NoMediaTimer { .. }, K::Number(n)) => format!("no-media timer: {n} s"),
        (Set::SlowlinkThreshold { .. }, K::Number(n)) => {
            format!("slowlink threshold: {n} packets/s")
        }
        _ => return None,
    })
}

/// One id per row under `title`, or `empty` when there are none.
fn list(title: &str, ids: &[u64], empty: &str) -> String {
    if ids.is_empty() {
        return format!("{empty}\n");
    }
    let mut table = Table::with_header(&[title]);
    for id in ids {
        table.row([id.to_string()]);
    }
    table.to_string()
}

/// `info`: the server's fields, then a table per kind of module (transports, plugins, …).
fn info(frame: &Value) -> String {
    const MODULES: [(&str, &str); 4] = [
        ("transports", "TRANSPORT"),
        ("plugins", "PLUGIN"),
        ("events", "EVENT HANDLER"),
        ("loggers", "LOGGER"),
    ];
    let mut server = frame.clone();
    let mut modules = Vec::new();
    if let Some(map) = server.as_object_mut() {
        map.remove("janus");
        map.remove("transaction");
        for (key, title) in MODULES {
            if let Some(Value::Object(found)) = map.remove(key) {
                modules.push((title, found));
            }
        }
    }
    let mut parts = vec![fields(&server)];
    for (title, found) in modules.into_iter().filter(|(_, m)| !m.is_empty()) {
        let mut table = Table::with_header(&[title, "VERSION", "NAME"]);
        for (package, module) in found {
            let get = |key: &str| module.get(key).map(cell).unwrap_or_default();
            table.row([package, get("version_string"), get("name")]);
        }
        parts.push(table.to_string());
    }
    parts.join("\n")
}
