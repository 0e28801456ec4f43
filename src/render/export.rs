//! A temporary export of a commit's whole tree, for the external renderers (which read
//! files, and may reach outside the app's path for bases and value files). No symlink
//! is created: `GitRepo::export` copies in-repository targets. The folder is removed
//! when the export is dropped.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::RenderError;
use crate::git::GitRepo;
use crate::model::CommitId;

pub(super) struct Export {
    dir: TempDir,
    pub warnings: Vec<String>,
}

impl Export {
    pub fn new(repo: &GitRepo, commit: &CommitId) -> Result<Self, RenderError> {
        let dir = tempfile::Builder::new()
            .prefix("driftdeck-render-")
            .tempdir()
            .map_err(RenderError::Export)?;
        let warnings = repo.export(commit, &dir.path().join("tree"))?;
        Ok(Self { dir, warnings })
    }

    /// The root of the exported tree.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("tree")
    }

    /// A scratch folder beside the tree (Helm homes, value files).
    pub fn scratch(&self, name: &str) -> Result<PathBuf, RenderError> {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(&path).map_err(RenderError::Export)?;
        Ok(path)
    }

    /// `relative` (from the repo root) inside the export, if it stays inside it.
    pub fn inside(&self, relative: &Path) -> Option<PathBuf> {
        crate::git::within_root(relative).map(|clean| self.root().join(clean))
    }
}
