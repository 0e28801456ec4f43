//! Desired state: the manifests of an app at a revision. Plain directories are read
//! straight from the Git object database; kustomize and Helm run on an export of the
//! tree at that revision, with a timeout. Results are cached by tree id, so rendering
//! the same (app, tree) again costs nothing. Reads Git through `git/`; never talks
//! to a cluster.

mod directory;
mod documents;
mod export;
mod helm;
mod kustomize;
mod overlay;
pub mod substitute;
mod tool;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::error::{Classified, ErrorKind};
use crate::git::{GitError, GitRepo, ObjectId};
use crate::model::{AppName, AppSpec, CommitId, Manifest, RenderKind, ResourceKey, SourceRef};
pub use documents::{DocumentError, MAX_FILE_BYTES, parse_manifests};
pub use tool::Tool;

/// How long kustomize or Helm may run before it is killed.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The manifests of an app at a commit, and how they were made.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rendered {
    pub app: AppName,
    pub commit: CommitId,
    /// The render kind actually used (`auto` resolved).
    pub kind: RenderKind,
    pub manifests: Vec<Manifest>,
    /// Things the user should know that did not stop rendering (a skipped symlink).
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Git(#[from] GitError),

    #[error("app '{app}': path '{path}' does not exist at {commit}")]
    PathMissing {
        app: AppName,
        path: String,
        commit: String,
    },

    #[error(transparent)]
    Document(#[from] DocumentError),

    #[error("two objects are both {key}: {first} and {second}")]
    Duplicate {
        key: Box<ResourceKey>,
        first: Box<SourceRef>,
        second: Box<SourceRef>,
    },

    #[error("Helm value file '{file}' of app '{app}' is outside the repository")]
    ValueFileOutside { app: AppName, file: String },

    #[error("{tool} is needed to render this app and was not found")]
    ToolMissing {
        tool: &'static str,
        env_var: &'static str,
    },

    #[error("cannot start {tool} ({}): {source}", .path.display())]
    ToolStart {
        tool: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("`{command}` failed (exit {}):\n{stderr}", .status.map_or("signal".to_owned(), |c| c.to_string()))]
    ToolFailed {
        command: String,
        status: Option<i32>,
        stderr: String,
    },

    #[error("`{command}` did not finish within {}s and was stopped", .timeout.as_secs())]
    ToolTimeout { command: String, timeout: Duration },

    #[error("kustomization at '{path}': {reason}")]
    Kustomization { path: String, reason: String },

    #[error("post-build substitution failed in {0}")]
    Substitute(#[from] substitute::StreamError),

    #[error("cannot prepare a temporary export of the tree: {0}")]
    Export(std::io::Error),
}

impl Classified for RenderError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Git(error) => error.kind(),
            Self::PathMissing { .. } => ErrorKind::NotFound,
            Self::ValueFileOutside { .. } => ErrorKind::Config,
            Self::Document(_)
            | Self::Duplicate { .. }
            | Self::Kustomization { .. }
            | Self::Substitute(_) => ErrorKind::InvalidManifest,
            Self::Export(_) => ErrorKind::Io,
            _ => ErrorKind::Render,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            Self::Git(error) => error.hint(),
            Self::PathMissing { .. } => {
                Some("check the app's `path` and the revision (`driftdeck history`)".into())
            }
            Self::Document(error) => error.hint(),
            Self::Duplicate { .. } => Some("each object may be declared once per app".into()),
            Self::ValueFileOutside { .. } => Some(
                "value files are read from the repository at the app's revision; give a path relative to the chart".into(),
            ),
            Self::ToolMissing { tool, env_var } => Some(format!(
                "install {tool} and put it on PATH, or set {env_var} to its path"
            )),
            Self::Kustomization { .. } => Some(
                "the engine's kustomize options are laid over this file; it must be a YAML map"
                    .into(),
            ),
            Self::Substitute(_) => Some(
                "the engine fails on the same `${…}`: fix it in Git, or annotate the object \
                 kustomize.toolkit.fluxcd.io/substitute: disabled"
                    .into(),
            ),
            Self::ToolTimeout { .. } => Some(
                "the renderer may be waiting on the network (remote bases or chart dependencies)"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// The cache key: the app's whole spec and the tree the output depends on. Plain
/// directories depend only on the app's subtree; kustomize and Helm may reach outside
/// it (bases, value files), so they are keyed by the root tree.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct CacheKey {
    spec: String,
    tree: ObjectId,
}

/// Renders apps, remembering results by tree id.
pub struct Renderer {
    cache: quick_cache::sync::Cache<CacheKey, Arc<Rendered>>,
    timeout: Duration,
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new(DEFAULT_TIMEOUT)
    }
}

impl Renderer {
    pub fn new(timeout: Duration) -> Self {
        Self {
            cache: quick_cache::sync::Cache::new(256),
            timeout,
        }
    }

    /// The manifests of `app` at `commit` in `repo`.
    pub fn render(
        &self,
        app: &AppSpec,
        repo: &GitRepo,
        commit: &CommitId,
    ) -> Result<Arc<Rendered>, RenderError> {
        let Some(subtree) = repo.tree_entry(commit, &app.path)? else {
            return Err(RenderError::PathMissing {
                app: app.name.clone(),
                path: app.path.clone(),
                commit: commit.short().to_owned(),
            });
        };
        let kind = match app.render {
            RenderKind::Auto => detect(repo, &subtree)?,
            other => other,
        };
        let spec = format!(
            "{kind}\u{0}{}",
            serde_json::to_string(app).unwrap_or_default()
        );
        let root = repo.root_tree(commit)?;
        let key = |tree| CacheKey {
            spec: spec.clone(),
            tree,
        };
        // A directory is looked up by its subtree first: other apps' commits do not
        // change it. One whose symlinks reach elsewhere is cached by the root tree.
        let candidates = match kind {
            RenderKind::Directory => vec![key(subtree.id), key(root)],
            _ => vec![key(root)],
        };
        if let Some(hit) = candidates.iter().find_map(|k| self.cache.get(k)) {
            if &hit.commit == commit {
                return Ok(hit);
            }
            // Another commit with the same tree: the same manifests.
            let mut rendered = (*hit).clone();
            rendered.commit = commit.clone();
            return Ok(Arc::new(rendered));
        }
        let output = match kind {
            RenderKind::Kustomize => kustomize::render(app, repo, commit, self.timeout)?,
            RenderKind::Helm => helm::render(app, repo, commit, self.timeout)?,
            RenderKind::Directory | RenderKind::Auto => {
                directory::render(app, repo, commit, &subtree)?
            }
        };
        let manifests = assign_defaults_and_check(output.manifests, &app.destination.namespace)?;
        let rendered = Arc::new(Rendered {
            app: app.name.clone(),
            commit: commit.clone(),
            kind,
            manifests,
            warnings: output.warnings,
        });
        let tree = if kind == RenderKind::Directory && !output.reaches_outside_path {
            subtree.id
        } else {
            root
        };
        self.cache.insert(key(tree), rendered.clone());
        Ok(rendered)
    }
}

/// What one render kind produced before namespaces and duplicates are settled.
struct Output {
    manifests: Vec<Manifest>,
    warnings: Vec<String>,
    /// Whether the result depends on files outside the app's path.
    reaches_outside_path: bool,
}

/// The export's warnings that concern the app's own path: the rest of the
/// repository is exported too, but its oddities are not this app's business.
fn warnings_for(app: &AppSpec, warnings: Vec<String>) -> Vec<String> {
    let prefix = if app.path.is_empty() {
        String::new()
    } else {
        format!("{}/", app.path)
    };
    warnings
        .into_iter()
        .filter(|w| w.starts_with(&prefix))
        .collect()
}

/// `auto`: a kustomization makes it kustomize, a `Chart.yaml` Helm, else a directory.
fn detect(repo: &GitRepo, subtree: &crate::git::TreeEntry) -> Result<RenderKind, RenderError> {
    let names = repo.child_names(subtree)?;
    let has = |name: &str| names.iter().any(|n| n == name);
    Ok(if kustomize::FILE_NAMES.iter().any(|n| has(n)) {
        RenderKind::Kustomize
    } else if has("Chart.yaml") {
        RenderKind::Helm
    } else {
        RenderKind::Directory
    })
}

/// Gives namespaced objects without a namespace the destination's; drops the
/// namespace of cluster-scoped objects (built-in kinds, and kinds a CRD in the same
/// render declares cluster-scoped) from key and body, as the API server ignores
/// it; and refuses two objects with the same key.
fn assign_defaults_and_check(
    mut manifests: Vec<Manifest>,
    namespace: &str,
) -> Result<Vec<Manifest>, RenderError> {
    let declared: Vec<(String, String)> = manifests
        .iter()
        .filter(|m| {
            m.key.group == "apiextensions.k8s.io" && m.key.kind == "CustomResourceDefinition"
        })
        .filter_map(|crd| crate::model::scope::declared_cluster_scoped(&crd.object))
        .collect();
    for manifest in &mut manifests {
        let key = &mut manifest.key;
        let cluster_scoped = crate::model::scope::is_cluster_scoped(&key.group, &key.kind)
            || declared
                .iter()
                .any(|(g, k)| *g == key.group && *k == key.kind);
        let metadata = manifest
            .object
            .get_mut("metadata")
            .and_then(|m| m.as_object_mut());
        if cluster_scoped {
            key.namespace.clear();
            if let Some(metadata) = metadata {
                metadata.remove("namespace");
            }
        } else if key.namespace.is_empty() {
            key.namespace = namespace.to_owned();
            if let Some(metadata) = metadata {
                metadata.insert("namespace".into(), namespace.into());
            }
        }
    }
    let mut seen: std::collections::HashMap<_, &SourceRef> = std::collections::HashMap::new();
    for manifest in &manifests {
        if let Some(first) = seen.insert(&manifest.key, &manifest.source) {
            return Err(RenderError::Duplicate {
                key: Box::new(manifest.key.clone()),
                first: Box::new(first.clone()),
                second: Box::new(manifest.source.clone()),
            });
        }
    }
    Ok(manifests)
}
