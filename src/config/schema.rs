//! The file format of `driftdeck.yaml` (serde types that mirror it field by field,
//! unknown fields rejected) and its validation into model types. Documented in
//! docs/CONFIG.md.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::{Location, Spanned};

use super::{Config, ConfigError};
use crate::model::{
    AppName, AppSpec, Destination, HelmOptions, IgnoreDifference, RenderKind, RepoName, RepoSource,
    RepoSpec, SyncPolicy,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    repos: Option<Vec<Repo>>,
    apps: Option<Vec<App>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Repo {
    name: Spanned<String>,
    path: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    branch: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct App {
    name: Spanned<String>,
    repo: Spanned<String>,
    path: Option<Spanned<String>>,
    #[serde(default)]
    render: Option<Spanned<Render>>,
    helm: Option<Spanned<Helm>>,
    destination: Dest,
    #[serde(default)]
    sync: Sync,
    #[serde(default)]
    ignore_differences: Vec<Ignore>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Render {
    Auto,
    Directory,
    Kustomize,
    Helm,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Helm {
    #[serde(default)]
    value_files: Vec<String>,
    values: Option<Value>,
    release_name: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Dest {
    context: Option<String>,
    namespace: Spanned<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Sync {
    #[serde(default)]
    automated: bool,
    #[serde(default)]
    prune: bool,
    #[serde(default)]
    self_heal: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Ignore {
    group: Option<String>,
    kind: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    json_pointers: Vec<Spanned<String>>,
}

/// Builds [`ConfigError::Invalid`] errors that point into one file.
struct Errors<'a> {
    file: &'a Path,
}

impl Errors<'_> {
    fn at(&self, location: Location, message: String, hint: Option<String>) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.to_path_buf(),
            line: location.line(),
            column: location.column(),
            message,
            hint,
        }
    }
}

pub(super) fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
    let raw: File = if text.trim().is_empty() {
        File {
            repos: None,
            apps: None,
        }
    } else {
        serde_saphyr::from_str(text).map_err(|error| syntax_error(error, file))?
    };
    let errors = Errors { file };
    let base = file.parent().unwrap_or(Path::new("."));
    let repos = raw
        .repos
        .unwrap_or_default()
        .into_iter()
        .map(|repo| repo_spec(repo, base, &errors))
        .collect::<Result<Vec<_>, _>>()?;
    unique(
        repos.iter().map(|(r, loc)| (r.name.as_str(), *loc)),
        "repo",
        &errors,
    )?;
    let repos: Vec<RepoSpec> = repos.into_iter().map(|(repo, _)| repo).collect();
    let apps = raw
        .apps
        .unwrap_or_default()
        .into_iter()
        .map(|app| app_spec(app, &repos, &errors))
        .collect::<Result<Vec<_>, _>>()?;
    unique(
        apps.iter().map(|(a, loc)| (a.name.as_str(), *loc)),
        "app",
        &errors,
    )?;
    Ok(Config {
        file: file.to_path_buf(),
        repos,
        apps: apps.into_iter().map(|(app, _)| app).collect(),
    })
}

fn syntax_error(error: serde_saphyr::Error, file: &Path) -> ConfigError {
    let error = crate::yaml::YamlError::from(error);
    ConfigError::Syntax {
        file: file.to_path_buf(),
        line: error.line,
        column: error.column,
        message: error.message,
    }
}

fn unique<'a>(
    names: impl Iterator<Item = (&'a str, Location)>,
    what: &str,
    errors: &Errors,
) -> Result<(), ConfigError> {
    let mut seen = HashSet::new();
    for (name, location) in names {
        if !seen.insert(name) {
            return Err(errors.at(
                location,
                format!("{what} '{name}' is declared twice"),
                Some(format!("{what} names must be unique")),
            ));
        }
    }
    Ok(())
}

fn repo_spec(
    repo: Repo,
    base: &Path,
    errors: &Errors,
) -> Result<(RepoSpec, Location), ConfigError> {
    let location = repo.name.referenced;
    let name = non_empty(repo.name, "repo name", errors)?;
    let source = match (repo.path, repo.url) {
        (Some(path), None) => RepoSource::Path(base.join(path.value)),
        (None, Some(url)) => RepoSource::Url(valid_url(url, errors)?),
        (Some(_), Some(url)) => {
            return Err(errors.at(
                url.referenced,
                format!("repo '{name}' has both `path` and `url`"),
                Some(
                    "give `path` for a local repository or `url` for a remote one, not both".into(),
                ),
            ));
        }
        (None, None) => {
            return Err(errors.at(
                location,
                format!("repo '{name}' has neither `path` nor `url`"),
                Some("add `path: ../gitops` (local) or `url: https://…` (remote)".into()),
            ));
        }
    };
    let branch = match repo.branch {
        Some(branch) => Some(branch_name(branch, errors)?),
        None => None,
    };
    let spec = RepoSpec {
        name: RepoName::new(name),
        source,
        branch,
    };
    Ok((spec, location))
}

/// A branch name as Git allows it (`main`, `release/1.2`), not an expression
/// (`main~3`) or a full ref.
fn branch_name(branch: Spanned<String>, errors: &Errors) -> Result<String, ConfigError> {
    let name = non_empty(branch.clone(), "branch", errors)?;
    let full = format!("refs/heads/{name}");
    let valid =
        !name.starts_with("refs/") && gix::validate::reference::name(full.as_str().into()).is_ok();
    if valid {
        Ok(name)
    } else {
        Err(errors.at(
            branch.referenced,
            format!("'{name}' is not a branch name"),
            Some("give the branch's short name, like `main` or `release/1.2`".into()),
        ))
    }
}

fn valid_url(url: Spanned<String>, errors: &Errors) -> Result<String, ConfigError> {
    const SCHEMES: [&str; 5] = ["https://", "http://", "ssh://", "git://", "file://"];
    let text = url.value.trim();
    if text.starts_with('-') {
        return Err(errors.at(
            url.referenced,
            format!("'{text}' is not a repository URL"),
            Some("a URL cannot start with `-`".into()),
        ));
    }
    let scp_like = !text.contains("://") && text.contains('@') && text.contains(':');
    if SCHEMES.iter().any(|s| text.starts_with(s)) || scp_like {
        Ok(text.to_owned())
    } else {
        Err(errors.at(
            url.referenced,
            format!("'{text}' is not a repository URL"),
            Some(
                "use https://…, ssh://…, git@host:path or file:///…; for a local folder use `path`"
                    .into(),
            ),
        ))
    }
}

fn app_spec(
    app: App,
    repos: &[RepoSpec],
    errors: &Errors,
) -> Result<(AppSpec, Location), ConfigError> {
    let location = app.name.referenced;
    let name = dns_label(app.name, "app name", errors)?;
    if !repos.iter().any(|r| r.name.as_str() == app.repo.value) {
        let known: Vec<_> = repos.iter().map(|r| r.name.to_string()).collect();
        return Err(errors.at(
            app.repo.referenced,
            format!(
                "app '{name}' names repo '{}', which is not declared",
                app.repo.value
            ),
            Some(if known.is_empty() {
                "declare it under `repos:`".into()
            } else {
                format!("declared repos: {}", known.join(", "))
            }),
        ));
    }
    let path = match app.path {
        Some(path) => app_path(path, errors)?,
        None => String::new(),
    };
    let render = app.render.map_or(Render::Auto, |r| r.value);
    if let (Some(helm), Render::Directory | Render::Kustomize) = (&app.helm, render) {
        return Err(errors.at(
            helm.referenced,
            format!(
                "app '{name}' has `helm` options but renders as {}",
                kind(render)
            ),
            Some("remove `helm`, or set `render: helm` (or `auto` for a chart)".into()),
        ));
    }
    let helm = match app.helm.map(|h| h.value) {
        None => HelmOptions::default(),
        Some(h) => HelmOptions {
            value_files: h.value_files,
            values: h.values,
            release_name: match h.release_name {
                Some(release) => Some(dns_label(release, "helm.releaseName", errors)?),
                None => None,
            },
            ..HelmOptions::default()
        },
    };
    let namespace = non_empty(app.destination.namespace, "destination.namespace", errors)?;
    let ignore_differences = app
        .ignore_differences
        .into_iter()
        .map(|rule| ignore_rule(rule, errors))
        .collect::<Result<_, _>>()?;
    let spec = AppSpec {
        name: AppName::new(name),
        repo: RepoName::new(app.repo.value),
        path,
        render: kind(render),
        helm,
        directory: Default::default(),
        kustomize: Default::default(),
        destination: Destination {
            context: app.destination.context,
            namespace,
        },
        sync: SyncPolicy {
            automated: app.sync.automated,
            prune: app.sync.prune,
            self_heal: app.sync.self_heal,
        },
        ignore_differences,
    };
    Ok((spec, location))
}

fn kind(render: Render) -> RenderKind {
    match render {
        Render::Auto => RenderKind::Auto,
        Render::Directory => RenderKind::Directory,
        Render::Kustomize => RenderKind::Kustomize,
        Render::Helm => RenderKind::Helm,
    }
}

/// An app path is relative to the repository root and stays inside it.
fn app_path(path: Spanned<String>, errors: &Errors) -> Result<String, ConfigError> {
    let value = path.value.trim();
    let trimmed = if value == "." {
        ""
    } else {
        value.trim_matches('/')
    };
    let escapes =
        value.starts_with('/') || trimmed.split('/').any(|part| part == ".." || part == ".");
    if escapes {
        return Err(errors.at(
            path.referenced,
            format!(
                "app path '{}' must be relative to the repository root",
                path.value
            ),
            Some("write it like `apps/web` (or `.` for the root): no leading `/`, no `..`".into()),
        ));
    }
    Ok(trimmed.to_owned())
}

fn ignore_rule(rule: Ignore, errors: &Errors) -> Result<IgnoreDifference, ConfigError> {
    let mut pointers = Vec::with_capacity(rule.json_pointers.len());
    for pointer in rule.json_pointers {
        if !pointer.value.starts_with('/') {
            return Err(errors.at(
                pointer.referenced,
                format!("'{}' is not a JSON pointer", pointer.value),
                Some("JSON pointers start with `/`, like `/spec/replicas`".into()),
            ));
        }
        pointers.push(pointer.value);
    }
    Ok(IgnoreDifference {
        group: rule.group,
        kind: rule.kind,
        namespace: rule.namespace,
        name: rule.name,
        json_pointers: pointers,
    })
}

/// A name that is also a Kubernetes label value and a Helm release name: lower-case
/// letters, digits and `-`, starting and ending alphanumeric, at most 53 characters.
fn dns_label(value: Spanned<String>, field: &str, errors: &Errors) -> Result<String, ConfigError> {
    let text = non_empty(value.clone(), field, errors)?;
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    let valid = text.len() <= 53
        && text.chars().all(allowed)
        && !text.starts_with('-')
        && !text.ends_with('-');
    if valid {
        Ok(text)
    } else {
        Err(errors.at(
            value.referenced,
            format!("{field} '{text}' is not a valid name"),
            Some("use lower-case letters, digits and `-` (at most 53, starting and ending with a letter or digit), like `web-api`".into()),
        ))
    }
}

fn non_empty(value: Spanned<String>, field: &str, errors: &Errors) -> Result<String, ConfigError> {
    let text = value.value.trim();
    if text.is_empty() {
        return Err(errors.at(value.referenced, format!("{field} is empty"), None));
    }
    Ok(text.to_owned())
}
