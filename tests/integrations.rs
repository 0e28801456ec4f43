//! Argo CD and Flux apps discovered in the sandbox, through the Kubernetes API
//! only: minimal CRDs of our own (tests/fixtures/gitops/crds.yaml) and objects with
//! the status their controllers would write.

mod common;

use std::process::{Command, Output};

use common::cluster::Cluster;
use common::gitops::install;
use serde_json::Value;

/// `driftdeck ARGS` on the sandbox's kubeconfig.
fn driftdeck(cluster: &Cluster, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .arg("--kubeconfig")
        .arg(cluster.sandbox.kubeconfig())
        .args(args)
        .env_remove("KUBECONFIG")
        .env_remove("DRIFTDECK_READ_ONLY")
        .output()
        .expect("driftdeck runs")
}

fn discover(cluster: &Cluster) -> (Vec<Value>, String) {
    let output = driftdeck(cluster, &["discover", "-o", "json"]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let apps: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    (apps.as_array().expect("a list").clone(), stderr)
}

#[test]
fn a_cluster_without_argo_cd_or_flux_has_no_apps_and_no_error() {
    let cluster = Cluster::start();
    let (apps, stderr) = discover(&cluster);
    assert!(apps.is_empty(), "{apps:?}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn argo_cd_and_flux_apps_are_read_into_one_model() {
    let cluster = Cluster::start();
    install(&cluster);

    let (apps, stderr) = discover(&cluster);
    assert!(stderr.is_empty(), "{stderr}");
    let names: Vec<&str> = apps.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["shop", "infra", "redis"], "{apps:#?}");

    let shop = &apps[0];
    assert_eq!(shop["kind"], "Application");
    assert_eq!(shop["sync"], "OutOfSync");
    assert_eq!(shop["health"]["status"], "Degraded");
    assert_eq!(
        shop["health"]["message"],
        "Deployment web: 0/3 replicas ready"
    );
    assert_eq!(shop["source"]["url"], "https://git.example.com/shop.git");
    assert_eq!(shop["source"]["path"], "apps/shop");
    assert_eq!(shop["resources"].as_array().unwrap().len(), 1);
    assert_eq!(
        shop["targetRevision"],
        "2b7e151628aed2a6abf7158809cf4f3c762e7160"
    );
    assert_eq!(
        shop["liveRevision"],
        "1f3d2c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5"
    );
    assert_eq!(shop["history"].as_array().unwrap().len(), 1);

    // The Kustomization applied 4444… while its source offers 3333…: out of sync,
    // and its Ready=False says why.
    let infra = &apps[1];
    assert_eq!(infra["kind"], "Kustomization");
    assert_eq!(infra["sync"], "OutOfSync", "{infra:#}");
    assert_eq!(infra["health"]["status"], "Degraded", "{infra:#}");
    assert_eq!(
        infra["liveRevision"],
        "main@sha1:4444444444444444444444444444444444444444"
    );
    assert_eq!(
        infra["targetRevision"],
        "main@sha1:3333333333333333333333333333333333333333"
    );
    assert!(
        infra["health"]["message"]
            .as_str()
            .unwrap()
            .contains("timeout waiting for"),
        "{infra:#}"
    );
    assert_eq!(
        infra["source"]["url"],
        "https://git.example.com/platform.git"
    );
    assert_eq!(infra["resources"].as_array().unwrap().len(), 2);

    let redis = &apps[2];
    assert_eq!(redis["kind"], "HelmRelease");
    assert_eq!(redis["automation"]["flux"]["suspended"], true, "{redis:#}");
    assert_eq!(redis["health"]["status"], "Suspended", "{redis:#}");
    assert_eq!(redis["liveRevision"], "19.6.1", "{redis:#}");
    // Its HelmRepository is found: the URL comes from it.
    assert_eq!(
        redis["source"]["url"], "https://charts.example.com/bitnami",
        "{redis:#}"
    );

    // The table names the engines.
    let table = driftdeck(&cluster, &["discover"]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.starts_with("CONTEXT  "), "{table}");
    assert!(
        table.contains("argocd") && table.contains("flux"),
        "{table}"
    );
    assert!(table.contains("suspended"), "{table}");
    assert!(
        table.contains("main@sha1:4444444 "),
        "revisions cut: {table}"
    );
}

/// `driftdeck engine ARGS` on the sandbox: exit code, stdout, stderr.
fn engine(cluster: &Cluster, args: &[&str]) -> (Option<i32>, String, String) {
    let output = driftdeck(cluster, &[&["engine"], args].concat());
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn object(cluster: &Cluster, kind: &str, namespace: &str, name: &str) -> Value {
    let json = cluster.ok(&["get", kind, name, "-n", namespace, "-o", "json"]);
    serde_json::from_str(&json).unwrap()
}

#[test]
fn engine_actions_run_from_the_command_line() {
    let cluster = Cluster::start();
    install(&cluster);
    let shop = || object(&cluster, "applications.argoproj.io", "argocd", "shop");

    // The plan is printed, then done.
    let (code, out, err) = engine(
        &cluster,
        &["refresh", "Application/argocd/shop", "--hard", "--yes"],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.starts_with("hard refresh argocd/shop\n"), "{out}");
    assert!(
        out.contains("  protected by Kubernetes RBAC only (patch on the objects below); Argo CD's own RBAC (projects, roles) is not consulted on this path\n"),
        "{out}"
    );
    assert!(
        out.contains("  patch Application argocd/shop: annotate argocd.argoproj.io/refresh=hard\n"),
        "{out}"
    );
    assert_eq!(
        shop()["metadata"]["annotations"]["argocd.argoproj.io/refresh"],
        "hard"
    );

    // Read-only refuses before anything is read or sent.
    let (code, _, err) = engine(
        &cluster,
        &["--read-only", "sync", "app/argocd/shop", "--yes"],
    );
    assert_eq!(code, Some(3), "{err}");
    assert_eq!(shop().get("operation"), None);

    // Without a terminal and without --yes, nothing is sent.
    let (code, _, err) = engine(&cluster, &["sync", "app/argocd/shop"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("without confirmation: stdin is not a terminal"),
        "{err}"
    );
    assert_eq!(shop().get("operation"), None);

    // No Argo CD here: the operation is written, the wait gives up and says so.
    let (code, out, err) = engine(
        &cluster,
        &[
            "sync",
            "app/argocd/shop",
            "--dry-run",
            "--reason",
            "INC-7",
            "--yes",
            "--timeout",
            "1",
        ],
    );
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("Argo CD did not finish the operation within 1s (still requested, not started: terminating cancels the request)"),
        "{err}"
    );
    let operation = &shop()["operation"];
    assert_eq!(operation["sync"]["dryRun"], true, "{operation}");
    assert_eq!(
        operation["info"][0],
        serde_json::json!({"name": "Reason", "value": "INC-7"})
    );

    // terminate cancels the request.
    let (code, out, err) = engine(&cluster, &["terminate", "app/argocd/shop", "--yes"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.ends_with("cancel the requested operation of argocd/shop\n"),
        "{out}"
    );
    assert_eq!(shop().get("operation"), None);

    // An ask of the other engine is refused with the right word.
    let (code, _, err) = engine(&cluster, &["reconcile", "Application/argocd/shop", "--yes"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("Argo CD apps cannot be reconciled (sync them)"),
        "{err}"
    );

    // Flux: suspend is a patch and nothing to wait for.
    let (code, out, err) = engine(
        &cluster,
        &[
            "suspend",
            "ks/flux-system/infra",
            "--yes",
            "--reason",
            "freeze",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    let infra = object(&cluster, "kustomizations", "flux-system", "infra");
    assert_eq!(infra["spec"]["suspend"], true);
    let ledger = cluster.ok(&[
        "get",
        "configmap",
        "driftdeck-ledger-flux-ks.flux-system.infra",
        "-n",
        "driftdeck-system",
        "-o",
        "jsonpath={.data.entries}",
    ]);
    assert!(
        ledger.contains("\"operation\":\"suspend\"") && ledger.contains("freeze"),
        "{ledger}"
    );

    // A rollback needs a reason; a name that is not KIND/NAMESPACE/NAME is a usage error.
    let (code, _, err) = engine(
        &cluster,
        &[
            "rollback",
            "ks/flux-system/infra",
            "--to",
            "abc",
            "--reason",
            " ",
            "--yes",
        ],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("a rollback needs a reason"), "{err}");
    let (code, _, err) = engine(&cluster, &["sync", "argocd/shop", "--yes"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("argocd/shop is not KIND/NAMESPACE/NAME"),
        "{err}"
    );
}

#[test]
fn discover_searches_every_configured_context_and_names_each() {
    let cluster = Cluster::start();
    install(&cluster);
    // A configured app names a context the kubeconfig does not have.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("driftdeck.yaml");
    std::fs::write(
        &config,
        "repos:\n  - name: shop\n    url: https://git.example.com/shop.git\napps:\n  - name: web\n    repo: shop\n    path: apps/web\n    destination:\n      context: prod-gone\n      namespace: web\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let output = driftdeck(&cluster, &["--config", config, "discover", "-o", "json"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The unreachable one is said; the reachable one is listed, each app with its
    // context.
    assert!(
        stderr.starts_with("driftdeck: prod-gone: ") && stderr.lines().count() == 1,
        "{stderr}"
    );
    let apps: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(apps.len(), 3, "{apps:#?}");
    let current = cluster.ok(&["config", "current-context"]);
    assert!(
        apps.iter().all(|app| app["context"] == current.trim()),
        "{apps:#?}"
    );

    // Only that context, asked for: it is an error (exit 2).
    let output = driftdeck(&cluster, &["--context", "prod-gone", "discover"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("prod-gone"),
        "{output:?}"
    );
}

/// The sandbox as Flux and Argo CD left it after applying a repository of our
/// own: `apps/web` (plain manifests with post-build variables) and
/// `charts/podinfo` (a chart from Git), deployed by a Kustomization, a
/// HelmRelease and an Application; the live objects written by hand as the
/// engines apply them (their own labels and annotations included).
mod engine_diff {
    use driftdeck::engine::clusters::Clusters;
    use driftdeck::engine::external_diff::{Compared, compare};
    use driftdeck::integrations::{ExternalApp, argocd, flux};
    use driftdeck::model::{RepoName, RepoSource, RepoSpec, SyncStatus};
    use serde_json::{Value, json};

    use crate::common::TempRepo;
    use crate::common::gitops::Gitops;

    /// The URL every engine object names; driftdeck finds it as the `origin` of
    /// the configured checkout (read in place: no clone).
    pub const URL: &str = "https://git.example.com/fleet.git";

    const SETTINGS: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-settings\n\
        data:\n  env: \"${cluster_env}\"\n  region: \"${region:=eu-west-1}\"\n  tier: \"${tier}\"\n";
    const NAMED: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-${cluster_env}\n\
        data:\n  greeting: hello\n";
    const TEMPLATE: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\n\
        data:\n  message: {{ .Values.message | quote }}\n  replicas: {{ .Values.replicaCount | quote }}\n";

    /// The repository: `[0]` what the engines applied, `[1]` a later commit on
    /// main they have not fetched, which changes both paths (so rendering main's
    /// tip instead would show).
    pub fn repo() -> (TempRepo, Vec<String>) {
        let mut repo = TempRepo::new();
        repo.git(&["remote", "add", "origin", URL]);
        repo.write("apps/web/settings.yaml", SETTINGS);
        repo.write("apps/web/named.yaml", NAMED);
        repo.write(
            "charts/podinfo/Chart.yaml",
            "apiVersion: v2\nname: podinfo\nversion: 0.1.0\n",
        );
        repo.write(
            "charts/podinfo/values.yaml",
            "replicaCount: 1\nmessage: hello\n",
        );
        repo.write("charts/podinfo/templates/configmap.yaml", TEMPLATE);
        let applied = repo.commit("web and podinfo");
        repo.write(
            "apps/web/settings.yaml",
            &SETTINGS.replace("eu-west-1", "us-east-1"),
        );
        repo.write(
            "charts/podinfo/templates/configmap.yaml",
            &format!("{TEMPLATE}  release: {{{{ .Release.Name }}}}\n"),
        );
        let later = repo.commit("us-east-1; the release named in the chart's ConfigMap");
        (repo, vec![applied, later])
    }

    pub fn repos(repo: &TempRepo) -> Vec<RepoSpec> {
        vec![RepoSpec {
            name: RepoName::new("fleet"),
            source: RepoSource::Path(repo.path().to_path_buf()),
            branch: None,
        }]
    }

    fn ready(message: String) -> Value {
        json!([{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
            "message": message, "lastTransitionTime": "2026-11-23T09:00:00Z"}])
    }

    fn namespace(name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    }

    fn config_map(namespace: &str, name: &str, metadata: Value, data: Value) -> Value {
        let mut object = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace},
            "data": data,
        });
        if let (Some(into), Value::Object(extra)) = (object["metadata"].as_object_mut(), metadata) {
            into.extend(extra);
        }
        object
    }

    /// A Kustomization `name` of `./apps/web` into namespace `web`, with
    /// `extra` merged into its spec, as Flux left it after applying `commit`.
    pub fn kustomization(name: &str, commit: &str, extra: Value) -> Value {
        let revision = format!("main@sha1:{commit}");
        let mut object = json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": name, "namespace": "flux-system"},
            "spec": {
                "interval": "10m",
                "path": "./apps/web",
                "prune": true,
                "sourceRef": {"kind": "GitRepository", "name": "fleet"},
                "targetNamespace": "web",
                "commonMetadata": {"labels": {"team": "shop"}},
                "postBuild": {
                    "substitute": {"tier": "gold"},
                    "substituteFrom": [{"kind": "ConfigMap", "name": "vars"}],
                },
            },
            "status": {
                "lastAppliedRevision": revision,
                "lastAttemptedRevision": revision,
                "conditions": ready(format!("Applied revision: {revision}")),
            },
        });
        if let (Some(spec), Value::Object(extra)) = (object["spec"].as_object_mut(), extra) {
            spec.extend(extra);
        }
        object
    }

    /// The engines' objects and what they applied from `commit`.
    pub async fn install(gitops: &Gitops, commit: &str) {
        for name in ["web", "apps"] {
            gitops.create(namespace(name)).await;
        }
        let revision = format!("main@sha1:{commit}");
        gitops
            .create(json!({
                "apiVersion": "source.toolkit.fluxcd.io/v1",
                "kind": "GitRepository",
                "metadata": {"name": "fleet", "namespace": "flux-system"},
                "spec": {"url": URL, "ref": {"branch": "main"}, "interval": "1m"},
                "status": {
                    "artifact": {"revision": revision},
                    "conditions": ready(format!("stored artifact for revision '{revision}'")),
                },
            }))
            .await;
        gitops
            .create(config_map(
                "flux-system",
                "vars",
                json!({}),
                // Made `--from-file`: a line break Flux drops. `tier` is given
                // inline too: the inline value wins.
                json!({"cluster_env": "prod\n", "tier": "bronze"}),
            ))
            .await;
        gitops
            .create(config_map(
                "flux-system",
                "podinfo-values",
                json!({}),
                json!({"values.yaml": "replicaCount: 2\n"}),
            ))
            .await;
        gitops.create(kustomization("web", commit, json!({}))).await;
        gitops
            .create(json!({
                "apiVersion": "helm.toolkit.fluxcd.io/v2",
                "kind": "HelmRelease",
                "metadata": {"name": "podinfo", "namespace": "flux-system"},
                "spec": {
                    "interval": "10m",
                    "targetNamespace": "apps",
                    "chart": {"spec": {"chart": "./charts/podinfo",
                        "sourceRef": {"kind": "GitRepository", "name": "fleet"},
                        "reconcileStrategy": "Revision"}},
                    "valuesFrom": [{"kind": "ConfigMap", "name": "podinfo-values"}],
                    "values": {"message": "from-release"},
                },
                "status": {
                    "helmChart": "flux-system/flux-system-podinfo",
                    "lastAttemptedRevision": "0.1.0",
                    "history": [{"chartName": "podinfo", "chartVersion": "0.1.0",
                        "status": "deployed", "version": 1, "name": "apps-podinfo",
                        "namespace": "apps", "firstDeployed": "2026-11-23T09:00:00Z",
                        "lastDeployed": "2026-11-23T09:00:00Z"}],
                    "conditions": ready("Helm install succeeded".into()),
                },
            }))
            .await;
        gitops
            .create(json!({
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "Application",
                "metadata": {"name": "storefront", "namespace": "argocd"},
                "spec": {
                    "project": "default",
                    "source": {
                        "repoURL": URL,
                        "path": "charts/podinfo",
                        "targetRevision": "main",
                        "helm": {
                            "releaseName": "storefront",
                            "parameters": [{"name": "message", "value": "from-argo"}],
                        },
                    },
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "apps"},
                },
                "status": {
                    "sync": {"status": "Synced", "revision": commit},
                    "health": {"status": "Healthy"},
                },
            }))
            .await;

        // What kustomize-controller applied: substituted, moved to `web`, with
        // the common label and its own.
        let flux_labels = json!({"labels": {
            "team": "shop",
            "kustomize.toolkit.fluxcd.io/name": "web",
            "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
        }});
        gitops
            .create(config_map(
                "web",
                "web-settings",
                flux_labels.clone(),
                json!({"env": "prod", "region": "eu-west-1", "tier": "gold"}),
            ))
            .await;
        gitops
            .create(config_map(
                "web",
                "web-prod",
                flux_labels,
                json!({"greeting": "hello"}),
            ))
            .await;
        // What helm-controller installed: release `apps-podinfo` in `apps`, the
        // ConfigMap's values under the chart's, `spec.values` over both.
        gitops
            .create(config_map(
                "apps",
                "apps-podinfo-config",
                json!({
                    "labels": {
                        "app.kubernetes.io/managed-by": "Helm",
                        "helm.toolkit.fluxcd.io/name": "podinfo",
                        "helm.toolkit.fluxcd.io/namespace": "flux-system",
                    },
                    "annotations": {
                        "meta.helm.sh/release-name": "apps-podinfo",
                        "meta.helm.sh/release-namespace": "apps",
                    },
                }),
                json!({"message": "from-release", "replicas": "2"}),
            ))
            .await;
        // What Argo CD synced: `helm template storefront` with the parameter.
        gitops
            .create(config_map(
                "apps",
                "storefront-config",
                json!({"labels": {"app.kubernetes.io/instance": "storefront"}}),
                json!({"message": "from-argo", "replicas": "1"}),
            ))
            .await;
    }

    /// The engine app `kind namespace/name`, mapped with its source as discovery
    /// maps it.
    pub async fn app(gitops: &Gitops, kind: &str, namespace: &str, name: &str) -> ExternalApp {
        let object = gitops.read(kind, namespace, name).await;
        let fleet = || async { gitops.read("GitRepository", "flux-system", "fleet").await };
        match kind {
            "Kustomization" => flux::from_kustomization(&object, Some(&fleet().await)),
            "HelmRelease" => flux::from_helm_release(&object, Some(&fleet().await)),
            _ => argocd::from_application(&object),
        }
        .unwrap()
    }

    /// Each compared resource's key and status, in key order.
    pub fn statuses(compared: &Compared) -> Vec<(String, SyncStatus)> {
        let mut statuses: Vec<(String, SyncStatus)> = compared
            .drift
            .resources
            .iter()
            .map(|r| (r.key.to_string(), r.status))
            .collect();
        statuses.sort_by(|a, b| a.0.cmp(&b.0));
        statuses
    }

    /// A live ConfigMap edited by hand (a merge patch), as `kubectl edit` would.
    pub fn edit(gitops: &Gitops, namespace: &str, name: &str, patch: &str) {
        let args = [
            "patch",
            "configmap",
            name,
            "-n",
            namespace,
            "--type",
            "merge",
            "-p",
            patch,
        ];
        gitops.cluster.ok(&args);
    }

    pub async fn diff(
        clusters: &Clusters,
        repos: &[RepoSpec],
        app: &ExternalApp,
        against: Option<&str>,
    ) -> Result<Compared, String> {
        compare(clusters, repos.to_vec(), None, app, against).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_apps_are_rendered_as_their_engine_renders_them_and_compared_with_the_cluster() {
    use driftdeck::engine::clusters::Clusters;
    use driftdeck::model::SyncStatus::{Missing, OutOfSync, Synced};
    use engine_diff::{app, diff, edit, install, kustomization, repo, repos, statuses};

    let (repo, commits) = repo();
    let repos = repos(&repo);
    let gitops = common::gitops::Gitops::start().await;
    install(&gitops, &commits[0]).await;
    let clusters = Clusters::new(Some(gitops.cluster.sandbox.kubeconfig()));
    let web = app(&gitops, "Kustomization", "flux-system", "web").await;
    let podinfo = app(&gitops, "HelmRelease", "flux-system", "podinfo").await;
    let storefront = app(&gitops, "Application", "argocd", "storefront").await;

    // As applied: every object the engine applied, found equal, nothing noted.
    let compared = diff(&clusters, &repos, &web, None).await.unwrap();
    assert_eq!(
        statuses(&compared),
        [
            ("core/ConfigMap/web/web-prod".to_owned(), Synced),
            ("core/ConfigMap/web/web-settings".to_owned(), Synced),
        ],
        "{:#?}",
        compared.drift
    );
    assert!(compared.notes.is_empty(), "{:?}", compared.notes);
    assert!(
        compared.drift.fallbacks.is_empty(),
        "{:?}",
        compared.drift.fallbacks
    );
    let compared = diff(&clusters, &repos, &podinfo, None).await.unwrap();
    assert_eq!(
        statuses(&compared),
        [("core/ConfigMap/apps/apps-podinfo-config".to_owned(), Synced)],
        "{:#?}",
        compared.drift
    );
    // The sandbox has no HelmChart (Flux's generated chart object): the commit is
    // the GitRepository's artifact, and that is said.
    assert_eq!(
        compared.notes,
        [
            "no HelmChart built for it: rendered at its GitRepository's artifact, with the \
          chart's own version (Flux adds build metadata, which labels may carry)"
        ]
    );
    let compared = diff(&clusters, &repos, &storefront, None).await.unwrap();
    assert_eq!(
        statuses(&compared),
        [("core/ConfigMap/apps/storefront-config".to_owned(), Synced)],
        "{:#?}",
        compared.drift
    );
    assert!(compared.notes.is_empty(), "{:?}", compared.notes);

    // Against main's tip (not applied yet): the region's default and the
    // chart's template changed there.
    let compared = diff(&clusters, &repos, &web, Some(&commits[1]))
        .await
        .unwrap();
    assert_eq!(
        statuses(&compared),
        [
            ("core/ConfigMap/web/web-prod".to_owned(), Synced),
            ("core/ConfigMap/web/web-settings".to_owned(), OutOfSync),
        ]
    );
    let compared = diff(&clusters, &repos, &storefront, Some(&commits[1]))
        .await
        .unwrap();
    assert_eq!(
        statuses(&compared),
        [(
            "core/ConfigMap/apps/storefront-config".to_owned(),
            OutOfSync
        )]
    );

    // Someone edits two live objects: those two, and only those, drift.
    edit(
        &gitops,
        "web",
        "web-settings",
        r#"{"data":{"env":"staging"}}"#,
    );
    edit(
        &gitops,
        "apps",
        "apps-podinfo-config",
        r#"{"data":{"message":"hotfix"}}"#,
    );
    let compared = diff(&clusters, &repos, &web, None).await.unwrap();
    assert_eq!(
        statuses(&compared),
        [
            ("core/ConfigMap/web/web-prod".to_owned(), Synced),
            ("core/ConfigMap/web/web-settings".to_owned(), OutOfSync),
        ]
    );
    let settings = &compared.drift.resources;
    let settings = settings
        .iter()
        .find(|r| r.key.name == "web-settings")
        .unwrap();
    let changed: Vec<String> = settings
        .changes
        .iter()
        .map(|c| c.pointer.to_string())
        .collect();
    assert_eq!(changed, ["/data/env"], "{}", settings.unified);
    let compared = diff(&clusters, &repos, &podinfo, None).await.unwrap();
    assert_eq!(
        statuses(&compared),
        [(
            "core/ConfigMap/apps/apps-podinfo-config".to_owned(),
            OutOfSync
        )]
    );
    let compared = diff(&clusters, &repos, &storefront, None).await.unwrap();
    assert_eq!(
        statuses(&compared),
        [("core/ConfigMap/apps/storefront-config".to_owned(), Synced)]
    );

    // Variables from a Secret are refused, by name; what is not rendered is noted.
    gitops
        .create(kustomization(
            "sealed",
            &commits[0],
            serde_json::json!({"postBuild": {"substituteFrom": [{"kind": "Secret", "name": "vars"}]}}),
        ))
        .await;
    let sealed = app(&gitops, "Kustomization", "flux-system", "sealed").await;
    let refused = diff(&clusters, &repos, &sealed, None)
        .await
        .err()
        .expect("refused");
    assert!(
        refused.contains(
            "its post-build variables come from Secret vars; driftdeck does not read Secrets"
        ),
        "{refused}"
    );
    // A name prefix and a patch are built by kustomize, as Flux builds them: the
    // prefixed objects are not in the cluster.
    gitops
        .create(kustomization(
            "prefixed",
            &commits[0],
            serde_json::json!({
                "namePrefix": "eu-",
                "patches": [{
                    "patch": "- op: add\n  path: /data/owner\n  value: ops",
                    "target": {"kind": "ConfigMap", "name": "web-settings"},
                }],
            }),
        ))
        .await;
    let prefixed = app(&gitops, "Kustomization", "flux-system", "prefixed").await;
    let compared = diff(&clusters, &repos, &prefixed, None).await.unwrap();
    assert!(compared.notes.is_empty(), "{:?}", compared.notes);
    assert_eq!(
        statuses(&compared),
        [
            ("core/ConfigMap/web/eu-web-prod".to_owned(), Missing),
            ("core/ConfigMap/web/eu-web-settings".to_owned(), Missing),
        ]
    );
    let patched = compared
        .drift
        .resources
        .iter()
        .find(|r| r.key.name == "eu-web-settings")
        .unwrap();
    // Patched as kustomize built it, substituted after (a patch naming the
    // object `web-prod` would match nothing: its name is `web-${cluster_env}`
    // until the substitution).
    assert!(
        patched.unified.contains("owner: ops") && patched.unified.contains("env: prod"),
        "{}",
        patched.unified
    );
}

/// Logs, events, restart and scale work on the workloads an engine app's status
/// names (a Kustomization's inventory), not on a namesake elsewhere; a HelmRelease
/// whose status names none has the workloads helm-controller labelled as its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_actions_work_on_the_workloads_an_engine_app_manages() {
    use std::time::Duration;

    use driftdeck::cluster::{self, workloads};
    use driftdeck::engine::clusters::Clusters;
    use driftdeck::engine::{external, external_support, support};
    use driftdeck::model::ResourceKey;

    let cluster = Cluster::start();
    install(&cluster);
    // `infra`'s inventory names Deployment infra/ingress; a namesake lives in
    // `other`, and a Deployment labelled as the `redis` release's in flux-system.
    let deployment = |namespace: &str, name: &str, labels: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {namespace}, labels: {{{labels}}}}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec: {{containers: [{{name: main, image: nginx:1.27}}]}}\n"
        )
    };
    cluster.ok_with_input(
        &["apply", "-f", "-"],
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: infra}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n",
    );
    let redis_labels =
        "helm.toolkit.fluxcd.io/name: redis, helm.toolkit.fluxcd.io/namespace: flux-system";
    let manifests = [
        deployment("infra", "ingress", ""),
        deployment("other", "ingress", ""),
        deployment("flux-system", "redis-master", redis_labels),
    ]
    .join("---\n");
    cluster.ok_with_input(&["apply", "-f", "-"], &manifests);

    let connection = cluster::connect(Some(cluster.sandbox.kubeconfig()), None)
        .await
        .unwrap();
    let catalog = cluster::discover(&connection).await.unwrap();
    let found = external::discover(&connection, &catalog).await;
    let app = |name: &str| found.apps.iter().find(|a| a.name == name).unwrap().clone();
    let clusters = Clusters::new(Some(cluster.sandbox.kubeconfig()));
    let session = clusters.session(None).await.unwrap();

    let ingress = ResourceKey::new("apps", "Deployment", "infra", "ingress");
    let objects = external_support::app_objects(&session, &app("infra"))
        .await
        .unwrap();
    assert_eq!(
        objects.keys,
        [
            ingress.clone(),
            ResourceKey::new("", "Namespace", "", "infra")
        ]
    );
    assert_eq!(
        objects.workloads.keys().collect::<Vec<_>>(),
        [&ingress],
        "the namesake in `other` is not infra's"
    );
    let found = support::find_workload(&objects, "deployment/ingress").unwrap();
    assert_eq!(found, &ingress);

    // Its pods, once the sandbox's controllers have made them, and their log.
    let mut pods = Vec::new();
    for _ in 0..60 {
        pods = support::pods(&objects).await.unwrap();
        if !pods.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(pods.len(), 1, "{pods:?}");
    assert_eq!(pods[0].namespace, "infra");
    assert!(pods[0].name.starts_with("ingress-"), "{pods:?}");
    assert_eq!(pods[0].containers, ["main"]);

    // Scaled and restarted where the engine's inventory says, not in `other`.
    let served = objects.catalog.get("apps", "Deployment").unwrap();
    workloads::scale(
        &connection,
        served,
        &found.namespace,
        &found.name,
        2,
        "driftdeck",
    )
    .await
    .unwrap();
    workloads::restart(
        &connection,
        served,
        &found.namespace,
        &found.name,
        "driftdeck",
    )
    .await
    .unwrap();
    let read = |namespace: &str, path: &str| {
        cluster.ok(&[
            "get",
            "deployment",
            "ingress",
            "-n",
            namespace,
            "-o",
            &format!("jsonpath={{{path}}}"),
        ])
    };
    assert_eq!(read("infra", ".spec.replicas"), "2");
    assert_eq!(read("other", ".spec.replicas"), "1");
    assert!(
        !read(
            "infra",
            ".spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt"
        )
        .is_empty()
    );
    let mut reasons = Vec::new();
    for _ in 0..60 {
        let events = support::events(&objects).await.unwrap();
        reasons = events
            .iter()
            .map(|e| {
                (
                    e.involved_object.namespace.clone().unwrap_or_default(),
                    e.reason.clone().unwrap_or_default(),
                )
            })
            .collect();
        if reasons.iter().any(|(_, r)| r == "ScalingReplicaSet") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        reasons.iter().any(|(_, r)| r == "ScalingReplicaSet"),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().all(|(ns, _)| ns == "infra"),
        "only infra's namespace: {reasons:?}"
    );

    // A HelmRelease without an inventory: the workloads labelled as its own.
    let objects = external_support::app_objects(&session, &app("redis"))
        .await
        .unwrap();
    assert_eq!(
        objects.workloads.keys().collect::<Vec<_>>(),
        [&ResourceKey::new(
            "apps",
            "Deployment",
            "flux-system",
            "redis-master"
        )]
    );
}
