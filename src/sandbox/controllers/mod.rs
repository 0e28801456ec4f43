//! Simulated controllers: what kube-controller-manager, the scheduler and the
//! kubelets would do, run as one loop over the store a few times a second.
//! Deployments → ReplicaSets → Pods that pull, start and become Ready (or crash-loop,
//! or fail to pull), StatefulSets, DaemonSets (one pod per node), Jobs and CronJobs,
//! Service endpoints, PVC binding, HPA status, Ingress addresses, Events.
//!
//! Every step is derived from timestamps in the objects themselves (not from memory
//! held here), so a sandbox resumed from a state file carries on where it was. All
//! writes go through the API layer with the real components' field managers.

mod context;
mod daemonset;
mod deployment;
mod events;
mod job;
mod kubelet;
mod misc;
mod replicaset;
mod statefulset;

use std::time::Duration;

use tokio::sync::watch;

use super::api::Api;
pub use context::Ctl;

/// How often the controllers look at the store.
const TICK: Duration = Duration::from_millis(250);

pub async fn run(api: Api, mut shutdown: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.changed() => return,
        }
        let api = api.clone();
        // The controllers take the store's lock many times per pass; a blocking
        // thread keeps them off the threads that serve requests.
        let pass = tokio::task::spawn_blocking(move || reconcile_all(&Ctl::new(api)));
        let _ = pass.await;
    }
}

/// One pass of every controller, in dependency order.
pub fn reconcile_all(ctl: &Ctl) {
    misc::namespaces(ctl);
    misc::nodes(ctl);
    deployment::reconcile(ctl);
    replicaset::reconcile(ctl);
    statefulset::reconcile(ctl);
    daemonset::reconcile(ctl);
    job::reconcile_cronjobs(ctl);
    job::reconcile_jobs(ctl);
    kubelet::reconcile(ctl);
    misc::endpoints(ctl);
    misc::volume_claims(ctl);
    misc::autoscalers(ctl);
    misc::load_balancers(ctl);
    events::expire(ctl);
}
