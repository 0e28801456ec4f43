//! The demo's sample GitOps repository as a story: six apps (plain manifests,
//! kustomize, a Helm chart) and 33 commits by five people over six weeks, with
//! real-looking messages, which commit of each app the cluster runs, and the deploys
//! that came before (`past.rs`: the ledgers' weeks of history, a failed sync
//! and rollbacks among them). Pure: the clock is given, nothing is written here.

use std::collections::BTreeMap;

use jiff::{Timestamp, ToSpan};

use super::manifests::{self as m, Workload};
use crate::git::{Identity, ScriptedCommit};

/// The people who commit.
pub(super) const PEOPLE: [(&str, &str); 5] = [
    ("Maya Chen", "maya.chen@example.com"),
    ("Lukas Becker", "lukas.becker@example.com"),
    ("Priya Natarajan", "priya.natarajan@example.com"),
    ("Tom Okafor", "tom.okafor@example.com"),
    ("Sofia Rossi", "sofia.rossi@example.com"),
];

/// What the cluster should run, and what was done to it by hand afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deploy {
    /// `app` synced to the commit at `commit` (an index into the story's commits).
    Sync { app: &'static str, commit: usize },
    /// `kubectl scale`-like: a Deployment's replicas changed by another manager.
    Scale {
        app: &'static str,
        deployment: &'static str,
        replicas: i32,
    },
    /// `kubectl edit`-like: a ConfigMap key changed by another manager.
    EditConfigMap {
        app: &'static str,
        name: &'static str,
        key: &'static str,
        value: &'static str,
    },
    /// `kubectl delete`: an object of the app removed by hand.
    Delete {
        app: &'static str,
        kind: &'static str,
        name: &'static str,
    },
}

/// The whole story.
pub struct Story {
    pub commits: Vec<ScriptedCommit>,
    /// In order.
    pub deploys: Vec<Deploy>,
}

/// The apps, with their render kind as driftdeck.yaml names it and their path.
pub const APPS: [(&str, &str, &str); 6] = [
    ("web", "directory", "apps/web"),
    ("api", "kustomize", "apps/api/overlays/prod"),
    ("cache", "helm", "charts/cache"),
    ("orders", "directory", "apps/orders"),
    ("payments", "directory", "apps/payments"),
    ("search", "kustomize", "apps/search"),
];

/// driftdeck.yaml for the apps whose renderer is available.
pub fn config(available: impl Fn(&str) -> bool) -> String {
    let mut text = String::from(
        "# driftdeck's configuration for this repository (see docs/CONFIG.md).\nrepos:\n  - name: shop-gitops\n    path: .\n    branch: main\napps:\n",
    );
    for (name, render, path) in APPS {
        if !available(render) {
            continue;
        }
        text.push_str(&format!(
            "  - name: {name}\n    repo: shop-gitops\n    path: {path}\n    render: {render}\n    destination:\n      namespace: {name}\n"
        ));
        // web follows Git by itself and undoes hand changes: automation at work
        // (`p` in the cockpit suspends it).
        if name == "web" {
            text.push_str("    sync:\n      automated: true\n      selfHeal: true\n");
        }
    }
    text
}

/// Settings that commits change.
struct State {
    web_tag: &'static str,
    web_config: Vec<(&'static str, &'static str)>,
    api_tag: &'static str,
    api_replicas: u32,
    api_memory: &'static str,
    api_log_in_overlay: bool,
    api_http2: bool,
    cache: bool,
    cache_memory: &'static str,
    cache_policy: &'static str,
    orders: bool,
    orders_tag: &'static str,
    orders_replicas: u32,
    orders_config: Vec<(&'static str, &'static str)>,
    payments: bool,
    payments_tag: &'static str,
    search: bool,
    search_heap: &'static str,
    search_indexer: bool,
    search_metrics: bool,
    readme_runbooks: bool,
}

