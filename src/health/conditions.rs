//! `status.conditions`: reading them for the per-kind checks, and the generic
//! health of kinds no per-kind check covers (custom resources, mostly).
//!
//! Argo CD has no generic check: kinds without a Go or Lua check simply have no
//! health. driftdeck reads the conventions most controllers share instead — Flux's
//! and kstatus's `Ready` / `Reconciling` / `Stalled`, `Available`, Crossplane's
//! `Synced`, and a `spec.suspend` flag — and falls back to Argo's "no health"
//! (`Healthy`, see `super`) when none of them is there. Reading is lenient: a
//! custom resource with odd fields loses a signal, it does not become `Unknown`.

use serde_json::Value;

use super::{ReadError, items, lenient, lenient_text};
use crate::model::Health;

/// One entry of a conditions list. Missing or mistyped fields read as "".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Condition<'a> {
    pub type_name: &'a str,
    pub status: &'a str,
    pub reason: &'a str,
    pub message: &'a str,
}

impl<'a> Condition<'a> {
    fn from_value(value: &'a Value) -> Self {
        let get = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or("");
        Self {
            type_name: get("type"),
            status: get("status"),
            reason: get("reason"),
            message: get("message"),
        }
    }

    pub fn is_true(&self) -> bool {
        self.status == "True"
    }

    pub fn is_false(&self) -> bool {
        self.status == "False"
    }

    /// "Reason: message", or whichever of the two is set, or "Type is Status".
    pub fn summary(&self) -> String {
        match (self.reason.is_empty(), self.message.is_empty()) {
            (false, false) => format!("{}: {}", self.reason, self.message),
            (false, true) => self.reason.to_owned(),
            (true, false) => self.message.to_owned(),
            (true, true) => format!("{} is {}", self.type_name, self.status),
        }
    }

    /// The message if there is one, else the summary: for conditions whose reason
    /// adds nothing to a message that already reads as a sentence.
    pub fn message_or_summary(&self) -> String {
        if self.message.is_empty() {
            self.summary()
        } else {
            self.message.to_owned()
        }
    }
}

/// `status.conditions` of an object. Only a conditions field that is not a list
/// is an error; entries that are not objects are skipped.
pub(super) fn read(object: &Value) -> Result<Vec<Condition<'_>>, ReadError> {
    Ok(parse(items(object, &["status", "conditions"])?))
}

/// Conditions from an already-extracted list (e.g. an HPA v1 annotation).
pub(super) fn parse(list: &[Value]) -> Vec<Condition<'_>> {
    list.iter()
        .filter(|entry| entry.is_object())
        .map(Condition::from_value)
        .collect()
}

/// The first condition of a type; Kubernetes keeps at most one per type.
pub(super) fn find<'c, 'a>(
    conditions: &'c [Condition<'a>],
    type_name: &str,
) -> Option<&'c Condition<'a>> {
    conditions.iter().find(|c| c.type_name == type_name)
}

/// Words in a `Ready=False` reason that mean "not ready yet" rather than
/// "failed": controllers use Ready=False both while creating things and after
/// giving up, and only the reason tells which. Matched case-insensitively as
/// substrings, unless the reason also names a failure or a retry.
const IN_PROGRESS_REASON_WORDS: [&str; 9] = [
    "progress",
    "reconciling",
    "pending",
    "creating",
    "updating",
    "initializing",
    "provisioning",
    "waiting",
    "dependencynotready",
];
const FAILURE_REASON_WORDS: [&str; 4] = ["fail", "error", "retry", "invalid"];

fn reason_is_in_progress(reason: &str) -> bool {
    let reason = reason.to_ascii_lowercase();
    IN_PROGRESS_REASON_WORDS
        .iter()
        .any(|word| reason.contains(word))
        && !FAILURE_REASON_WORDS
            .iter()
            .any(|word| reason.contains(word))
}

