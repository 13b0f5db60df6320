//! The VideoRoom plugin (`janus.plugin.videoroom`): sync `create`/`exists`/`list`/`destroy`,
//! async `join`/`configure`/`publish`/`leave`, and the events other participants get.

use serde_json::{json, Map, Value};

use crate::ids::{HandleId, SessionId};
use crate::wire::Jsep;

use super::{plugin_error, FakeJanus, PluginReply};

/// The room every [`FakeJanus`] starts with (as in Janus's sample configuration).
pub const DEMO_ROOM: u64 = 1234;

impl FakeJanus {
    pub(super) fn videoroom(
        &mut self,
        session: SessionId,
        handle: HandleId,
        body: &Map<String, Value>,
        offer: bool,
    ) -> PluginReply {
        let sync = |data| PluginReply::Sync {
            data,
            side: Vec::new(),
        };
        let asynchronous = |data, jsep| PluginReply::Async {
            hint: None,
            event: Some((data, jsep)),
            after: Vec::new(),
        };
        let Some(request) = body.get("request").and_then(Value::as_str) else {
            return sync(plugin_error("videoroom", 429, "Missing element (request)"));
        };
        let room = body.get("room").and_then(Value::as_u64);
        let no_room = |r: u64| plugin_error("videoroom", 426, &format!("No such room ({r})"));
        let missing_room = || plugin_error("videoroom", 429, "Missing element (room)");
        let current = self.handle_mut(session, handle).and_then(|h| h.room);
        match request {
            "create" => {
                let room = room.unwrap_or_else(|| self.rng.janus_id());
                if self.rooms.contains_key(&room) {
                    let reason = format!("Room {room} already exists");
                    return sync(plugin_error("videoroom", 427, &reason));
                }
                let description = body
                    .get("description")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("Room {room}"), str::to_owned);
                self.rooms.insert(room, description);
                sync(json!({"videoroom": "created", "room": room, "permanent": false}))
            }
            "exists" => match room {
                Some(r) => sync(json!({
                    "videoroom": "success", "room": r, "exists": self.rooms.contains_key(&r)
                })),
                None => sync(missing_room()),
            },
            "list" => {
                let list: Vec<Value> = self
                    .rooms
                    .iter()
                    .map(|(room, description)| {
                        json!({
                            "room": room, "description": description, "pin_required": false,
                            "is_private": false, "max_publishers": 3,
                            "num_participants": self.participants(*room).len(),
                        })
                    })
                    .collect();
                sync(json!({"videoroom": "success", "list": list}))
            }
            "destroy" => match room {
                None => sync(missing_room()),
                Some(r) if !self.rooms.contains_key(&r) => sync(no_room(r)),
                Some(r) => {
                    self.rooms.remove(&r);
                    let participants = self.participants(r);
                    let mut side = Vec::new();
                    for (s, h) in participants {
                        if let Some(handle) = self.handle_mut(s, h) {
                            handle.room = None;
                        }
                        side.push((s, h, json!({"videoroom": "destroyed", "room": r})));
                    }
                    PluginReply::Sync {
                        data: json!({"videoroom": "destroyed", "room": r, "permanent": false}),
                        side,
                    }
                }
            },
            "join" => {
                let data = match (room, body.get("ptype").and_then(Value::as_str)) {
                    (None, _) => missing_room(),
                    (_, None) => plugin_error("videoroom", 429, "Missing element (ptype)"),
                    (Some(r), _) if !self.rooms.contains_key(&r) => no_room(r),
                    (_, _) if current.is_some() => {
                        plugin_error("videoroom", 425, "Already in as a publisher on this handle")
                    }
                    (Some(r), Some("publisher")) => {
                        let (id, private_id) = (self.rng.janus_id(), self.rng.below(1 << 32));
                        if let Some(h) = self.handle_mut(session, handle) {
                            h.room = Some(r);
                        }
                        let description = self.rooms.get(&r).cloned().unwrap_or_default();
                        json!({
                            "videoroom": "joined", "room": r, "description": description,
                            "id": id, "private_id": private_id, "publishers": [],
                        })
                    }
                    (_, Some(_)) => plugin_error("videoroom", 430, "Invalid element (ptype)"),
                };
                asynchronous(data, None)
            }
            "configure" | "publish" => match current {
                None => asynchronous(
                    plugin_error("videoroom", 424, "Can't configure (not in a room)"),
                    None,
                ),
                Some(r) => {
                    let jsep = offer.then(|| {
                        if let Some(h) = self.handle_mut(session, handle) {
                            h.pc = true;
                        }
                        Jsep::answer(self.sdp("answer"))
                    });
                    let data = json!({"videoroom": "event", "room": r, "configured": "ok"});
                    asynchronous(data, jsep)
                }
            },
            "leave" => {
                if let Some(h) = self.handle_mut(session, handle) {
                    h.room = None;
                }
                asynchronous(json!({"videoroom": "event", "leaving": "ok"}), None)
            }
            other => sync(plugin_error(
                "videoroom",
                423,
                &format!("Unknown request '{other}'"),
            )),
        }
    }

    /// The handles in a VideoRoom room.
    pub(super) fn participants(&self, room: u64) -> Vec<(SessionId, HandleId)> {
        self.sessions
            .iter()
            .flat_map(|(s, session)| {
                session
                    .handles
                    .iter()
                    .filter(move |(_, h)| h.room == Some(room))
                    .map(move |(h, _)| (*s, *h))
            })
            .collect()
    }
}