impl State {
    fn files(&self, config: &str) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        let mut put = |path: &str, text: String| {
            files.insert(path.to_owned(), text);
        };
        put("driftdeck.yaml", config.to_owned());
        put("README.md", readme(self.readme_runbooks));
        put(
            "apps/web/deployment.yaml",
            m::deployment(&Workload {
                name: "web",
                image: &format!("docker.io/library/nginx:{}", self.web_tag),
                replicas: 2,
                port: 80,
                memory: "64Mi",
                progress_deadline: None,
                min_ready: None,
                env_from: None,
            }),
        );
        put("apps/web/service.yaml", m::service("web", 80, &[]));
        put(
            "apps/web/config.yaml",
            m::config_map("web-config", &self.web_config),
        );
        let mut api_base_config = vec![("API_PORT", "8080")];
        if !self.api_log_in_overlay {
            api_base_config.push(("LOG_LEVEL", "info"));
        }
        put(
            "apps/api/base/deployment.yaml",
            m::deployment(&Workload {
                name: "api",
                image: "ghcr.io/driftdeck-demo/api:latest",
                replicas: 1,
                port: 8080,
                memory: self.api_memory,
                progress_deadline: None,
                min_ready: None,
                env_from: Some("api-config"),
            }),
        );
        let api_extra: &[(&str, u16)] = if self.api_http2 {
            &[("h2c", 8081)]
        } else {
            &[]
        };
        put(
            "apps/api/base/service.yaml",
            m::service("api", 8080, api_extra),
        );
        put(
            "apps/api/base/config.yaml",
            m::config_map("api-config", &api_base_config),
        );
        put(
            "apps/api/base/kustomization.yaml",
            m::kustomization(&["deployment.yaml", "service.yaml", "config.yaml"], ""),
        );
        let log_patch = if self.api_log_in_overlay {
            "patches:\n- target:\n    kind: ConfigMap\n    name: api-config\n  patch: |-\n    - op: add\n      path: /data/LOG_LEVEL\n      value: warn\n"
        } else {
            ""
        };
        put(
            "apps/api/overlays/prod/kustomization.yaml",
            m::overlay(
                "api",
                "ghcr.io/driftdeck-demo/api",
                self.api_tag,
                self.api_replicas,
                log_patch,
            ),
        );
        if self.cache {
            put("charts/cache/Chart.yaml", m::CACHE_CHART.to_owned());
            put(
                "charts/cache/values.yaml",
                m::cache_values(self.cache_memory, self.cache_policy),
            );
            put(
                "charts/cache/templates/deployment.yaml",
                m::CACHE_DEPLOYMENT.to_owned(),
            );
            put(
                "charts/cache/templates/service.yaml",
                m::CACHE_SERVICE.to_owned(),
            );
        }
        if self.orders {
            put(
                "apps/orders/deployment.yaml",
                m::deployment(&Workload {
                    name: "orders",
                    image: &format!("ghcr.io/driftdeck-demo/orders:{}", self.orders_tag),
                    replicas: self.orders_replicas,
                    port: 8080,
                    memory: "256Mi",
                    progress_deadline: None,
                    min_ready: None,
                    env_from: Some("orders-config"),
                }),
            );
            put("apps/orders/service.yaml", m::service("orders", 8080, &[]));
            put(
                "apps/orders/config.yaml",
                m::config_map("orders-config", &self.orders_config),
            );
        }
        if self.payments {
            put(
                "apps/payments/deployment.yaml",
                m::deployment(&Workload {
                    name: "payments",
                    image: &format!("ghcr.io/driftdeck-demo/payments:{}", self.payments_tag),
                    replicas: 2,
                    port: 8443,
                    memory: "192Mi",
                    // A pod must stay up 10 s to count, so a crash-looping release
                    // never becomes available, and shows as Degraded soon.
                    progress_deadline: Some(15),
                    min_ready: Some(10),
                    env_from: None,
                }),
            );
            put(
                "apps/payments/service.yaml",
                m::service("payments", 8443, &[]),
            );
        }
        if self.search {
            put(
                "apps/search/deployment.yaml",
                m::deployment(&Workload {
                    name: "search",
                    image: "docker.io/library/opensearch:2.17.1",
                    replicas: 1,
                    port: 9200,
                    memory: "1Gi",
                    progress_deadline: None,
                    min_ready: None,
                    env_from: Some("search-config"),
                }),
            );
            let extra: &[(&str, u16)] = if self.search_metrics {
                &[("metrics", 9600)]
            } else {
                &[]
            };
            put(
                "apps/search/service.yaml",
                m::service("search", 9200, extra),
            );
            put(
                "apps/search/config.yaml",
                m::config_map(
                    "search-config",
                    &[("OPENSEARCH_JAVA_OPTS", self.search_heap)],
                ),
            );
            let mut resources = vec!["deployment.yaml", "service.yaml", "config.yaml"];
            if self.search_indexer {
                put(
                    "apps/search/indexer.yaml",
                    m::config_map(
                        "search-indexer",
                        &[("SCHEDULE", "*/15 * * * *"), ("BATCH", "500")],
                    ),
                );
                resources.push("indexer.yaml");
            }
            put(
                "apps/search/kustomization.yaml",
                m::kustomization(&resources, ""),
            );
        }
        files
    }
}

