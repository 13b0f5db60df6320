//! Secrets never in logs: a frame (or an HTTP long-poll's query string) with the values of
//! its secret fields replaced by [`REDACTED`], for a driver's frame log.
//!
//! The frame is scanned as JSON tokens, not parsed: it costs one pass and no allocation when
//! there is nothing to hide, works at any depth (a plugin's `secret` inside `body`, the
//! `token`s of a `list_tokens` reply), and hides as much as it can of text that is not JSON
//! (an unterminated secret hides everything after its key).

use std::borrow::Cow;

/// What a secret's value becomes.
pub const REDACTED: &str = "<redacted>";

/// The fields whose values [`redact`] hides: the Janus API's `apisecret` and `token`, the
/// Admin API's `admin_secret`, and the plugins' room and account secrets (`secret`,
/// `new_secret`, `admin_key`, `pin`, `new_pin`, SIP's `ha1_secret`, and `password`).
pub const REDACTED_KEYS: &[&str] = &[
    "apisecret",
    "token",
    "admin_secret",
    "secret",
    "new_secret",
    "admin_key",
    "pin",
    "new_pin",
    "ha1_secret",
    "password",
];

/// The query parameters [`redact_query`] hides.
const QUERY_KEYS: &[&str] = &["apisecret", "token", "admin_secret"];

/// `frame` with the value of every field named in [`REDACTED_KEYS`], at any depth, replaced
/// by `"<redacted>"` (a `null` stays `null`). Borrowed when there was nothing to hide.
///
/// ```
/// use janus_proto::redact;
///
/// let frame = r#"{"janus":"message","apisecret":"s3cret","body":{"request":"join","pin":"1234","room":7}}"#;
/// assert_eq!(
///     redact(frame),
///     r#"{"janus":"message","apisecret":"<redacted>","body":{"request":"join","pin":"<redacted>","room":7}}"#
/// );
/// assert!(matches!(redact(r#"{"janus":"ping"}"#), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn redact(frame: &str) -> Cow<'_, str> {
    let bytes = frame.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let end = string_end(bytes, i);
        let colon = skip_space(bytes, end);
        if bytes.get(colon) != Some(&b':') {
            i = end;
            continue;
        }
        if !is_secret_key(&frame[i..end]) {
            i = colon + 1;
            continue;
        }
        let start = skip_space(bytes, colon + 1);
        let stop = value_end(bytes, start);
        if start < stop && !bytes[start..stop].starts_with(b"null") {
            out.push_str(&frame[copied..start]);
            out.push('"');
            out.push_str(REDACTED);
            out.push('"');
            copied = stop;
        }
        i = stop.max(colon + 1);
    }
    if copied == 0 {
        return Cow::Borrowed(frame);
    }
    out.push_str(&frame[copied..]);
    Cow::Owned(out)
}

/// `path` (what follows an HTTP exchange's base URL) with the values of its `apisecret`,
/// `token` and `admin_secret` query parameters replaced by `<redacted>`: a long-poll carries
/// them there. Borrowed when there was nothing to hide.
///
/// ```
/// use janus_proto::redact_query;
///
/// assert_eq!(
///     redact_query("/42?maxev=10&rid=3&apisecret=s%26c&token=t0k"),
///     "/42?maxev=10&rid=3&apisecret=<redacted>&token=<redacted>"
/// );
/// assert_eq!(redact_query("/42/7"), "/42/7");
/// ```
pub fn redact_query(path: &str) -> Cow<'_, str> {
    let Some((base, query)) = path.split_once('?') else {
        return Cow::Borrowed(path);
    };
    let secret = |pair: &str| {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        QUERY_KEYS.contains(&name)
    };
    if !query.split('&').any(secret) {
        return Cow::Borrowed(path);
    }
    let pairs: Vec<Cow<'_, str>> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if secret(pair) => Cow::Owned(format!("{name}={REDACTED}")),
            _ => Cow::Borrowed(pair),
        })
        .collect();
    Cow::Owned(format!("{base}?{}", pairs.join("&")))
}

/// Whether a JSON string token (with its quotes) names a secret field. A key written with
/// escapes is decoded first, so that `"\u0070in"` is `pin` too.
fn is_secret_key(token: &str) -> bool {
    let inner = token
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(token);
    if !inner.contains('\\') {
        return REDACTED_KEYS.contains(&inner);
    }
    serde_json::from_str::<String>(token).is_ok_and(|key| REDACTED_KEYS.contains(&key.as_str()))
}

/// The index just after the string token opening at `start` (a `"`), escapes skipped; the
/// end of the text if it is unterminated.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The first index at or after `i` that is not JSON whitespace.
fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|b| b" \t\r\n".contains(b)) {
        i += 1;
    }
    i
}

