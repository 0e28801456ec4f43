//! Whether an object in the cluster matches what Git asks for: the verdict of one
//! comparison, as `diff/` decides it and every front end shows it.

use std::fmt;

use serde::Serialize;

/// The sync verdict for one object. Serialised in PascalCase (`OutOfSync`), the
/// spelling Argo CD users already read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum SyncStatus {
    /// Live matches desired (after normalisation and ignore rules).
    Synced,
    /// Both exist and differ.
    OutOfSync,
    /// In Git, not in the cluster.
    Missing,
    /// Tracked in the cluster, no longer in Git: a prune candidate.
    Extra,
}

impl SyncStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Synced => "Synced",
            Self::OutOfSync => "OutOfSync",
            Self::Missing => "Missing",
            Self::Extra => "Extra",
        }
    }
}

impl fmt::Display for SyncStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_in_pascal_case_like_display() {
        for status in [
            SyncStatus::Synced,
            SyncStatus::OutOfSync,
            SyncStatus::Missing,
            SyncStatus::Extra,
        ] {
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, serde_json::Value::from(status.to_string()));
        }
    }
}
