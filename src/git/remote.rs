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
    open_source_fetching(spec, true)
}

/// Opens the repository a spec declares; a remote one is cloned when absent, and
/// fetched first only when `fetch` is set (polling reads the clone as it is).
pub fn open_source_fetching(spec: &RepoSpec, fetch: bool) -> Result<GitRepo, GitError> {
    match &spec.source {
        RepoSource::Path(path) => GitRepo::open(path),
        RepoSource::Url(url) => {
            let dir = cache_dir()
                .join("repos")
                .join(clone_name(spec.name.as_str(), url));
            // Observations, history loads and polling open sources at once: one
            // clone or fetch per directory at a time (a second clone would remove
            // the first one's partial directory under it).
            let lock = clone_lock(&dir);
            let _held = lock.lock().unwrap_or_else(|p| p.into_inner());
            if dir.join("HEAD").is_file() {
                let repo = GitRepo::open(&dir)?;
                if fetch {
                    repo.fetch(url)?;
                }
                Ok(repo)
            } else {
                clone_bare(url, &dir)
            }
        }
    }
}

/// `url` without the password or token it may carry (`https://user:token@host/…`
/// → `https://user:***@host/…`), for anything shown or logged.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    let user = rest[..at].split(':').next().unwrap_or_default();
    let secret = if rest[..at].contains(':') || !user.is_empty() {
        "***"
    } else {
        ""
    };
    let userinfo = match (user.is_empty(), rest[..at].contains(':')) {
        (_, true) => format!("{user}:{secret}"),
        // A lone user part is often a token (`https://TOKEN@host`).
        (false, false) => secret.to_owned(),
        (true, false) => String::new(),
    };
    format!("{scheme}://{userinfo}@{}", &rest[at + 1..])
}

/// `message` with any secret of `url` replaced, for errors that quote the URL.
pub(super) fn scrub(message: &str, url: &str) -> String {
    let redacted = redact_url(url);
    if redacted == url {
        return message.to_owned();
    }
    let mut out = message.replace(url, &redacted);
    if let Some((_, rest)) = url.split_once("://")
        && let Some(at) = rest.find('@')
    {
        let userinfo = &rest[..at];
        for secret in userinfo.split(':').filter(|part| part.len() >= 4) {
            out = out.replace(secret, "***");
        }
    }
    out
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

fn clone_lock(dir: &std::path::Path) -> std::sync::Arc<std::sync::Mutex<()>> {
    use std::collections::HashMap;
    use std::sync::{Arc, LazyLock, Mutex};
    static LOCKS: LazyLock<Mutex<HashMap<std::path::PathBuf, Arc<Mutex<()>>>>> =
        LazyLock::new(Mutex::default);
    let mut locks = LOCKS.lock().unwrap_or_else(|p| p.into_inner());
    Arc::clone(locks.entry(dir.to_path_buf()).or_default())
}

fn clone_bare(url: &str, dir: &std::path::Path) -> Result<GitRepo, GitError> {
    let error = |message: String| GitError::Clone {
        url: redact_url(url),
        message: scrub(&message, url),
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
            url: redact_url(url),
            message: scrub(&message, url),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_urls_are_never_shown() {
        assert_eq!(
            redact_url("https://bob:ghp_s3cret@git.example.com/a.git"),
            "https://bob:***@git.example.com/a.git"
        );
        assert_eq!(
            redact_url("https://ghp_token@git.example.com/a.git"),
            "https://***@git.example.com/a.git"
        );
        assert_eq!(
            redact_url("https://git.example.com/a@b.git"),
            "https://git.example.com/a@b.git"
        );
        assert_eq!(
            redact_url("git@github.com:org/repo.git"),
            "git@github.com:org/repo.git"
        );
        assert_eq!(
            redact_url("ssh://git@host/repo.git"),
            "ssh://***@host/repo.git"
        );
        let message = scrub(
            "cannot reach https://bob:ghp_s3cret@h/a.git (ghp_s3cret rejected)",
            "https://bob:ghp_s3cret@h/a.git",
        );
        assert!(!message.contains("ghp_s3cret"), "{message}");
    }
}
