//! The API semantics over the store: get, list, create, update, patch (merge, JSON,
//! strategic, server-side apply), delete with propagation, status and scale
//! subresources, dry runs. The HTTP server and the simulated controllers both go
//! through here, so an object a controller writes obeys the same rules (defaulting,
//! resource versions, managed fields, watch events) as one kubectl writes.

pub mod meta;
mod prepare;
mod read;
mod scale;
mod write;

use std::sync::Arc;

use super::registry::ResourceType;
use super::status::{ApiError, ApiResult};
use super::store::Store;

pub use read::{ListOptions, ListResult};
pub use scale::ScaleRequest;
pub use write::{DeleteOptions, Deleted, Propagation};

/// Which part of an object a write targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subresource {
    /// The object itself: `status` changes are ignored for types with a status
    /// subresource.
    Main,
    /// `/status`: only `status` changes.
    Status,
}

impl Subresource {
    pub fn parse(name: Option<&str>) -> Option<Self> {
        match name {
            None => Some(Self::Main),
            Some("status") => Some(Self::Status),
            Some(_) => None,
        }
    }

    fn managed_name(self) -> Option<&'static str> {
        match self {
            Self::Main => None,
            Self::Status => Some("status"),
        }
    }
}

/// The options every mutating verb takes.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// `dryRun=All`: everything is checked and computed, nothing is stored.
    pub dry_run: bool,
    /// `fieldManager`, or the user agent's product name as the API server derives it.
    pub manager: String,
}

impl WriteOptions {
    pub fn new(manager: impl Into<String>) -> Self {
        Self {
            dry_run: false,
            manager: manager.into(),
        }
    }
}

/// The patch formats of `PATCH`, by content type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchKind {
    Merge,
    Json,
    Strategic,
    /// Server-side apply; `force` takes fields from other managers.
    Apply {
        force: bool,
    },
}

impl PatchKind {
    pub fn from_content_type(content_type: &str, force: bool) -> Option<Self> {
        let media = content_type.split(';').next().unwrap_or_default().trim();
        match media {
            "application/merge-patch+json" => Some(Self::Merge),
            "application/json-patch+json" => Some(Self::Json),
            "application/strategic-merge-patch+json" => Some(Self::Strategic),
            "application/apply-patch+yaml" | "application/apply-patch+json" => {
                Some(Self::Apply { force })
            }
            _ => None,
        }
    }
}

/// The sandbox's API, shared by the server and the controllers.
#[derive(Clone)]
pub struct Api {
    store: Arc<Store>,
}

impl Api {
    pub fn new(store: Arc<Store>) -> Self {
        Self { store }
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The type served at `group/version/plural`.
    pub fn resource_type(
        &self,
        group: &str,
        version: &str,
        plural: &str,
    ) -> ApiResult<Arc<ResourceType>> {
        self.store
            .lock()
            .registry
            .lookup(group, version, plural)
            .ok_or_else(|| {
                ApiError::new(
                    super::status::Reason::NotFound,
                    format!("the server could not find the requested resource ({plural}.{group})"),
                )
            })
    }

    /// The type of a kind, for controllers that create objects of another kind.
    pub fn kind_type(&self, group: &str, kind: &str) -> ApiResult<Arc<ResourceType>> {
        self.store
            .lock()
            .registry
            .by_kind(group, kind)
            .ok_or_else(|| ApiError::internal(format!("no type serves kind {group}/{kind}")))
    }
}
