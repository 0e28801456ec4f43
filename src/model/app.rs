//! What the configuration declares: Git sources (`RepoSpec`) and the apps they
//! deploy (`AppSpec`), with where each app goes and how it is rendered and synced.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(name: impl Into<String>) -> Self {
                Self(name.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

name_type!(
    /// The name of an app, unique within a configuration.
    AppName
);
name_type!(
    /// The name of a Git source, unique within a configuration.
    RepoName
);

/// Where a repository's objects come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RepoSource {
    /// A repository on this machine, read in place (working tree or bare).
    Path(PathBuf),
    /// A remote repository (https, ssh or file URL), cloned into the user cache.
    Url(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RepoSpec {
    pub name: RepoName,
    pub source: RepoSource,
    /// The branch whose tip is the desired revision of every app in this repo;
    /// `None` follows the branch the repository's `HEAD` names.
    pub branch: Option<String>,
}

/// How an app's path turns into manifests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RenderKind {
    /// Kustomize if the path holds a kustomization, Helm if it holds a `Chart.yaml`,
    /// else a plain directory.
    #[default]
    Auto,
    Directory,
    Kustomize,
    Helm,
}

impl fmt::Display for RenderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::Directory => "directory",
            Self::Kustomize => "kustomize",
            Self::Helm => "helm",
        })
    }
}

/// How a `directory` app's files are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryOptions {
    /// Every file below the path (driftdeck's and Flux's way), or only the path's
    /// own files (Argo CD's, unless `directory.recurse`).
    pub recurse: bool,
}

impl Default for DirectoryOptions {
    fn default() -> Self {
        Self { recurse: true }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmOptions {
    /// Value files, relative to the chart directory (the app path), applied in order.
    pub value_files: Vec<String>,
    /// Inline values, applied after the value files.
    pub values: Option<Value>,
    /// Release name; the app name when absent.
    pub release_name: Option<String>,
    /// The version the chart renders with, in place of its `Chart.yaml`'s (Flux
    /// packages a chart from Git with build metadata added).
    pub chart_version: Option<String>,
    /// The namespace Helm templates with (`.Release.Namespace`); the destination's
    /// when absent. Objects without a namespace still go to the destination's.
    pub namespace: Option<String>,
    /// `--set` (or `--set-string`) values, applied after the values.
    pub parameters: Vec<HelmParameter>,
    /// Leave the chart's CRDs out (`--include-crds` otherwise).
    pub skip_crds: bool,
    /// The value files replace the chart's own `values.yaml` instead of going over
    /// it (as Flux packages a chart from Git with `valuesFiles`).
    pub replace_chart_values: bool,
    /// The cluster's, for `.Capabilities` (as Argo CD passes them to Helm, and as
    /// Flux's Helm sees them); Helm's own defaults when absent.
    pub capabilities: Option<Capabilities>,
}

/// What a chart sees of the cluster (`.Capabilities`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// `v1.32.0`.
    pub kube_version: String,
    /// `apps/v1` and `apps/v1/Deployment`, for every kind served.
    pub api_versions: Vec<String>,
}

/// One Helm `--set name=value` (`--set-string` when `force_string`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmParameter {
    pub name: String,
    pub value: String,
    pub force_string: bool,
}

/// The cluster and namespace an app deploys to. `context` is a kubeconfig context
/// name; `None` means the current context.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Destination {
    pub context: Option<String>,
    pub namespace: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    pub automated: bool,
    pub prune: bool,
    pub self_heal: bool,
}

impl SyncPolicy {
    /// What automation does, in words: "auto-sync, self-heal, prune".
    pub fn words(&self) -> String {
        let mut words = vec!["auto-sync"];
        if self.self_heal {
            words.push("self-heal");
        }
        if self.prune {
            words.push("prune");
        }
        words.join(", ")
    }
}

/// Differences to ignore on objects matching the selector (empty fields match all).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IgnoreDifference {
    pub group: Option<String>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// RFC 6901 JSON pointers into the object (`/spec/replicas`).
    pub json_pointers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSpec {
    pub name: AppName,
    pub repo: RepoName,
    /// The app's directory, relative to the repository root, `/`-separated, no
    /// leading or trailing slash; empty for the root.
    pub path: String,
    pub render: RenderKind,
    pub helm: HelmOptions,
    pub directory: DirectoryOptions,
    /// What an engine lays over the kustomization (none for driftdeck's own apps).
    pub kustomize: super::KustomizeOptions,
    pub destination: Destination,
    pub sync: SyncPolicy,
    pub ignore_differences: Vec<IgnoreDifference>,
}