/// The generic health of an object of a kind without its own check.
pub(super) fn assess(object: &Value, kind: &str) -> Result<Health, ReadError> {
    // Flux (and others) pause reconciliation with `spec.suspend`; Argo CD's Flux
    // checks look at it before anything else, since a suspended object's status
    // is frozen and says nothing about now.
    if lenient(object, &["spec", "suspend"]).and_then(Value::as_bool) == Some(true) {
        return Ok(Health::suspended(format!("{kind} is suspended")));
    }
    let Some(status) = lenient(object, &["status"]).and_then(Value::as_object) else {
        return Ok(no_health());
    };
    if status.is_empty() {
        return Ok(no_health());
    }

    let generation = lenient(object, &["metadata", "generation"]).and_then(Value::as_i64);
    let observed = lenient(object, &["status", "observedGeneration"]).and_then(Value::as_i64);
    if let (Some(generation), Some(observed)) = (generation, observed)
        && observed < generation
    {
        return Ok(Health::progressing(format!(
            "Waiting for the controller to observe generation {generation} (observed {observed})"
        )));
    }

    let list = lenient(object, &["status", "conditions"])
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let conditions = parse(list);
    Ok(from_conditions(&conditions).unwrap_or_else(|| no_check(object, kind)))
}

/// Health from the shared condition conventions, `None` when none applies.
/// Failure signals are read first so that a controller that is both retrying and
/// failing shows the failure.
fn from_conditions(conditions: &[Condition<'_>]) -> Option<Health> {
    let reconciling = find(conditions, "Reconciling").filter(|c| c.is_true());
    if let Some(stalled) = find(conditions, "Stalled").filter(|c| c.is_true()) {
        return Some(Health::degraded(format!("Stalled: {}", stalled.summary())));
    }
    if let Some(synced) = find(conditions, "Synced").filter(|c| c.is_false()) {
        return Some(Health::degraded(format!(
            "Not synced: {}",
            synced.summary()
        )));
    }
    if let Some(ready) = find(conditions, "Ready") {
        if ready.is_true() {
            return Some(match reconciling {
                Some(reconciling) => Health::progressing(reconciling.summary()),
                None => Health::healthy(ready.message),
            });
        }
        if ready.is_false() && !reason_is_in_progress(ready.reason) {
            return Some(Health::degraded(ready.summary()));
        }
        // Ready=Unknown, or Ready=False while still getting there.
        return Some(Health::progressing(ready.summary()));
    }
    if let Some(reconciling) = reconciling {
        return Some(Health::progressing(reconciling.summary()));
    }
    if let Some(available) = find(conditions, "Available") {
        if available.is_true() {
            return Some(Health::healthy(available.message));
        }
        if available.is_false() {
            return Some(Health::degraded(available.summary()));
        }
        return Some(Health::progressing(available.summary()));
    }
    None
}

/// Nothing to judge: no status at all (ConfigMaps, Secrets, RBAC, …).
fn no_health() -> Health {
    Health::healthy("")
}

/// A status driftdeck cannot read. Said out loud, unlike `no_health`, because a
/// status usually means the kind does have a notion of health that we miss.
fn no_check(object: &Value, kind: &str) -> Health {
    let kind = if kind.is_empty() {
        lenient_text(object, &["apiVersion"])
    } else {
        kind
    };
    Health::healthy(format!("no health check for {kind}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_false_reasons_split_into_progress_and_failure() {
        assert!(reason_is_in_progress("Progressing"));
        assert!(reason_is_in_progress("ReconciliationInProgress"));
        assert!(reason_is_in_progress("DependencyNotReady"));
        assert!(reason_is_in_progress("Creating"));
        assert!(!reason_is_in_progress("ReconciliationFailed"));
        assert!(!reason_is_in_progress("ProgressingWithRetry"));
        assert!(!reason_is_in_progress("BuildFailed"));
        assert!(!reason_is_in_progress("Unavailable"));
        assert!(!reason_is_in_progress(""));
    }

    #[test]
    fn summary_uses_what_is_set() {
        let mut c = Condition {
            type_name: "Ready",
            status: "False",
            reason: "Failed",
            message: "boom",
        };
        assert_eq!(c.summary(), "Failed: boom");
        c.message = "";
        assert_eq!(c.summary(), "Failed");
        c.reason = "";
        assert_eq!(c.summary(), "Ready is False");
    }
}
