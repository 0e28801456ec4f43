//! Events (`core/v1`) as components record them: one per (object, reason, message),
//! counted when it repeats, and expired after an hour as the API server's TTL does.

use jiff::SignedDuration;
use serde_json::{Value, json};

use super::super::api::meta;
use super::context::{Ctl, time_at};

/// How long an Event lives.
const TTL: SignedDuration = SignedDuration::from_hours(1);

pub fn record(
    ctl: &Ctl,
    object: &Value,
    warning: bool,
    reason: &str,
    message: &str,
    component: &str,
) {
    let namespace = match meta::namespace(object) {
        "" => "default",
        ns => ns,
    };
    let name = meta::name(object);
    let uid = meta::uid(object);
    // The same key for the same story, so repeats update one Event.
    let key = stable_suffix(&format!("{uid}/{reason}/{message}"));
    let event_name = format!("{name}.{key}");
    let now = ctl.now_text();
    if let Some(existing) = ctl.get("", "Event", namespace, &event_name) {
        let mut updated = (*existing).clone();
        let count = updated.get("count").and_then(Value::as_i64).unwrap_or(1) + 1;
        updated["count"] = count.into();
        updated["lastTimestamp"] = now.into();
        ctl.update(updated, component);
        return;
    }
    let event = json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": event_name, "namespace": namespace},
        "involvedObject": {
            "apiVersion": object.get("apiVersion").cloned().unwrap_or(Value::Null),
            "kind": object.get("kind").cloned().unwrap_or(Value::Null),
            "name": name,
            "namespace": meta::namespace(object),
            "uid": uid,
            "resourceVersion": meta::str_field(object, "/metadata/resourceVersion").unwrap_or_default(),
        },
        "reason": reason,
        "message": message,
        "type": if warning { "Warning" } else { "Normal" },
        "source": {"component": component},
        "reportingComponent": component,
        "reportingInstance": "",
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
    });
    ctl.create("", "Event", event, component);
}

/// Deletes Events last seen more than an hour ago.
pub fn expire(ctl: &Ctl) {
    for event in ctl.list("", "Event") {
        let last = time_at(&event, "/lastTimestamp")
            .or_else(|| time_at(&event, "/metadata/creationTimestamp"));
        if last.is_some_and(|t| ctl.since(t) > TTL) {
            ctl.delete(&event);
        }
    }
}

fn stable_suffix(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}
