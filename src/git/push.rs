//! Pushing a branch to a remote through the `git` command line: gix cannot push.
//! The push never forces: a remote branch that moved is a rejection, reported as
//! such, and nothing on the remote changes.

use std::process::{Command, Stdio};

use super::{GitError, GitRepo};
use crate::model::CommitId;

impl GitRepo {
    /// Pushes `commit` to `branch` on `remote` (a remote name or URL), as a
    /// fast-forward only: the commit itself, not whatever the local branch points
    /// at when the push runs (a fetch meanwhile may have moved it).
    pub fn push_commit(
        &self,
        remote: &str,
        commit: &CommitId,
        branch: &str,
    ) -> Result<(), GitError> {
        let refspec = format!("{commit}:refs/heads/{branch}");
        let output = Command::new("git")
            .arg("-C")
            .arg(&self.location)
            .args(["push", "--porcelain", "--", remote, &refspec])
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| GitError::Push {
                remote: remote.to_owned(),
                message: format!("cannot run git: {e}"),
            })?;
        if output.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let reason = stdout
            .lines()
            .chain(stderr.lines())
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with("To ") && *line != "Done")
            .collect::<Vec<_>>()
            .join("; ");
        // `--porcelain` marks a refused ref with `!` ("[rejected]", "[remote
        // rejected]"); anything else (network, authentication) is not a rejection.
        let rejected = stdout.lines().any(|line| line.starts_with('!'));
        let reason = super::remote::scrub(&reason, remote);
        let remote = &super::redact_url(remote);
        Err(if rejected {
            GitError::PushRejected {
                remote: remote.to_owned(),
                stderr: reason,
            }
        } else {
            GitError::Push {
                remote: remote.to_owned(),
                message: reason,
            }
        })
    }
}
