//! What every command that talks to a cluster shares: its runtime, the
//! confirmation prompt, and the read-only refusal.

use std::io::{BufRead, IsTerminal, Write};

use super::{UsageError, boxed};
use crate::error::Classified;

/// The runtime a command's cluster calls run on.
pub(super) fn runtime() -> Result<tokio::runtime::Runtime, Box<dyn Classified>> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| boxed(super::output::OutputError::Write(e)))
}

/// Asks "Proceed?" on the terminal, unless `yes`; without a terminal, refuses to
/// `what` (scripts pass --yes).
pub(super) fn confirm(what: &str, yes: bool) -> Result<bool, Box<dyn Classified>> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(boxed(UsageError {
            message: format!("refusing to {what} without confirmation: stdin is not a terminal"),
            hint: Some("pass --yes to go ahead without asking".into()),
        }));
    }
    print!("Proceed? [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// Whether `--read-only` refuses `command`, saying so on stderr.
pub(super) fn refuse_read_only(read_only: bool, command: &str, instead: Option<&str>) -> bool {
    if read_only {
        let instead = instead.map(|i| format!(", or {i}")).unwrap_or_default();
        eprintln!(
            "refused: read-only mode: `{command}` would change the cluster or a repository (drop --read-only{instead})"
        );
    }
    read_only
}

/// Warns about kinds whose live objects could not be read: their objects may show
/// as Missing although they exist.
pub(super) fn warn_unread(problems: &[crate::engine::live::KindProblem]) {
    for problem in problems {
        let kind = if problem.group.is_empty() {
            problem.kind.clone()
        } else {
            format!("{}/{}", problem.group, problem.kind)
        };
        eprintln!(
            "warning: cannot read {}: {} (such objects may show as Missing)",
            crate::model::text::one_line(&kind),
            crate::model::text::one_line(&problem.error.to_string())
        );
    }
}
