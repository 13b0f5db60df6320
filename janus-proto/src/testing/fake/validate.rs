//! Janus's top-level request validator: how a frame splits into requests, and which
//! error each malformed one gets.

use serde_json::Value;

use crate::ids::SessionId;
use crate::wire::Request;

/// Splits a frame into its JSON values the way Janus does: several concatenated objects
/// are fine, but any parse failure, or anything after the last value (even a newline),
/// drops the whole frame with a 454.
pub(super) fn parse_frame(frame: &str) -> Result<Vec<Value>, String> {
    let invalid = |what: &str| format!("Invalid Janus API request - {what}");
    if frame.trim_start().is_empty() {
        return Err(invalid("'[' or '{' expected near end of file"));
    }
    if frame.ends_with(|c: char| c.is_whitespace()) {
        return Err(invalid("'[' or '{' expected near end of file"));
    }
    let mut values = Vec::new();
    for value in serde_json::Deserializer::from_str(frame).into_iter::<Value>() {
        match value {
            Ok(v) => values.push(v),
            Err(e) => return Err(invalid(&e.to_string())),
        }
    }
    Ok(values)
}

/// Why a JSON value is not a request Janus would run.
pub(super) struct Refusal {
    pub(super) transaction: Option<String>,
    pub(super) session_id: Option<SessionId>,
    pub(super) code: u32,
    pub(super) reason: String,
}

/// Checks the envelope as Janus's top-level validator does, then decodes the request.
pub(super) fn validate(value: Value) -> Result<Request, Refusal> {
    let refuse = |transaction: Option<&str>, session_id, code, reason: String| Refusal {
        transaction: transaction.map(str::to_owned),
        session_id,
        code,
        reason,
    };
    let mut object = match value {
        Value::Object(object) => object,
        Value::Array(_) => {
            let reason = "Missing mandatory element (transaction)".to_owned();
            return Err(refuse(None, None, 456, reason));
        }
        _ => {
            let reason = "Invalid Janus API request - '[' or '{' expected".to_owned();
            return Err(refuse(None, None, 454, reason));
        }
    };
    for field in ["transaction", "janus"] {
        match object.get(field) {
            None => {
                let reason = format!("Missing mandatory element ({field})");
                return Err(refuse(None, None, 456, reason));
            }
            Some(v) if !v.is_string() => {
                let reason = format!("Invalid element type ({field} should be a string)");
                return Err(refuse(None, None, 467, reason));
            }
            Some(_) => {}
        }
    }
    let transaction = object
        .get("transaction")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let name = object
        .get("janus")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    // Non-integer ids are ignored as if absent.
    let session_id = object
        .get("session_id")
        .and_then(Value::as_u64)
        .map(SessionId);
    if session_id.is_none() {
        object.remove("session_id");
    }
    let has_handle = object.get("handle_id").is_some_and(Value::is_u64);
    if !has_handle {
        object.remove("handle_id");
    }
    if name == "create" && object.get("id").is_some_and(|id| !id.is_u64()) {
        let reason = "Invalid element type (id should be a positive integer)".to_owned();
        return Err(refuse(None, None, 467, reason));
    }
    let txn = Some(transaction.as_str());
    let level = match name.as_str() {
        "info" | "ping" | "create" => 0,
        "attach" | "destroy" | "keepalive" | "claim" => 1,
        "message" | "trickle" | "hangup" | "detach" => 2,
        _ => 3,
    };
    match (level, session_id, has_handle) {
        (_, None, true) => {
            return Err(refuse(txn, None, 458, "Session not found".to_owned()));
        }
        (0, Some(_), _) | (3, Some(_), _) => {
            let reason = format!("Unknown request '{name}'");
            return Err(refuse(txn, session_id, 453, reason));
        }
        (3, None, _) | (1 | 2, None, _) | (2, Some(_), false) => {
            let reason = format!("Unhandled request '{name}' at this path");
            return Err(refuse(txn, session_id, 457, reason));
        }
        (1, Some(_), true) if name == "attach" || name == "destroy" => {
            let reason = format!("Unhandled request '{name}' at this path");
            return Err(refuse(txn, session_id, 457, reason));
        }
        _ => {}
    }
    object.insert("janus".to_owned(), Value::String(name));
    let text = Value::Object(object).to_string();
    Request::decode(&text).map_err(|e| {
        let reason = format!("Missing mandatory element or invalid element type ({e})");
        refuse(txn, session_id, 456, reason)
    })
}