fn readme(runbooks: bool) -> String {
    let mut text = String::from(
        "# shop-gitops\n\nThe desired state of the shop's services. Every change goes through a pull\nrequest; the cluster follows `main`.\n\n| app | path | render |\n|-----|------|--------|\n| web | apps/web | manifests |\n| api | apps/api/overlays/prod | kustomize |\n| cache | charts/cache | Helm |\n| orders | apps/orders | manifests |\n| payments | apps/payments | manifests |\n| search | apps/search | kustomize |\n",
    );
    if runbooks {
        text.push_str("\n## Runbooks\n\n- payments: roll back first, investigate second.\n- cache: a flush is safe; the shop warms it in minutes.\n");
    }
    text
}

/// The story, its last commit an hour before `now`.
pub fn story(now: Timestamp, available: impl Fn(&str) -> bool) -> Story {
    let config = config(&available);
    let mut state = State {
        web_tag: "1.27.1",
        web_config: vec![("WORKER_CONNECTIONS", "1024")],
        api_tag: "3.6.2",
        api_replicas: 2,
        api_memory: "256Mi",
        api_log_in_overlay: false,
        api_http2: false,
        cache: false,
        cache_memory: "128Mi",
        cache_policy: "noeviction",
        orders: false,
        orders_tag: "2.2.4",
        orders_replicas: 1,
        orders_config: vec![("ORDERS_BATCH_SIZE", "50")],
        payments: false,
        payments_tag: "1.3.2",
        search: false,
        search_heap: "-Xms512m -Xmx512m",
        search_indexer: false,
        search_metrics: false,
        readme_runbooks: false,
    };
    type Step = (usize, &'static str, fn(&mut State));
    // (author, message, change); the first commit brings the layout with web and api.
    let steps: Vec<Step> = vec![
        (
            0,
            "Initial GitOps layout: web frontend and API (base + prod overlay)",
            |_| {},
        ),
        (1, "cache: Helm chart for the Redis cache", |s| {
            s.cache = true
        }),
        (2, "orders: add the orders service", |s| s.orders = true),
        (3, "payments: add payments 1.3.2", |s| s.payments = true),
        (4, "search: add OpenSearch with kustomize", |s| {
            s.search = true
        }),
        (0, "web: enable gzip for text assets", |s| {
            s.web_config.push(("GZIP", "on"))
        }),
        (
            1,
            "api: raise memory limit to 384Mi after OOM kills in prod",
            |s| s.api_memory = "384Mi",
        ),
        (2, "orders: make batch size configurable", |s| {
            s.orders_config.push(("ORDERS_RETRY_LIMIT", "3"))
        }),
        (1, "cache: evict least recently used keys when full", |s| {
            s.cache_policy = "allkeys-lru"
        }),
        (3, "payments: bump to 1.4.0", |s| s.payments_tag = "1.4.0"),
        (4, "search: give the JVM a 1g heap", |s| {
            s.search_heap = "-Xms1g -Xmx1g"
        }),
        (0, "web: bump nginx to 1.27.2", |s| s.web_tag = "1.27.2"),
        (1, "api: prod runs 3 replicas", |s| s.api_replicas = 3),
        (2, "orders: 2 replicas for the peak season", |s| {
            s.orders_replicas = 2
        }),
        (4, "docs: runbook notes in the README", |s| {
            s.readme_runbooks = true
        }),
        (1, "cache: 192Mi is not enough, try 256Mi", |s| {
            s.cache_memory = "256Mi"
        }),
        (3, "payments: 1.4.1 (fix idempotency key handling)", |s| {
            s.payments_tag = "1.4.1"
        }),
        (4, "search: add the indexer schedule", |s| {
            s.search_indexer = true
        }),
        (0, "web: add security headers", |s| {
            s.web_config.push(("SECURITY_HEADERS", "strict"))
        }),
        (1, "api: log level per environment (warn in prod)", |s| {
            s.api_log_in_overlay = true
        }),
        (2, "orders: bump image to 2.3.0", |s| s.orders_tag = "2.3.0"),
        (4, "search: expose the metrics port", |s| {
            s.search_metrics = true
        }),
        (0, "web: bump nginx to 1.27.3", |s| s.web_tag = "1.27.3"),
        (1, "api: bump to 3.7.0", |s| s.api_tag = "3.7.0"),
        (
            2,
            "orders: ORDERS_TIMEOUT_MS=2500 to stop retry storms",
            |s| s.orders_config.push(("ORDERS_TIMEOUT_MS", "2500")),
        ),
        (3, "payments: bump to 1.5.0 (new retry logic)", |s| {
            s.payments_tag = "1.5.0-crash"
        }),
        (1, "api: bump to 3.8.0", |s| s.api_tag = "3.8.0"),
        (0, "web: cache static assets for an hour", |s| {
            s.web_config.push(("STATIC_CACHE", "1h"))
        }),
        (1, "api: serve HTTP/2 (h2c) on its own port", |s| {
            s.api_http2 = true
        }),
        (2, "orders: tune batch size down to 25", |s| {
            s.orders_config[0] = ("ORDERS_BATCH_SIZE", "25")
        }),
        (1, "api: bump to 3.8.1", |s| s.api_tag = "3.8.1"),
        (4, "search: 2g heap for the reindex", |s| {
            s.search_heap = "-Xms2g -Xmx2g"
        }),
        (0, "web: bump nginx to 1.27.4", |s| s.web_tag = "1.27.4"),
    ];
    let first = now - (6 * 7 * 24).hours();
    let span = (now - 1.hour()).as_second() - first.as_second();
    let mut previous: BTreeMap<String, String> = BTreeMap::new();
    let mut commits = Vec::new();
    let last = steps.len().saturating_sub(1).max(1) as i64;
    for (i, (who, message, change)) in steps.iter().enumerate() {
        change(&mut state);
        let files = state.files(&config);
        let mut changes: Vec<(String, Option<String>)> = files
            .iter()
            .filter(|(path, text)| previous.get(*path) != Some(*text))
            .map(|(path, text)| (path.clone(), Some(text.clone())))
            .collect();
        changes.extend(
            previous
                .keys()
                .filter(|path| !files.contains_key(*path))
                .map(|path| (path.clone(), None)),
        );
        previous = files;
        let (name, email) = PEOPLE[*who];
        // Spread over six weeks, in working hours, ending an hour ago.
        let offset = span * i as i64 / last;
        let time = Timestamp::from_second(first.as_second() + offset).unwrap_or(now);
        commits.push(ScriptedCommit {
            author: Identity {
                name: name.to_owned(),
                email: email.to_owned(),
                time: Some(time),
            },
            message: (*message).to_owned(),
            changes,
        });
    }
    let index = |message: &str| {
        steps
            .iter()
            .position(|(_, m, _)| *m == message)
            .unwrap_or_default()
    };
    let tip = steps.len() - 1;
    let deploys = vec![
        // web: at Git's tip, healthy.
        Deploy::Sync {
            app: "web",
            commit: tip,
        },
        // api: runs 3.7.0; three commits of its path are not deployed yet.
        Deploy::Sync {
            app: "api",
            commit: index("api: bump to 3.7.0"),
        },
        Deploy::Sync {
            app: "cache",
            commit: tip,
        },
        // orders: at the tip, then changed by hand.
        Deploy::Sync {
            app: "orders",
            commit: tip,
        },
        Deploy::Scale {
            app: "orders",
            deployment: "orders",
            replicas: 5,
        },
        Deploy::EditConfigMap {
            app: "orders",
            name: "orders-config",
            key: "ORDERS_TIMEOUT_MS",
            value: "10000",
        },
        // payments: 1.4.1 ran well; 1.5.0 crash-loops (a rollback fixes it).
        Deploy::Sync {
            app: "payments",
            commit: index("payments: 1.4.1 (fix idempotency key handling)"),
        },
        Deploy::Sync {
            app: "payments",
            commit: tip,
        },
        // search: at the tip, then two objects deleted by hand.
        Deploy::Sync {
            app: "search",
            commit: tip,
        },
        Deploy::Delete {
            app: "search",
            kind: "Service",
            name: "search",
        },
        Deploy::Delete {
            app: "search",
            kind: "ConfigMap",
            name: "search-indexer",
        },
    ];
    Story { commits, deploys }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_story_has_history_people_and_every_render_kind() {
        let now = Timestamp::from_second(1_790_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
        let story = story(now, |_| true);
        assert!(story.commits.len() >= 30, "{}", story.commits.len());
        let authors: std::collections::BTreeSet<&str> = story
            .commits
            .iter()
            .map(|c| c.author.name.as_str())
            .collect();
        assert!(authors.len() >= 4);
        let times: Vec<Timestamp> = story.commits.iter().filter_map(|c| c.author.time).collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]), "dates move forward");
        let weeks = (times[times.len() - 1].as_second() - times[0].as_second()) / (7 * 86_400);
        assert!(weeks >= 5, "over weeks: {weeks}");
        assert!(times[times.len() - 1] < now, "all in the past");
        let config = config(|_| true);
        for render in ["directory", "kustomize", "helm"] {
            assert!(config.contains(&format!("render: {render}")), "{config}");
        }
        assert!(!super::config(|r| r != "helm").contains("name: cache"));
        assert!(
            story.commits.iter().all(|c| !c.changes.is_empty()),
            "no empty commits"
        );
    }
}
