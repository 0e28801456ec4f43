//! `apps/v1` defaults: Deployment, ReplicaSet, StatefulSet and DaemonSet.
//!
//! Each mirrors its `SetDefaults_*` in `pkg/apis/apps/v1/defaults.go` with the
//! feature gates of a stock 1.32 cluster (StatefulSetAutoDeletePVC on,
//! MaxUnavailableStatefulSet off), then defaults the pod template. Note the
//! asymmetries kept on purpose: a Deployment's rollingUpdate is filled in whenever
//! the type is RollingUpdate, a StatefulSet's only when the type itself was absent.

use super::fields::{
    Object, child, default_unset, default_zero, each, embedded_metadata, existing, is_zero, text,
};
use super::pod::{PodSite, default_template};
use super::storage::{default_claim_spec, default_claim_status};

const REVISION_HISTORY_LIMIT: u32 = 10;

pub(super) fn default_deployment(deployment: &mut Object) {
    let Some(spec) = child(deployment, "spec") else {
        return;
    };
    default_unset(spec, "replicas", 1);
    if let Some(strategy) = child(spec, "strategy") {
        default_zero(strategy, "type", "RollingUpdate");
        if text(strategy, "type") == "RollingUpdate"
            && let Some(rolling) = child(strategy, "rollingUpdate")
        {
            default_unset(rolling, "maxUnavailable", "25%");
            default_unset(rolling, "maxSurge", "25%");
        }
    }
    default_unset(spec, "revisionHistoryLimit", REVISION_HISTORY_LIMIT);
    default_unset(spec, "progressDeadlineSeconds", 600);
    default_template(spec, PodSite::Template);
}

pub(super) fn default_replica_set(replica_set: &mut Object) {
    let Some(spec) = child(replica_set, "spec") else {
        return;
    };
    default_unset(spec, "replicas", 1);
    default_template(spec, PodSite::Template);
}

pub(super) fn default_stateful_set(stateful_set: &mut Object) {
    let Some(spec) = child(stateful_set, "spec") else {
        return;
    };
    default_zero(spec, "podManagementPolicy", "OrderedReady");
    if let Some(strategy) = child(spec, "updateStrategy") {
        if is_zero(strategy.get("type")) {
            strategy.insert("type".to_owned(), "RollingUpdate".into());
            child(strategy, "rollingUpdate");
        }
        if text(strategy, "type") == "RollingUpdate"
            && let Some(rolling) = existing(strategy, "rollingUpdate")
        {
            default_unset(rolling, "partition", 0);
        }
    }
    if let Some(policy) = child(spec, "persistentVolumeClaimRetentionPolicy") {
        default_zero(policy, "whenDeleted", "Retain");
        default_zero(policy, "whenScaled", "Retain");
    }
    default_unset(spec, "replicas", 1);
    default_unset(spec, "revisionHistoryLimit", REVISION_HISTORY_LIMIT);
    default_template(spec, PodSite::Template);
    for claim in each(spec, "volumeClaimTemplates") {
        // Written back with their type, as the apps/v1 conversion does.
        default_zero(claim, "apiVersion", "v1");
        default_zero(claim, "kind", "PersistentVolumeClaim");
        embedded_metadata(claim);
        if let Some(claim_spec) = child(claim, "spec") {
            default_claim_spec(claim_spec);
        }
        default_claim_status(claim);
    }
}

pub(super) fn default_daemon_set(daemon_set: &mut Object) {
    let Some(spec) = child(daemon_set, "spec") else {
        return;
    };
    if let Some(strategy) = child(spec, "updateStrategy") {
        default_zero(strategy, "type", "RollingUpdate");
        if text(strategy, "type") == "RollingUpdate"
            && let Some(rolling) = child(strategy, "rollingUpdate")
        {
            default_unset(rolling, "maxUnavailable", 1);
            default_unset(rolling, "maxSurge", 0);
        }
    }
    default_unset(spec, "revisionHistoryLimit", REVISION_HISTORY_LIMIT);
    default_template(spec, PodSite::Template);
}
