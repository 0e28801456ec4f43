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
pub use job::parse_schedule;

/// The most pods a controller creates for one owner in one pass.
const BURST: i64 = 500;

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
    let controllers: [fn(&Ctl); 14] = [
        misc::namespaces,
        misc::nodes,
        deployment::reconcile,
        replicaset::reconcile,
        statefulset::reconcile,
        daemonset::reconcile,
        job::reconcile_cronjobs,
        job::reconcile_jobs,
        kubelet::reconcile,
        misc::endpoints,
        misc::volume_claims,
        misc::autoscalers,
        misc::load_balancers,
        events::expire,
    ];
    for controller in controllers {
        // One object a controller cannot handle must not stop the others: each is
        // isolated, and the next pass retries.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| controller(ctl)));
    }
}
