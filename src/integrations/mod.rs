//! Argo CD and Flux apps read into one status model, [`ExternalApp`], so that the
//! cockpit shows them in the same table as driftdeck's own apps.
//!
//! This layer owns the mapping from the engines' custom resources — Argo CD
//! `Application` (`argoproj.io/v1alpha1`), Flux `Kustomization`
//! (`kustomize.toolkit.fluxcd.io/v1`) and `HelmRelease` (`helm.toolkit.fluxcd.io/v2`)
//! with their sources (`source.toolkit.fluxcd.io/v1`) — given as the JSON the
//! Kubernetes API returns, to driftdeck's words (`SyncStatus`, `Health`,
//! `ResourceKey`, `SyncPolicy`). The mappings are pure functions: no client and no
//! IO here; listing, watching and patching those objects belong to the adapters.
//!
//! Strings are kept as the engines wrote them (views neutralise them for the
//! terminal), with one exception: the password of a repository URL is dropped
//! ([`without_password`]). Nothing is read from a Secret: Argo CD repository
//! credentials and Flux `secretRef`s are not followed, Helm values are not copied.
//!
//! The rules per engine are in [`argocd`] and [`flux`]. The rules both share:
//!
//! - A field that is absent, null or `""` reads as absent. An object its controller
//!   has not reconciled yet (no `status`) maps to sync `None` (Unknown) and health
//!   `Unknown`, not to an error.
//! - A field present with the wrong type is a [`MappingError::Malformed`] naming
//!   the object and the path: a malformed object is reported, not guessed at.
//! - `metadata.name` and `metadata.namespace` are required (all three kinds are
//!   namespaced). An `apiVersion` group or `kind` other than the expected one is a
//!   [`MappingError::WrongKind`]; absent `apiVersion`/`kind` are accepted (list
//!   items may lack them). Versions are not checked: the API server converts
//!   between the versions a CRD serves.
//! - Values a newer engine may add (a health code, a phase) map to `Unknown`,
//!   never to an error.
//! - History is newest first for every engine.

pub mod actions;
pub mod argocd;
mod error;
pub mod flux;
mod read;
pub mod recipe;

use jiff::Timestamp;
use serde::Serialize;

use crate::model::{Health, ResourceKey, SyncPolicy, SyncStatus};
pub use error::MappingError;
pub use read::without_password;
use read::{Fault, Node};

/// The GitOps engine that owns an app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    ArgoCd,
    Flux,
}

impl Engine {
    /// `argocd` or `flux`, the engine column's words.
    pub fn label(self) -> &'static str {
        match self {
            Self::ArgoCd => "argocd",
            Self::Flux => "flux",
        }
    }

    /// `Argo CD` or `Flux`, in sentences.
    pub fn name(self) -> &'static str {
        match self {
            Self::ArgoCd => "Argo CD",
            Self::Flux => "Flux",
        }
    }
}

/// The kind of engine object an app is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum AppKind {
    Application,
    Kustomization,
    HelmRelease,
}

impl AppKind {
    pub fn engine(self) -> Engine {
        match self {
            Self::Application => Engine::ArgoCd,
            Self::Kustomization | Self::HelmRelease => Engine::Flux,
        }
    }

    pub fn group(self) -> &'static str {
        match self {
            Self::Application => "argoproj.io",
            Self::Kustomization => "kustomize.toolkit.fluxcd.io",
            Self::HelmRelease => "helm.toolkit.fluxcd.io",
        }
    }

    /// The version driftdeck reads (and the mappings are written against).
    pub fn api_version(self) -> &'static str {
        match self {
            Self::Application => "argoproj.io/v1alpha1",
            Self::Kustomization => "kustomize.toolkit.fluxcd.io/v1",
            Self::HelmRelease => "helm.toolkit.fluxcd.io/v2",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Application => "Application",
            Self::Kustomization => "Kustomization",
            Self::HelmRelease => "HelmRelease",
        }
    }
}

