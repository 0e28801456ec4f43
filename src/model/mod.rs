//! Value types of the domain: resource keys, manifests, apps, repos, commits.
//!
//! Pure data and pure functions only. Nothing here does IO or imports gix, kube,
//! tokio or ratatui; every other layer speaks in these words.

pub mod activity;
mod app;
mod commit;
mod health;
mod kustomize;
pub mod ledger;
pub mod lists;
mod resource;
pub mod scope;
mod sync;
pub mod text;

pub use app::{
    AppName, AppSpec, Capabilities, Destination, DirectoryOptions, HelmOptions, HelmParameter,
    IgnoreDifference, RenderKind, RepoName, RepoSource, RepoSpec, SyncPolicy,
};
pub use commit::{CommitId, CommitInfo};
pub use health::{Health, HealthStatus};
pub use kustomize::{KustomizeImage, KustomizeOptions, KustomizeReplicas};
pub use resource::{Manifest, ResourceKey, SourceRef};
pub use sync::SyncStatus;