/// The index just after the JSON value starting at `start`: a string, an object or array
/// (brackets counted, strings skipped), or a scalar up to the next delimiter; the end of the
/// text if it does not end.
fn value_end(bytes: &[u8], start: usize) -> usize {
    match bytes.get(start) {
        None => bytes.len(),
        Some(b'"') => string_end(bytes, start),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = start;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = string_end(bytes, i);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            bytes.len()
        }
        Some(_) => {
            let mut i = start;
            while i < bytes.len() && !b",}] \t\r\n".contains(&bytes[i]) {
                i += 1;
            }
            i
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secrets_of_requests_go_at_the_top_and_inside_the_body() {
        let frame = r#"{"janus":"message","transaction":"7","apisecret":"S1","token":"S2","body":{"request":"create","secret":"S3","pin":"S4","new_secret":"S5","new_pin":"S6","admin_key":"S7","room":1}}"#;
        let redacted = redact(frame);
        assert_eq!(
            redacted,
            r#"{"janus":"message","transaction":"7","apisecret":"<redacted>","token":"<redacted>","body":{"request":"create","secret":"<redacted>","pin":"<redacted>","new_secret":"<redacted>","new_pin":"<redacted>","admin_key":"<redacted>","room":1}}"#
        );
        assert!(!redacted.contains('S'), "{redacted}");
    }

    #[test]
    fn the_admin_secret_and_stored_tokens_go() {
        let frame = r#"{"janus":"add_token","token":"abc","admin_secret":"overlord","plugins":["janus.plugin.echotest"]}"#;
        assert_eq!(
            redact(frame),
            r#"{"janus":"add_token","token":"<redacted>","admin_secret":"<redacted>","plugins":["janus.plugin.echotest"]}"#
        );
        // A `list_tokens` reply, indented as Janus sends it.
        let reply = "{\n   \"janus\": \"success\",\n   \"data\": {\n      \"tokens\": [\n         {\n            \"token\": \"first\",\n            \"allowed_plugins\": []\n         },\n         {\n            \"token\" : \"second\"\n         }\n      ]\n   }\n}";
        let redacted = redact(reply);
        assert!(!redacted.contains("first") && !redacted.contains("second"));
        assert_eq!(redacted.matches(REDACTED).count(), 2);
        assert!(redacted.contains("\"allowed_plugins\": []"));
    }

    #[test]
    fn escapes_inside_a_secret_do_not_end_it_early() {
        let frame = r#"{"secret":"a\"b\\","pin":"\"","room":"x"}"#;
        assert_eq!(
            redact(frame),
            r#"{"secret":"<redacted>","pin":"<redacted>","room":"x"}"#
        );
    }

    #[test]
    fn a_key_written_with_escapes_is_still_a_secret() {
        let frame = r#"{"\u0070in":"1234","\u0073ecret":"x","ok\"":"stays"}"#;
        assert_eq!(
            redact(frame),
            r#"{"\u0070in":"<redacted>","\u0073ecret":"<redacted>","ok\"":"stays"}"#
        );
    }

    #[test]
    fn only_keys_are_names_and_strings_that_look_like_keys_stay() {
        // A value equal to a secret's name, and a secret's name inside a string.
        let frame = r#"{"request":"secret","text":"\"pin\":\"1\"","list":["token",":"]}"#;
        assert!(matches!(redact(frame), Cow::Borrowed(_)));
    }

    #[test]
    fn values_of_every_kind_go_but_null() {
        let frame = r#"{"pin":1234,"secret":{"a":[1,"}"]},"token":[ "x" ],"new_pin":true,"new_secret":null, "admin_key" : -1.5e3 }"#;
        assert_eq!(
            redact(frame),
            r#"{"pin":"<redacted>","secret":"<redacted>","token":"<redacted>","new_pin":"<redacted>","new_secret":null, "admin_key" : "<redacted>" }"#
        );
    }

    #[test]
    fn text_that_is_not_json_hides_what_follows_an_unterminated_secret() {
        assert_eq!(redact(r#"{"token":"abc"#), r#"{"token":"<redacted>""#);
        assert_eq!(redact(r#"{"secret":{"a":"#), r#"{"secret":"<redacted>""#);
        assert_eq!(redact(r#"{"pin":""#), r#"{"pin":"<redacted>""#);
        assert_eq!(redact(r#"{"pin":"#), r#"{"pin":"#);
        for junk in ["", "\"", "\\", "{\"pin\"", "]]]}}}", "\"a\":\"b\":"] {
            let _ = redact(junk);
        }
    }

    #[test]
    fn text_around_secrets_keeps_its_characters() {
        let frame = r#"{"display":"Zoë ☃","pin":"çà","note":"日本"}"#;
        assert_eq!(
            redact(frame),
            r#"{"display":"Zoë ☃","pin":"<redacted>","note":"日本"}"#
        );
    }

    #[test]
    fn query_strings_lose_their_secrets() {
        assert_eq!(
            redact_query("/1?maxev=1&token=a%20b&admin_secret=x&apisecretx=y"),
            "/1?maxev=1&token=<redacted>&admin_secret=<redacted>&apisecretx=y"
        );
        assert!(matches!(redact_query("/1?maxev=1&rid=2"), Cow::Borrowed(_)));
        assert!(matches!(redact_query(""), Cow::Borrowed(_)));
        // A name without a value hides nothing.
        assert_eq!(redact_query("?token"), "?token");
    }
}
