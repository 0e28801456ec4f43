//! driftdeck's own diff of an Argo CD or Flux app: its Git source rendered as the
//! engine renders it ([`recipe`]: path, namespace, Helm values and parameters,
//! Flux's target namespace, common metadata and post-build variables), at the
//! commit the engine targets or one chosen, then compared server-side with what
//! runs. No Argo CD API server, no `flux` binary, no checkout.
//!
//! The ConfigMaps a recipe names are read here; Secrets never are (a recipe that
//! needs one is refused by [`recipe::recipe`]).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use serde_json::Value;

use super::clusters::Clusters;
use super::drift::{self, Drift};
use super::external_source::{branch_of, engine_source, repo_path};
use super::target::{self, Cluster};
use super::{external, tracking};
use crate::cluster::{self, Catalog, ClusterError, Connection};
use crate::config::Config;
use crate::diff::DiffMode;
use crate::error::one_line;
use crate::integrations::actions::commit_of;
use crate::integrations::recipe::{self, Recipe};
use crate::integrations::{AppKind, ExternalApp};
use crate::model::{
    AppName, AppSpec, Capabilities, Destination, IgnoreDifference, RepoName, RepoSpec, ResourceKey,
    SyncPolicy,
};

/// An engine app compared with what runs, and what the comparison leaves out.
pub struct Compared {
    pub cluster: Cluster,
    pub drift: Drift,
    /// What the engine applies that driftdeck's rendering does not (said beside
    /// the diff), and the renderer's own warnings.
    pub notes: Vec<String>,
}