/// An Argo CD or Flux app, as the cockpit shows it beside native apps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalApp {
    pub kind: AppKind,
    pub namespace: String,
    pub name: String,
    /// `None` is Unknown: the engine has not compared yet, or says it cannot.
    /// Only `Synced` and `OutOfSync` are used at app level.
    pub sync: Option<SyncStatus>,
    pub health: Health,
    /// The revision the engine wants deployed.
    pub target_revision: Option<String>,
    /// The revision the engine last deployed.
    pub live_revision: Option<String>,
    pub source: Option<AppSource>,
    pub automation: Automation,
    /// The operation in progress, requested, or (Argo CD) last finished.
    pub operation: Option<Operation>,
    pub conditions: Vec<Condition>,
    pub resources: Vec<ManagedResource>,
    /// Newest first.
    pub history: Vec<Deployed>,
}

impl ExternalApp {
    pub fn engine(&self) -> Engine {
        self.kind.engine()
    }

    /// `argocd:shop`, `flux:infra`: the apps table's words for it.
    pub fn label(&self) -> String {
        format!("{}:{}", self.engine().label(), self.name)
    }

    /// `Kustomization/flux-system/web`: how a pinned source names the app whose
    /// rollback pinned it.
    pub fn qualified(&self) -> String {
        format!("{}/{}/{}", self.kind.label(), self.namespace, self.name)
    }

    /// The engine object itself, for actions and for finding it among live objects.
    pub fn key(&self) -> ResourceKey {
        ResourceKey::new(
            self.kind.group(),
            self.kind.label(),
            &self.namespace,
            &self.name,
        )
    }

    /// The conditions that report a failure: Argo CD's `…Error` conditions
    /// (`ComparisonError`, `SyncError`, `InvalidSpecError`, …); Flux's `Ready=False`
    /// and `Stalled=True` (a failed `Released`, `TestSuccess` or `Healthy` also turns
    /// `Ready` False, so it is not counted twice).
    pub fn problems(&self) -> impl Iterator<Item = &Condition> {
        let engine = self.engine();
        self.conditions.iter().filter(move |c| match engine {
            Engine::ArgoCd => c.type_name.ends_with("Error"),
            Engine::Flux => {
                (c.type_name == "Ready" && c.status == ConditionStatus::False)
                    || (c.type_name == "Stalled" && c.status == ConditionStatus::True)
            }
        })
    }
}

/// Where an app's manifests come from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSource {
    /// The Flux source object (`GitRepository`, `OCIRepository`, `HelmRepository`,
    /// …, group `source.toolkit.fluxcd.io`); `None` for Argo CD, whose source is
    /// inline in the `Application`.
    pub object: Option<ResourceKey>,
    /// Repository URL, its password dropped.
    pub url: Option<String>,
    /// Path within the repository.
    pub path: Option<String>,
    /// Chart name, for charts from a Helm (or OCI) repository.
    pub chart: Option<String>,
    /// What the app follows, as written: a branch, tag, semver range, commit or
    /// chart version (`main`, `HEAD`, `v1.2.0`, `>=6.0.0`).
    pub target_revision: Option<String>,
    /// A Flux source pinned by a driftdeck rollback: the app rolled back
    /// (`Kind/namespace/name`), from which it is unpinned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned_by: Option<String>,
}

/// Who keeps the app in sync without a person asking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Automation {
    /// Argo CD's `spec.syncPolicy`; `automated: false` means syncs are manual.
    ArgoCd(SyncPolicy),
    /// Flux reconciles every `interval` unless `spec.suspend` is set.
    #[serde(rename_all = "camelCase")]
    Flux {
        suspended: bool,
        interval: Option<String>,
    },
}

impl Automation {
    /// In words: `auto-sync, self-heal, prune`, `manual`, `every 10m`, `suspended`.
    pub fn words(&self) -> String {
        match self {
            Self::ArgoCd(policy) if policy.automated => policy.words(),
            Self::ArgoCd(_) => "manual".to_owned(),
            Self::Flux {
                suspended: true, ..
            } => "suspended".to_owned(),
            Self::Flux {
                interval: Some(interval),
                ..
            } => format!("every {interval}"),
            Self::Flux { .. } => "reconciling".to_owned(),
        }
    }
}

/// An operation of the engine on the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub phase: OperationPhase,
    pub message: String,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    /// The revision being (or last) synced.
    pub revision: Option<String>,
    /// A user name, or `automated` for Argo CD's automated sync.
    pub initiated_by: Option<String>,
}

/// Argo CD's `operationState.phase`, plus `Requested` (asked for, not picked up).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum OperationPhase {
    Requested,
    Running,
    Terminating,
    Succeeded,
    Failed,
    Error,
    /// A phase this driftdeck does not know.
    Unknown,
}

