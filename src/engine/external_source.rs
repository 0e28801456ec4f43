//! Where an Argo CD or Flux app's source is on this machine: a configured source
//! with the same URL (or a local checkout whose `origin` is it), else a clone of
//! the URL (network URLs only); and the paths and branches cluster objects name,
//! read safely.

use crate::git;
use crate::model::{RepoName, RepoSource, RepoSpec, text};

/// The repository an engine's app comes from: a configured source with its URL
/// (a local checkout whose `origin` is that URL counts, read in place, on the
/// branch the app follows), else a clone of the URL.
pub fn source_spec(repos: &[RepoSpec], url: &str, branch: Option<String>) -> RepoSpec {
    match configured(repos, url) {
        Some(repo) => RepoSpec {
            branch: branch.or_else(|| repo.branch.clone()),
            ..repo.clone()
        },
        None => RepoSpec {
            name: RepoName::new("engine-source"),
            source: RepoSource::Url(url.to_owned()),
            branch,
        },
    }
}

/// A path inside the repository as a cluster object writes it (`./infra`,
/// `/apps/shop/`: both from the repository's root), `/`-separated, or why it is
/// refused (it climbs out of the repository).
pub fn repo_path(raw: &str) -> Result<String, String> {
    let clean =
        git::within_root(std::path::Path::new(raw.trim_start_matches('/'))).ok_or_else(|| {
            format!(
                "path {} leaves the repository: not read",
                text::one_line(raw)
            )
        })?;
    Ok(clean
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/"))
}

pub fn is_network_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["https://", "ssh://"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        || (lower.starts_with("git@") && lower.contains(':'))
}

/// Whether two repository URLs name the same repository: the same host and path,
/// whatever the scheme (a forge serves one repository over HTTPS and SSH), case,
/// a trailing `.git` or `/`, the user and password (`https://bot:token@host/…`)
/// and the scp-like form of SSH (`git@host:org/repo`) aside.
pub fn same_repo(a: &str, b: &str) -> bool {
    // A fragment, a query or a space could hide the real host behind a user part
    // (`https://evil.example#@git.example.com/shop`): such a URL is no repository.
    let odd = |url: &str| url.trim().contains(['#', '?', ' ', '\t', '\n']);
    if odd(a) || odd(b) {
        return false;
    }
    fn norm(url: &str) -> String {
        let url = url.trim().to_ascii_lowercase();
        let rest = match url.split_once("://") {
            Some((_, rest)) => rest.to_owned(),
            // `user@host:path` (no scheme): SSH, the path after the colon; else a
            // local path, as a `file://` URL has it.
            None => match url.split_once(':') {
                Some((host, path)) => format!("{host}/{path}"),
                None => url.clone(),
            },
        };
        let rest = match rest.split_once('/') {
            Some((authority, path)) => {
                let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
                format!("{host}/{path}")
            }
            None => rest,
        };
        let rest = rest.trim_end_matches('/');
        let rest = rest.strip_suffix(".git").unwrap_or(rest);
        rest.trim_end_matches('/').to_owned()
    }
    norm(a) == norm(b)
}

/// The configured source that is the repository at `url`: one with that URL, or a
/// local checkout whose `origin` is it.
pub fn configured<'a>(repos: &'a [RepoSpec], url: &str) -> Option<&'a RepoSpec> {
    repos.iter().find(|repo| match &repo.source {
        RepoSource::Url(u) => same_repo(u, url),
        RepoSource::Path(path) => git::GitRepo::open(path)
            .ok()
            .and_then(|repo| repo.remote_url("origin"))
            .is_some_and(|origin| same_repo(&origin, url)),
    })
}

/// [`source_spec`] when the repository may be read from this machine: a network
/// URL (cloned), or one of the configured sources (a `file://` URL or a path
/// written in a cluster object is read only when the configuration names it too).
/// Blocking: a configured checkout is opened to read its `origin`.
pub fn engine_source(
    repos: &[RepoSpec],
    url: &str,
    branch: Option<String>,
) -> Result<RepoSpec, String> {
    if configured(repos, url).is_none() && !is_network_url(url) {
        return Err(format!(
            "{}: only https and ssh repositories, or configured sources, are read for an \
             engine's app",
            text::one_line(url)
        ));
    }
    Ok(source_spec(repos, url, branch))
}

/// The branch an app follows, when its target revision names one (`HEAD`, a
/// commit, a semver range or an empty target follow the remote's `HEAD`).
pub fn branch_of(target: Option<&str>) -> Option<String> {
    let target = target?.trim();
    let commit = target.len() >= 7 && target.bytes().all(|b| b.is_ascii_hexdigit());
    let semver = target.starts_with(['>', '<', '=', '~', '^', '*']) || target.contains(' ');
    (!(target.is_empty() || target == "HEAD" || commit || semver)).then(|| {
        target
            .strip_prefix("refs/heads/")
            .unwrap_or(target)
            .to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_from_cluster_objects_stay_in_the_repository() {
        assert_eq!(repo_path("./infra/"), Ok("infra".to_owned()));
        assert_eq!(repo_path("/apps/./shop"), Ok("apps/shop".to_owned()));
        assert_eq!(repo_path("."), Ok(String::new()));
        assert_eq!(
            repo_path("apps/../../etc"),
            Err("path apps/../../etc leaves the repository: not read".to_owned())
        );
    }

    #[test]
    fn only_network_urls_are_cloned() {
        assert!(is_network_url("https://git.example.com/shop.git"));
        assert!(is_network_url("ssh://git@git.example.com/shop.git"));
        assert!(is_network_url("git@github.com:org/shop.git"));
        assert!(!is_network_url("file:///etc"));
        assert!(!is_network_url("/home/user/repo"));
        assert!(!is_network_url("http://git.example.com/shop.git"));
    }

    #[test]
    fn heads_commits_and_ranges_follow_the_remote_head() {
        assert_eq!(branch_of(Some("main")), Some("main".to_owned()));
        assert_eq!(branch_of(Some("refs/heads/dev")), Some("dev".to_owned()));
        assert_eq!(branch_of(Some("HEAD")), None);
        assert_eq!(branch_of(Some("0123abcd0123")), None);
        assert_eq!(branch_of(Some(">=1.0.0")), None);
        assert!(same_repo(
            "https://Git.example.com/shop.git/",
            "https://git.example.com/shop"
        ));
    }

    #[test]
    fn one_repository_under_its_several_urls() {
        assert!(same_repo(
            "https://bot:token@git.example.com/shop.git",
            "https://bot@git.example.com/shop"
        ));
        assert!(same_repo(
            "git@github.com:org/shop.git",
            "ssh://git@github.com/org/shop"
        ));
        assert!(same_repo(
            "https://github.com/org/shop",
            "git@github.com:org/shop.git"
        ));
        assert!(!same_repo("/srv/shop", "/srv/shop-config"));
        assert!(same_repo("/srv/fleet.git", "file:///srv/fleet.git/"));
        assert!(!same_repo(
            "https://evil.example#@git.example.com/shop",
            "https://git.example.com/shop"
        ));
        assert!(!same_repo(
            "https://evil.example?@git.example.com/shop",
            "https://git.example.com/shop"
        ));
        assert!(!same_repo(
            "https://git.example.com/shop",
            "https://git.example.com/shop-config"
        ));
        assert!(!same_repo(
            "https://git.example.com/org/shop",
            "https://other.example.com/org/shop"
        ));
    }
}