/// Renders `app` at `against` (else the commit its engine targets) from the
/// repository at `url` — a configured source, else a clone — and compares it
/// with the cluster of `context`.
pub async fn compare(
    clusters: &Clusters,
    repos: Vec<RepoSpec>,
    context: Option<&str>,
    app: &ExternalApp,
    against: Option<&str>,
) -> Result<Compared, String> {
    let source = app.source.clone().unwrap_or_default();
    let (connection, catalog) = external::engines_of(clusters, context).await?;
    let connection = &connection;
    let object = object(connection, &catalog, app.key()).await?;
    let mut recipe = recipe::recipe(app.kind, &object).map_err(|e| one_line(&e))?;
    // An Argo CD app's rendered source (of a multi-source app, not always the
    // first); a Flux app's source object.
    let (url, target_revision) = match &recipe.git {
        Some(git) => (Some(git.url.clone()), git.target_revision.clone()),
        None => (source.url.clone(), source.target_revision.clone()),
    };
    let url = url.ok_or("the app names no Git repository to render")?;
    let source_index = recipe.git.as_ref().and_then(|git| git.index);
    if against.is_some() && source_index.is_some_and(|index| index > 0) {
        // The history pane lists the first source's commits.
        return Err(format!(
            "this app renders its source {} and the history lists its first source's \
             commits: compare with a commit of the first source is not offered",
            source_index.unwrap_or_default() + 1
        ));
    }
    let engine_commit = match (against, source_index, app.kind) {
        (Some(_), _, AppKind::HelmRelease) => {
            recipe.notes.push(
                "at a chosen commit the chart renders with its own version (Flux adds \
                 build metadata, which labels may carry)"
                    .into(),
            );
            None
        }
        (Some(_), _, _) => None,
        (None, Some(index), _) => object
            .pointer(&format!("/status/sync/revisions/{index}"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        (None, None, AppKind::HelmRelease) => {
            let (commit, version) =
                chart_built(connection, &catalog, &object, &source, &mut recipe.notes).await?;
            recipe.helm.chart_version = version;
            Some(commit)
        }
        (None, None, _) => app.target_revision.clone(),
    };
    let revision = match against {
        Some(commit) => commit.to_owned(),
        None => engine_commit
            .as_deref()
            .and_then(commit_of)
            .map(str::to_owned)
            .ok_or("the engine names no commit to render yet")?,
    };
    // Each ConfigMap named is read once, however many entries name it.
    let mut config_maps = ConfigMaps::default();
    if !recipe.values_from.is_empty() {
        let mut found = Vec::new();
        for reference in &recipe.values_from {
            let data = config_maps.read(connection, &app.namespace, &reference.name);
            found.push(
                data.await?
                    .and_then(|data| data.get(&reference.key).cloned()),
            );
        }
        recipe.helm.values =
            recipe::release_values(&recipe.values_from, &found, recipe.helm.values.as_ref())?;
    }
    if let Some(substitution) = &recipe.substitution {
        let mut found = Vec::new();
        for (name, _) in &substitution.from {
            found.push(config_maps.read(connection, &app.namespace, name).await?);
        }
        recipe.kustomize.substitute = Some(recipe::substitution_vars(substitution, &found)?);
    }
    if recipe.render == crate::model::RenderKind::Helm {
        recipe.helm.capabilities = capabilities(clusters, context, &mut recipe.notes).await;
    }
    let branch = branch_of(target_revision.as_deref());
    let app_spec = app_spec(&recipe, &connection.context)?;
    let rendered = tokio::task::spawn_blocking(move || {
        let mut repo_spec = engine_source(&repos, &url, branch)?;
        repo_spec.name = RepoName::new("engine-source");
        let config = Config {
            file: std::path::PathBuf::new(),
            repos: vec![repo_spec],
            apps: vec![app_spec],
        };
        target::desired(&config, "engine-app", Some(&revision)).map_err(|e| one_line(&*e))
    })
    .await
    .map_err(|e| e.to_string())?;
    let mut desired = rendered?;
    recipe::shape(&mut desired.manifests, &recipe);
    let cluster = target::observe_in(clusters, &desired, context)
        .await
        .map_err(|e| one_line(&e))?;
    let drift = drift::drift(&desired, &cluster, DiffMode::ServerSide).await;
    let mut notes = recipe.notes;
    notes.extend(desired.warnings);
    Ok(Compared {
        cluster,
        drift,
        notes,
    })
}

/// What a chart sees of the cluster of `context`, as its engine would show it:
/// the server's version and the kinds it serves. When they cannot be read the
/// chart renders with Helm's defaults, which is noted.
async fn capabilities(
    clusters: &Clusters,
    context: Option<&str>,
    notes: &mut Vec<String>,
) -> Option<Capabilities> {
    let read = async {
        let session = clusters.session(context).await?;
        let kube_version = cluster::server_version(&session.connection).await?;
        Ok::<_, ClusterError>(Capabilities {
            kube_version,
            api_versions: session.catalog.api_versions(),
        })
    };
    match read.await {
        Ok(capabilities) => Some(capabilities),
        Err(error) => {
            notes.push(format!(
                "the cluster's version could not be read ({}): the chart rendered with \
                 Helm's default capabilities",
                one_line(&error)
            ));
            None
        }
    }
}

/// The commit a HelmRelease's chart was built from, and the version Flux packaged
/// it with (build metadata added: the commit, the HelmChart's generation), read
/// from the HelmChart Flux made. Without one (absent, not served, not built yet),
/// the GitRepository's artifact and the chart's own version, which is noted.
async fn chart_built(
    connection: &Connection,
    catalog: &Catalog,
    release: &Value,
    source: &crate::integrations::AppSource,
    notes: &mut Vec<String>,
) -> Result<(String, Option<String>), String> {
    let chart = crate::integrations::flux::generated_chart(release);
    let served = catalog.get(external::SOURCE_GROUP, "HelmChart");
    if let (Some(chart), Some(served)) = (chart, served) {
        let found = cluster::get(connection, served, Some(&chart.namespace), &chart.name)
            .await
            .map_err(|e| one_line(&e))?;
        let built = found.as_ref().and_then(|chart| {
            let commit = chart
                .pointer("/status/observedSourceArtifactRevision")
                .and_then(Value::as_str)?;
            let version = chart
                .pointer("/status/artifact/revision")
                .and_then(Value::as_str);
            Some((commit.to_owned(), version.map(str::to_owned)))
        });
        if let Some(built) = built {
            return Ok(built);
        }
    }
    notes.push(
        "no HelmChart built for it: rendered at its GitRepository's artifact, with the \
         chart's own version (Flux adds build metadata, which labels may carry)"
            .into(),
    );
    let key = source
        .object
        .clone()
        .ok_or("the release names no chart source")?;
    let repository = object(connection, catalog, key).await?;
    let commit = repository
        .pointer("/status/artifact/revision")
        .and_then(Value::as_str)
        .ok_or("the chart's GitRepository has no artifact yet")?;
    Ok((commit.to_owned(), None))
}

/// The app as driftdeck's renderer takes it.
fn app_spec(recipe: &Recipe, context: &str) -> Result<AppSpec, String> {
    Ok(AppSpec {
        name: AppName::new("engine-app"),
        repo: RepoName::new("engine-source"),
        path: repo_path(&recipe.path)?,
        render: recipe.render,
        helm: recipe.helm.clone(),
        directory: recipe.directory,
        kustomize: recipe.kustomize.clone(),
        destination: Destination {
            context: Some(context.to_owned()),
            namespace: recipe.namespace.clone(),
        },
        sync: SyncPolicy::default(),
        // driftdeck's tracking label and annotation are not the engine's business.
        ignore_differences: vec![IgnoreDifference {
            json_pointers: vec![
                format!(
                    "/metadata/labels/{}",
                    crate::diff::pointer_segment(tracking::APP_LABEL)
                ),
                format!(
                    "/metadata/annotations/{}",
                    crate::diff::pointer_segment(tracking::TRACKING_ANNOTATION)
                ),
            ],
            ..IgnoreDifference::default()
        }],
    })
}

/// An engine object, which must exist.
async fn object(
    connection: &Connection,
    catalog: &Catalog,
    key: ResourceKey,
) -> Result<Value, String> {
    let served = catalog
        .get(&key.group, &key.kind)
        .ok_or_else(|| format!("{} is no longer served", key.kind))?;
    cluster::get(connection, served, Some(&key.namespace), &key.name)
        .await
        .map_err(|e| one_line(&e))?
        .ok_or_else(|| {
            format!(
                "{} {}/{} no longer exists",
                key.kind, key.namespace, key.name
            )
        })
}

/// The ConfigMaps of one namespace a recipe names, each read once.
#[derive(Default)]
struct ConfigMaps(BTreeMap<String, Option<BTreeMap<String, String>>>);

impl ConfigMaps {
    /// A ConfigMap's data, `None` when it does not exist.
    async fn read(
        &mut self,
        connection: &Connection,
        namespace: &str,
        name: &str,
    ) -> Result<Option<BTreeMap<String, String>>, String> {
        if let Some(data) = self.0.get(name) {
            return Ok(data.clone());
        }
        let api: kube::Api<ConfigMap> = kube::Api::namespaced(connection.client.clone(), namespace);
        let found = api
            .get_opt(name)
            .await
            .map_err(|e| one_line(&ClusterError::from_kube(&connection.context, e)))?;
        let data = found.map(|map| map.data.unwrap_or_default());
        self.0.insert(name.to_owned(), data.clone());
        Ok(data)
    }
}
