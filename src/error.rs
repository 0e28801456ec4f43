//! How every layer's errors present themselves to a user: a kind (what class of
//! problem), a summary (what and where, in the error's `Display`) and a hint (what to
//! do about it). Each module keeps its own `thiserror` enum and implements
//! [`Classified`]; front ends print `kind`, the message and the hint.

use std::fmt;

/// The class of a problem, shown to the user in brackets: `error[config]: …`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command line asked for something impossible.
    Usage,
    /// The configuration file is missing, unreadable or invalid.
    Config,
    /// A repository could not be opened, fetched, read or written.
    Git,
    /// A revision, path, app or repo that was asked for does not exist.
    NotFound,
    /// A manifest is not valid YAML/JSON or not a Kubernetes object.
    InvalidManifest,
    /// Kustomize or Helm failed, timed out or is not installed.
    Render,
    /// The local file system failed.
    Io,
    /// A cluster could not be reached, refused us, or answered with an error.
    Cluster,
}

impl ErrorKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Usage => "usage",
            Self::Config => "config",
            Self::Git => "git",
            Self::NotFound => "not found",
            Self::InvalidManifest => "invalid manifest",
            Self::Render => "render failed",
            Self::Io => "io",
            Self::Cluster => "cluster",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// An error that knows its class and, where there is one, what the user can do.
pub trait Classified: std::error::Error {
    fn kind(&self) -> ErrorKind;

    fn hint(&self) -> Option<String> {
        None
    }
}

/// An error of any classified kind, for functions that meet several.
pub fn boxed<E: Classified + 'static>(error: E) -> Box<dyn Classified> {
    Box::new(error)
}

/// `error` on one line, for a status line or a message: its kind, what, and the
/// hint.
pub fn one_line(error: &dyn Classified) -> String {
    let mut line = crate::model::text::one_line(&error.to_string()).into_owned();
    if let Some(hint) = error.hint() {
        line.push_str(&format!(" (hint: {})", crate::model::text::one_line(&hint)));
    }
    format!("{}: {line}", error.kind().label())
}
