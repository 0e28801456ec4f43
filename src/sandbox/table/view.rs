//! Lenient reads of an object for printing. A printer never fails: a missing or
//! mistyped field reads as Go's zero value (empty string, 0, empty list), which is
//! what the real printers see after decoding into typed structs.

use jiff::Timestamp;
use serde_json::Value;

use super::duration::human_duration;

/// One object being printed, and the clock the ages are measured against.
pub struct View<'a> {
    pub object: &'a Value,
    pub now: Timestamp,
}

impl<'a> View<'a> {
    pub fn new(object: &'a Value, now: Timestamp) -> Self {
        Self { object, now }
    }

    /// The value at a JSON pointer, if any.
    pub fn at(&self, pointer: &str) -> Option<&'a Value> {
        self.object.pointer(pointer)
    }

    /// A string field; "" when absent.
    pub fn str(&self, pointer: &str) -> &'a str {
        self.at(pointer).and_then(Value::as_str).unwrap_or_default()
    }

    /// An integer field; 0 when absent.
    pub fn int(&self, pointer: &str) -> i64 {
        self.at(pointer).and_then(Value::as_i64).unwrap_or(0)
    }

    /// An integer field that the API server defaults when it is absent.
    pub fn int_or(&self, pointer: &str, default: i64) -> i64 {
        self.at(pointer).and_then(Value::as_i64).unwrap_or(default)
    }

    /// A list field; empty when absent.
    pub fn list(&self, pointer: &str) -> &'a [Value] {
        self.at(pointer)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The number of entries of a map or list field.
    pub fn len(&self, pointer: &str) -> usize {
        match self.at(pointer) {
            Some(Value::Object(map)) => map.len(),
            Some(Value::Array(list)) => list.len(),
            _ => 0,
        }
    }

    pub fn name(&self) -> Value {
        self.str("/metadata/name").into()
    }

    pub fn time(&self, pointer: &str) -> Option<Timestamp> {
        parse_time(self.at(pointer))
    }

    /// The printers' `translateTimestampSince`: the age of a time field, or
    /// `<unknown>` when it is unset.
    pub fn since(&self, pointer: &str) -> String {
        self.time(pointer)
            .map_or_else(|| "<unknown>".to_owned(), |time| self.age_of(time))
    }

    /// The age column.
    pub fn age(&self) -> Value {
        self.since("/metadata/creationTimestamp").into()
    }

    pub fn age_of(&self, time: Timestamp) -> String {
        human_duration(self.now.duration_since(time))
    }

    /// A time field as the default convertor prints `Created At`: RFC 3339 in UTC
    /// to the second, Go's zero time when unset.
    pub fn rfc3339(&self, pointer: &str) -> String {
        self.time(pointer).map_or_else(
            || "0001-01-01T00:00:00Z".to_owned(),
            |time| {
                let second = Timestamp::from_second(time.as_second()).unwrap_or(time);
                second.to_string()
            },
        )
    }
}

pub fn parse_time(value: Option<&Value>) -> Option<Timestamp> {
    value.and_then(Value::as_str)?.parse().ok()
}

/// A string field of a nested value (a container status, a condition); "" when
/// absent.
pub fn field<'a>(value: &'a Value, name: &str) -> &'a str {
    value.get(name).and_then(Value::as_str).unwrap_or_default()
}
