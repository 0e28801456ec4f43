//! The Git adapter (gix): open a local repository or clone/fetch a remote one;
//! resolve revisions; read trees, files and folders at a revision straight from the
//! object database (never the working tree); the history of a path; and a commit
//! that restores a path to an earlier revision. Push goes through the `git` CLI (gix
//! cannot push). Functions are synchronous and return owned values; front ends run
//! them off their render task.

mod ahead;
mod chains;
mod compose;
mod error;
mod history;
mod push;
mod remote;
mod restore;
mod tree;
mod worktree;

use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

pub use compose::{ScriptedCommit, create_repository};
pub use error::GitError;
pub use gix::ObjectId;
pub use remote::{cache_dir, open_source, open_source_fetching, redact_url};
pub use restore::{Identity, RestorePreview, RestoreRequest, Restored};
pub use tree::{DirEntry, FileKind, TreeEntry, TreeFile};

use crate::model::{CommitId, RepoSpec};

/// git's own default for `core.deltaBaseCacheLimit`.
const DELTA_BASE_CACHE_BYTES: usize = 96 * 1024 * 1024;
const OBJECT_CACHE_BYTES: usize = 16 * 1024 * 1024;

/// An open repository. Cheap to share between threads; each call takes a
/// thread-local handle.
pub struct GitRepo {
    repo: gix::ThreadSafeRepository,
    /// Where the repository is (its working tree, or the `.git`/bare folder).
    location: PathBuf,
    history: Mutex<history::Cache>,
}

impl std::fmt::Debug for GitRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitRepo")
            .field("location", &self.location)
            .finish()
    }
}

impl GitRepo {
    /// Opens the repository at `path` (a working tree, a `.git` folder or a bare
    /// repository). The user's and system Git configuration apply, as for `git`.
    pub fn open(path: &Path) -> Result<Self, GitError> {
        let repo = gix::open(path).map_err(|source| GitError::Open {
            path: path.to_path_buf(),
            message: source.to_string(),
        })?;
        Ok(Self::from_repo(repo, path))
    }

    fn from_repo(repo: gix::Repository, location: &Path) -> Self {
        Self {
            repo: repo.into_sync(),
            location: location.to_path_buf(),
            history: Mutex::new(history::Cache::default()),
        }
    }

    pub fn location(&self) -> &Path {
        &self.location
    }

    /// A handle for this thread, with caches sized like git's: walks over thousands of
    /// commits resolve deep delta chains, and gix's default pack cache (64 slots) would
    /// decompress the same bases again and again.
    fn local(&self) -> gix::Repository {
        let mut repo = self.repo.to_thread_local();
        repo.object_cache_size_if_unset(OBJECT_CACHE_BYTES);
        repo.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                DELTA_BASE_CACHE_BYTES,
            ))
        });
        repo
    }

    /// The revision an app in this repo wants: its configured branch, named in full
    /// (`refs/heads/main`, so a tag called `main` cannot stand in for it), else `HEAD`.
    pub fn desired_ref(&self, spec: &RepoSpec) -> String {
        spec.branch
            .as_ref()
            .map_or_else(|| "HEAD".into(), |branch| format!("refs/heads/{branch}"))
    }

    /// The fetch URL of the remote `name` (`origin`), as the configuration writes it.
    pub fn remote_url(&self, name: &str) -> Option<String> {
        let repo = self.local();
        let remote = repo.find_remote(name).ok()?;
        let url = remote.url(gix::remote::Direction::Fetch)?;
        Some(url.to_bstring().to_string())
    }

    /// The branch `HEAD` points at (`main`), or `None` when it is detached.
    pub fn head_branch(&self) -> Option<String> {
        let head = self.local().head_name().ok().flatten()?;
        Some(head.shorten().to_string())
    }

    /// Resolves a branch, tag, (short) commit id or any `git rev-parse` expression to
    /// the commit it names.
    pub fn resolve(&self, rev: &str) -> Result<CommitId, GitError> {
        let repo = self.local();
        let not_found = || GitError::RevisionNotFound {
            rev: rev.to_owned(),
            repo: self.location.clone(),
        };
        let id = repo.rev_parse_single(rev).map_err(|_| not_found())?;
        let commit = id
            .object()
            .map_err(|e| GitError::read(&self.location, e))?
            .peel_to_commit()
            .map_err(|_| not_found())?;
        Ok(CommitId::new(commit.id.to_string()))
    }
}

/// `path` (relative, `/`- or OS-separated) with `.` and `..` resolved lexically,
/// or `None` when it is absolute or climbs above its root.
pub fn within_root(path: &Path) -> Option<PathBuf> {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !clean.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(clean)
}

/// A `CommitId`'s object id. Ids come from `resolve`, so a malformed one is a bug of
/// the caller, reported as an unknown revision rather than a panic.
fn object_id(commit: &CommitId) -> Result<ObjectId, GitError> {
    ObjectId::from_hex(commit.as_str().as_bytes()).map_err(|_| GitError::RevisionNotFound {
        rev: commit.to_string(),
        repo: PathBuf::from("(not a full commit id)"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_root_resolves_dots_and_refuses_escapes() {
        assert_eq!(
            within_root(Path::new("a/./b/../c")),
            Some(PathBuf::from("a/c"))
        );
        assert_eq!(within_root(Path::new("a/../../etc")), None);
        assert_eq!(within_root(Path::new("/etc/passwd")), None);
        assert_eq!(within_root(Path::new("")), Some(PathBuf::new()));
    }
}
