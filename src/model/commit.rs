//! Commits as the rest of driftdeck sees them: an id and the metadata a history
//! row shows.

use std::fmt;

use jiff::Timestamp;
use serde::Serialize;

/// A full hexadecimal commit id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CommitId(String);

impl CommitId {
    pub fn new(hex: impl Into<String>) -> Self {
        Self(hex.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first seven hex digits, as `git log --oneline` shows them.
    pub fn short(&self) -> &str {
        self.0.get(..7).unwrap_or(&self.0)
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One row of a path's history. Text fields are raw: front ends neutralise them
/// (`model::text`) before printing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitInfo {
    pub id: CommitId,
    pub author_name: String,
    pub author_email: String,
    pub author_time: Timestamp,
    pub subject: String,
}
