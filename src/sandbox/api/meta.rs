//! Small accessors and generators for object metadata: names, uids, timestamps,
//! owner references. Kept apart so the write paths read as the rules they apply.

use serde_json::{Map, Value};

pub fn str_field<'a>(object: &'a Value, pointer: &str) -> Option<&'a str> {
    object.pointer(pointer).and_then(Value::as_str)
}

pub fn name(object: &Value) -> &str {
    str_field(object, "/metadata/name").unwrap_or_default()
}

pub fn namespace(object: &Value) -> &str {
    str_field(object, "/metadata/namespace").unwrap_or_default()
}

pub fn uid(object: &Value) -> &str {
    str_field(object, "/metadata/uid").unwrap_or_default()
}

/// `metadata` as a mutable map; a non-object `metadata` is replaced by an empty map
/// (the API entry points refuse such bodies before they get here).
pub fn metadata_mut(object: &mut Value) -> &mut Map<String, Value> {
    if !object.is_object() {
        *object = Value::Object(Map::new());
    }
    let meta = &mut object["metadata"];
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    match meta {
        Value::Object(map) => map,
        _ => unreachable!("metadata was just made an object"),
    }
}

/// A random RFC 4122 version 4 UUID, as Kubernetes uses for `metadata.uid`.
pub fn new_uid() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: fall back to the clock, still unique enough for a sandbox.
        let nanos = jiff::Timestamp::now().as_nanosecond().to_le_bytes();
        bytes.copy_from_slice(&nanos);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Five characters from the alphabet Kubernetes uses for `generateName` suffixes.
pub fn random_suffix(len: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut bytes = vec![0u8; len];
    let _ = getrandom::fill(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// Now as Kubernetes writes timestamps: RFC 3339, whole seconds, UTC.
pub fn now() -> String {
    timestamp(jiff::Timestamp::now())
}

pub fn timestamp(at: jiff::Timestamp) -> String {
    let seconds = at.as_second();
    jiff::Timestamp::from_second(seconds)
        .unwrap_or(at)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The uids named in `metadata.ownerReferences`.
pub fn owner_uids(object: &Value) -> Vec<&str> {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.get("uid").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `name` is a valid DNS-1123 subdomain (the rule for most object names).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_look_like_uuids() {
        let uid = new_uid();
        assert_eq!(uid.len(), 36);
        assert_eq!(&uid[14..15], "4");
        assert_ne!(uid, new_uid());
    }

    #[test]
    fn names_follow_dns_subdomain_rules() {
        assert!(valid_name("web-1.example"));
        assert!(!valid_name("Web"));
        assert!(!valid_name("-web"));
        assert!(!valid_name(""));
    }

    #[test]
    fn timestamps_are_whole_seconds() {
        let at = jiff::Timestamp::from_second(1_790_000_000).unwrap();
        assert_eq!(timestamp(at), "2026-09-21T14:13:20Z");
    }
}