impl OperationPhase {
    pub fn is_active(self) -> bool {
        matches!(self, Self::Requested | Self::Running | Self::Terminating)
    }
}

/// One entry of `status.conditions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_name: String,
    pub status: ConditionStatus,
    pub reason: String,
    pub message: String,
    pub last_transition: Option<Timestamp>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ConditionStatus {
    True,
    False,
    Unknown,
}

impl Condition {
    /// Reads one condition. Argo CD's conditions have no `status` (they exist only
    /// while they hold), so `absent` says what a missing status means; a status
    /// other than `True`/`False` is `Unknown`.
    fn read(node: &Node<'_>, absent: ConditionStatus) -> Result<Self, Fault> {
        let text = |key: &str| -> Result<String, Fault> {
            Ok(node.text(&[key])?.unwrap_or_default().to_owned())
        };
        Ok(Self {
            type_name: text("type")?,
            status: match node.text(&["status"])? {
                None => absent,
                Some("True") => ConditionStatus::True,
                Some("False") => ConditionStatus::False,
                Some(_) => ConditionStatus::Unknown,
            },
            reason: text("reason")?,
            message: text("message")?,
            last_transition: node.time(&["lastTransitionTime"])?,
        })
    }

    fn read_all(root: &Node<'_>, absent: ConditionStatus) -> Result<Vec<Self>, Fault> {
        root.items(&["status", "conditions"])?
            .iter()
            .map(|node| Self::read(node, absent))
            .collect()
    }

    /// `Reason: message`, or whichever is set, or `Type is Status`.
    pub fn summary(&self) -> String {
        match (self.reason.is_empty(), self.message.is_empty()) {
            (false, false) => format!("{}: {}", self.reason, self.message),
            (false, true) => self.reason.clone(),
            (true, false) => self.message.clone(),
            (true, true) => format!("{} is {:?}", self.type_name, self.status),
        }
    }
}

/// An object the engine manages for the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedResource {
    pub key: ResourceKey,
    /// API version (`v1`), empty when the engine does not say.
    pub version: String,
    /// The engine's verdict, `None` when it gives none (Flux) or says Unknown.
    pub sync: Option<SyncStatus>,
    /// The engine's verdict, `None` when it gives none: Flux never does, Argo CD
    /// not for kinds without a health check. The cockpit assesses the live object
    /// (`crate::health::assess`) in that case.
    pub health: Option<Health>,
    /// An Argo CD hook (a Job run around a sync), not part of the desired state.
    pub hook: bool,
}

/// One deploy in the engine's history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployed {
    /// Commit, artifact revision or chart version; empty when the entry has none.
    pub revision: String,
    /// Argo CD's history id; Helm's release version.
    pub id: Option<i64>,
    pub deployed_at: Option<Timestamp>,
    /// Flux's `lastReconciledStatus`, Helm's release status (`deployed`, `failed`,
    /// `superseded`, …); `None` for Argo CD, which records only successes.
    pub status: Option<String>,
    pub digest: Option<String>,
    pub chart: Option<String>,
    pub app_version: Option<String>,
    pub initiated_by: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_summary_uses_what_is_set() {
        let mut condition = Condition {
            type_name: "Ready".into(),
            status: ConditionStatus::False,
            reason: "BuildFailed".into(),
            message: "kustomize build failed".into(),
            last_transition: None,
        };
        assert_eq!(condition.summary(), "BuildFailed: kustomize build failed");
        condition.message.clear();
        assert_eq!(condition.summary(), "BuildFailed");
        condition.reason.clear();
        assert_eq!(condition.summary(), "Ready is False");
    }

    #[test]
    fn automation_in_words() {
        let policy = SyncPolicy {
            automated: true,
            prune: true,
            self_heal: true,
        };
        assert_eq!(
            Automation::ArgoCd(policy).words(),
            "auto-sync, self-heal, prune"
        );
        assert_eq!(Automation::ArgoCd(SyncPolicy::default()).words(), "manual");
        let flux = |suspended, interval: Option<&str>| Automation::Flux {
            suspended,
            interval: interval.map(str::to_owned),
        };
        assert_eq!(flux(true, Some("10m")).words(), "suspended");
        assert_eq!(flux(false, Some("10m")).words(), "every 10m");
        assert_eq!(flux(false, None).words(), "reconciling");
    }
}
