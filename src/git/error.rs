//! Errors of the Git layer, classified for the user.

use std::path::PathBuf;

use crate::error::{Classified, ErrorKind};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot open a Git repository at {}: {message}", .path.display())]
    Open { path: PathBuf, message: String },

    #[error("cannot clone {url}: {message}")]
    Clone { url: String, message: String },

    #[error("cannot fetch {url}: {message}")]
    Fetch { url: String, message: String },

    #[error("revision '{rev}' does not exist in {}", .repo.display())]
    RevisionNotFound { rev: String, repo: PathBuf },

    #[error("'{path}' does not exist at {rev}")]
    PathNotFound { path: String, rev: String },

    #[error("'{path}' at {rev} is a {found}, not a {wanted}")]
    WrongKind {
        path: String,
        rev: String,
        found: &'static str,
        wanted: &'static str,
    },

    #[error("cannot read from {}: {message}", .repo.display())]
    Read { repo: PathBuf, message: String },

    #[error("cannot write to {}: {message}", .repo.display())]
    Write { repo: PathBuf, message: String },

    #[error(
        "branch '{branch}' moved: expected it at {expected}, it is at {actual}; nothing was changed"
    )]
    BranchMoved {
        branch: String,
        expected: String,
        actual: String,
    },

    #[error(
        "the tree has an entry '{name}' in '{folder}' that is not a safe file name; refusing to read it"
    )]
    UnsafeTree { folder: String, name: String },

    #[error("{file} in {} {why}; refusing to commit over it", .worktree.display())]
    WorktreeDirty {
        worktree: PathBuf,
        file: String,
        why: String,
    },

    #[error("the commit is on the branch, but {path} in {} could not be brought in line with it: {message}", .worktree.display())]
    WorktreeUpdate {
        worktree: PathBuf,
        path: String,
        message: String,
    },

    #[error("no Git identity is configured to author the commit")]
    NoIdentity,

    #[error("cannot push to {remote}: {message}")]
    Push { remote: String, message: String },

    #[error("push to {remote} was rejected: {stderr}")]
    PushRejected { remote: String, stderr: String },

    #[error("cannot export the tree to {}: {source}", .path.display())]
    Export {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl GitError {
    pub(crate) fn read(repo: &std::path::Path, error: impl std::fmt::Display) -> Self {
        Self::Read {
            repo: repo.to_path_buf(),
            message: error.to_string(),
        }
    }

    pub(crate) fn write(repo: &std::path::Path, error: impl std::fmt::Display) -> Self {
        Self::Write {
            repo: repo.to_path_buf(),
            message: error.to_string(),
        }
    }
}

impl Classified for GitError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::RevisionNotFound { .. } | Self::PathNotFound { .. } => ErrorKind::NotFound,
            Self::Export { .. } => ErrorKind::Io,
            _ => ErrorKind::Git,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            Self::Open { .. } => "check the repo's `path` in the configuration; it must be a Git repository".into(),
            Self::Clone { .. } | Self::Fetch { .. } | Self::Push { .. } => {
                "check the URL, your network and credentials (ssh agent, credential helper)".into()
            }
            Self::RevisionNotFound { .. } => {
                "use a branch, tag or commit id that exists (`driftdeck history` lists commits)".into()
            }
            Self::PathNotFound { .. } => "check the path and the revision".into(),
            Self::BranchMoved { .. } => "someone pushed meanwhile: refresh and try again".into(),
            Self::UnsafeTree { .. } => "the repository was crafted to escape its folder (git fsck reports it); do not use it".into(),
            Self::WorktreeDirty { .. } => "commit or stash your changes there (`git status`), then try again".into(),
            Self::WorktreeUpdate { path, .. } => format!("bring the working tree and index in line with the new commit: `git restore --source=HEAD --staged --worktree -- {path}`"),
            Self::NoIdentity => "set one with `git config --global user.name \"Your Name\"` and `git config --global user.email you@example.com`".into(),
            Self::PushRejected { .. } => "the remote branch moved or is protected; nothing was changed locally".into(),
            _ => return None,
        })
    }
}
