//! The kube adapter: clients per kubeconfig context and the classification of what
//! goes wrong when talking to a cluster. Later parts of the engine issue add
//! discovery, watches, server-side apply, logs and events here; nothing above this
//! module imports kube.

mod connect;
mod error;
mod resources;
mod watch;
pub mod workloads;

pub use connect::{Connection, connect, context_names, load_kubeconfig};
pub use error::ClusterError;
pub use resources::{
    ApplyMode, Catalog, Served, apply, delete, discover, discover_groups, get, list, merge_patch,
    server_version,
};
pub use watch::{Change, watch_labelled};
