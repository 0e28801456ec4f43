//! Health words: `HealthStatus` (the six codes Argo CD uses) and `Health` (a code
//! plus the sentence a user reads in the TUI).
//!
//! Only the values and their severity order live here; deciding an object's health
//! is `crate::health`'s job. The order matters beyond display: an app's health is
//! the worst of its objects', so `is_worse` must agree with Argo CD or the same app
//! would read differently in driftdeck and in Argo CD's UI.

use std::fmt;

use serde::Serialize;

/// The health of one object or of an app. Serialises as the Argo CD code
/// (`"Healthy"`, `"Degraded"`, …) so JSON output matches what Argo users script against.
///
/// Declared from most to least healthy, in Argo CD's order (see `is_worse`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub enum HealthStatus {
    /// Running as desired, or nothing to judge (objects without a health signal).
    Healthy,
    /// Deliberately stopped: a paused Deployment, a suspended Job or CronJob.
    Suspended,
    /// Not there yet but moving: a rollout, a pending Pod, an unbound claim.
    Progressing,
    /// Desired in Git but absent from the cluster.
    Missing,
    /// Failing: crash loops, failed Jobs, missed deadlines, failing controllers.
    Degraded,
    /// Could not be judged: the object is malformed or reports an unknown state.
    Unknown,
}

impl HealthStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Healthy => "Healthy",
            Self::Suspended => "Suspended",
            Self::Progressing => "Progressing",
            Self::Missing => "Missing",
            Self::Degraded => "Degraded",
            Self::Unknown => "Unknown",
        }
    }

    /// Whether `self` is strictly more severe than `other`.
    ///
    /// The order is Argo CD's (`healthOrder` behind gitops-engine's
    /// `health.IsWorse`, also stated in Argo CD's health docs): Healthy <
    /// Suspended < Progressing < Missing < Degraded < Unknown. Unknown ranks worst
    /// because a state nobody can read might hide anything, and an operator should
    /// look at it before trusting the app; Missing ranks below Degraded because a
    /// sync usually fixes it.
    pub fn is_worse(self, other: HealthStatus) -> bool {
        self.severity() > other.severity()
    }

    /// Rank in Argo CD's order; written out rather than taken from the declaration
    /// order so that reordering the variants can never change app health.
    fn severity(self) -> u8 {
        match self {
            Self::Healthy => 0,
            Self::Suspended => 1,
            Self::Progressing => 2,
            Self::Missing => 3,
            Self::Degraded => 4,
            Self::Unknown => 5,
        }
    }
}

impl fmt::Display for HealthStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A health code and the sentence explaining it (counts, reasons, controller
/// messages). The message may be empty when there is nothing to add, e.g. for a
/// ConfigMap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Health {
    pub status: HealthStatus,
    pub message: String,
}

impl Health {
    pub fn new(status: HealthStatus, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub fn healthy(message: impl Into<String>) -> Self {
        Self::new(HealthStatus::Healthy, message)
    }

    pub fn suspended(message: impl Into<String>) -> Self {
        Self::new(HealthStatus::Suspended, message)
    }

    pub fn progressing(message: impl Into<String>) -> Self {
        Self::new(HealthStatus::Progressing, message)
    }

    pub fn degraded(message: impl Into<String>) -> Self {
        Self::new(HealthStatus::Degraded, message)
    }

    pub fn unknown(message: impl Into<String>) -> Self {
        Self::new(HealthStatus::Unknown, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARGO_ORDER: [HealthStatus; 6] = [
        HealthStatus::Healthy,
        HealthStatus::Suspended,
        HealthStatus::Progressing,
        HealthStatus::Missing,
        HealthStatus::Degraded,
        HealthStatus::Unknown,
    ];

    #[test]
    fn is_worse_follows_argo_order() {
        for (i, a) in ARGO_ORDER.iter().enumerate() {
            for (j, b) in ARGO_ORDER.iter().enumerate() {
                assert_eq!(a.is_worse(*b), i > j, "{a} is_worse {b}");
            }
        }
    }

    #[test]
    fn is_worse_is_strict() {
        for status in ARGO_ORDER {
            assert!(!status.is_worse(status));
        }
    }

    #[test]
    fn unknown_outranks_degraded_and_degraded_outranks_missing() {
        assert!(HealthStatus::Unknown.is_worse(HealthStatus::Degraded));
        assert!(HealthStatus::Degraded.is_worse(HealthStatus::Missing));
        assert!(HealthStatus::Missing.is_worse(HealthStatus::Progressing));
        assert!(HealthStatus::Progressing.is_worse(HealthStatus::Suspended));
        assert!(HealthStatus::Suspended.is_worse(HealthStatus::Healthy));
    }

    #[test]
    fn serialises_as_argo_codes() {
        for status in ARGO_ORDER {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.label()));
        }
        let health = Health::degraded("boom");
        assert_eq!(
            serde_json::to_value(&health).unwrap(),
            serde_json::json!({"status": "Degraded", "message": "boom"})
        );
    }
}
