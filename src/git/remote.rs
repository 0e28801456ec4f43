//! Repositories declared by the configuration: a local `path` is opened in place; a
//! remote `url` is cloned (bare: driftdeck never needs a working tree) into the user
//! cache dir on first use and fetched on every later open.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use super::{GitError, GitRepo};
use crate::model::{RepoSource, RepoSpec};

const MIRROR_REFSPECS: [&str; 2] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

/// Where remote repositories are cloned: `$DRIFTDECK_CACHE_DIR`, else the user
/// cache dir (`~/.cache/driftdeck` on Linux), else the system temp dir.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("DRIFTDECK_CACHE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("driftdeck")
}

/// Opens the repository a spec declares, cloning or fetching a remote one first.
pub fn open_source(spec: &RepoSpec) -> Result<GitRepo, GitError> {
    match &spec.source {
        RepoSource::Path(path) => GitRepo::open(path),
        RepoSource::Url(url) => {
            let dir = cache_dir()
                .join("repos")
                .join(clone_name(spec.name.as_str(), url));
            if dir.join("HEAD").is_file() {
                let repo = GitRepo::open(&dir)?;
                repo.fetch(url)?;
                Ok(repo)
            } else {
                clone_bare(url, &dir)
            }
        }
    }
}

/// A folder name for a clone that differs for different URLs of the same repo name.
fn clone_name(name: &str, url: &str) -> String {
    let safe = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325; // FNV-1a: stable across Rust versions
    for byte in url.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{}-{hash:016x}", safe(name))
}

fn clone_bare(url: &str, dir: &std::path::Path) -> Result<GitRepo, GitError> {
    let error = |message: String| GitError::Clone {
        url: url.to_owned(),
        message,
    };
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent).map_err(|e| error(e.to_string()))?;
    }
    // Clone next to the final place and move it there when complete, so an
    // interrupted clone never leaves a half-made repository that looks usable.
    let partial = dir.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    let interrupt = AtomicBool::new(false);
    let mut prepare = gix::prepare_clone_bare(url, &partial).map_err(|e| error(e.to_string()))?;
    let (repo, _outcome) = prepare
        .fetch_only(gix::progress::Discard, &interrupt)
        .map_err(|e| error(e.to_string()))?;
    drop(repo);
    std::fs::rename(&partial, dir).map_err(|e| error(e.to_string()))?;
    GitRepo::open(dir)
}

impl GitRepo {
    /// Fetches `origin` so that local branches match the remote's.
    pub fn fetch(&self, url: &str) -> Result<(), GitError> {
        let error = |message: String| GitError::Fetch {
            url: url.to_owned(),
            message,
        };
        let repo = self.local();
        let mut remote = repo
            .find_remote("origin")
            .map_err(|e| error(e.to_string()))?;
        // A bare clone has no fetch refspecs; mirror branches and tags onto the local
        // ones, so a branch name resolves to the remote's tip.
        remote
            .replace_refspecs(MIRROR_REFSPECS, gix::remote::Direction::Fetch)
            .map_err(|e| error(e.to_string()))?;
        let interrupt = AtomicBool::new(false);
        remote
            .connect(gix::remote::Direction::Fetch)
            .map_err(|e| error(e.to_string()))?
            .prepare_fetch(gix::progress::Discard, Default::default())
            .map_err(|e| error(e.to_string()))?
            .receive(gix::progress::Discard, &interrupt)
            .map_err(|e| error(e.to_string()))?;
        Ok(())
    }
}
