//! Why an engine object could not be mapped: the wrong kind handed to a mapping,
//! a required field missing, a field of the wrong type, or a Flux source that is
//! not the one the app refers to. Each names the object and the field.

use super::AppKind;
use crate::error::{Classified, ErrorKind};

/// Why an engine object could not be mapped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("expected {} ({}), got {found}", expected.label(), expected.group())]
    WrongKind { expected: AppKind, found: String },
    #[error("{object}: {path} is missing")]
    Missing { object: String, path: String },
    #[error("{object}: {path} is not {expected}")]
    Malformed {
        object: String,
        path: String,
        expected: &'static str,
    },
    #[error("{object}: the source given is {given}, but the object refers to {expected}")]
    SourceMismatch {
        object: String,
        expected: String,
        given: String,
    },
}

impl Classified for MappingError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidManifest
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            Self::WrongKind { .. } | Self::SourceMismatch { .. } => {
                "this is a driftdeck bug: the object was handed to the wrong mapping".to_owned()
            }
            Self::Missing { .. } | Self::Malformed { .. } => {
                "the object does not follow its CRD's schema; check which Argo CD or Flux \
                 version the cluster runs"
                    .to_owned()
            }
        })
    }
}
