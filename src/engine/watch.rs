//! The objects driftdeck tracks in one context, kept current by watches: per kind,
//! every object carrying the tracking label (whatever the app), listed once and then
//! followed, so a change made by hand reaches the engine as soon as the API server
//! reports it. A hundred apps on a context share one watch per kind instead of a
//! hundred lists. A kind's watch starts on first use and stops when the context is
//! dropped.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::watch;

use super::tracking::APP_LABEL;
use crate::cluster::{self, Change, ClusterError, Connection, Served};
use crate::model::ResourceKey;

/// How long the first list of a kind may take.
const FIRST_LIST_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a kind's watch stands.
#[derive(Clone, Debug)]
enum Readiness {
    /// The first list has not come back yet.
    Listing,
    /// Listed; following changes.
    Ready,
    /// The first list failed (retried in the background).
    Failed(ClusterError),
}

/// A kind's labelled objects, indexed by the app their label names.
#[derive(Default)]
struct Objects {
    all: BTreeMap<ResourceKey, Value>,
    by_app: HashMap<String, BTreeSet<ResourceKey>>,
}

impl Objects {
    fn insert(&mut self, object: Value) {
        let Some(key) = super::live::key_of(&object) else {
            return;
        };
        self.remove(&key);
        if let Some(app) = app_of(&object) {
            self.by_app
                .entry(app.to_owned())
                .or_default()
                .insert(key.clone());
        }
        self.all.insert(key, object);
    }

    fn remove(&mut self, key: &ResourceKey) {
        if let Some(old) = self.all.remove(key)
            && let Some(app) = app_of(&old)
            && let Some(keys) = self.by_app.get_mut(app)
        {
            keys.remove(key);
            if keys.is_empty() {
                self.by_app.remove(app);
            }
        }
    }
}

fn app_of(object: &Value) -> Option<&str> {
    object.pointer("/metadata/labels")?.get(APP_LABEL)?.as_str()
}

/// What a kind's watch knows, shared with its task.
struct Known {
    objects: RwLock<Objects>,
    readiness: watch::Sender<Readiness>,
}

struct KindWatch {
    known: Arc<Known>,
    task: tokio::task::AbortHandle,
}

impl Drop for KindWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The tracked objects of one context.
pub struct Watched {
    connection: Connection,
    kinds: Mutex<HashMap<(String, String), Arc<KindWatch>>>,
    generation: Arc<watch::Sender<u64>>,
}

impl Watched {
    pub fn new(connection: Connection) -> Self {
        Self {
            connection,
            kinds: Mutex::default(),
            generation: Arc::new(watch::Sender::new(0)),
        }
    }

    /// A counter that moves on every change seen after a kind's first list: front
    /// ends wait on it to refresh what they show.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// The objects of `served`'s kind labelled as `app`'s, and those of `wanted`
    /// labelled at all, once the kind has been listed (its watch starts on first
    /// use). Must be called within a Tokio runtime, which runs the watch.
    pub async fn select(
        &self,
        served: &Served,
        app: &str,
        wanted: &[&ResourceKey],
    ) -> Result<Vec<(ResourceKey, Value)>, ClusterError> {
        let kind = self.kind(served);
        let mut readiness = kind.known.readiness.subscribe();
        let ready = tokio::time::timeout(
            FIRST_LIST_TIMEOUT,
            readiness.wait_for(|r| !matches!(r, Readiness::Listing)),
        )
        .await;
        match ready {
            Err(_) => {
                return Err(ClusterError::Timeout {
                    context: self.connection.context.clone(),
                    message: format!(
                        "listing {} did not finish within {}s",
                        served.resource.plural,
                        FIRST_LIST_TIMEOUT.as_secs()
                    ),
                });
            }
            Ok(Err(_)) => {
                return Err(ClusterError::Api {
                    context: self.connection.context.clone(),
                    code: 0,
                    reason: "Watch".into(),
                    message: format!("the watch of {} stopped", served.resource.plural),
                });
            }
            Ok(Ok(state)) => {
                if let Readiness::Failed(error) = &*state {
                    let error = error.clone();
                    drop(state);
                    // Failed before ever listing: start afresh next time.
                    self.forget(served, &kind);
                    return Err(error);
                }
            }
        }
        let objects = kind.known.objects.read().unwrap_or_else(|p| p.into_inner());
        let labelled = objects.by_app.get(app).into_iter().flatten();
        let keys: BTreeSet<&ResourceKey> = labelled.chain(wanted.iter().copied()).collect();
        Ok(keys
            .into_iter()
            .filter_map(|key| Some((key.clone(), objects.all.get(key)?.clone())))
            .collect())
    }

    /// Drops `failed` — only that watch, not one another caller started since.
    fn forget(&self, served: &Served, failed: &Arc<KindWatch>) {
        let mut kinds = self.kinds.lock().unwrap_or_else(|p| p.into_inner());
        if kinds
            .get(&kind_key(served))
            .is_some_and(|current| Arc::ptr_eq(current, failed))
        {
            kinds.remove(&kind_key(served));
        }
    }

    /// The kind's watch, started on first use, and again if its task ended (the
    /// runtime it ran on is gone).
    fn kind(&self, served: &Served) -> Arc<KindWatch> {
        let mut kinds = self.kinds.lock().unwrap_or_else(|p| p.into_inner());
        let entry = kinds.entry(kind_key(served));
        let watch = entry.or_insert_with(|| Arc::new(self.start(served)));
        if watch.task.is_finished() {
            *watch = Arc::new(self.start(served));
        }
        watch.clone()
    }

    fn start(&self, served: &Served) -> KindWatch {
        let known = Arc::new(Known {
            objects: RwLock::default(),
            readiness: watch::Sender::new(Readiness::Listing),
        });
        let changes = cluster::watch_labelled(&self.connection, served, APP_LABEL);
        let task = tokio::spawn(follow(changes, known.clone(), self.generation.clone()));
        KindWatch {
            known,
            task: task.abort_handle(),
        }
    }
}

fn kind_key(served: &Served) -> (String, String) {
    (served.resource.group.clone(), served.resource.kind.clone())
}

/// Applies a kind's changes to what is known of it, forever.
async fn follow(
    changes: impl futures_util::Stream<Item = Change>,
    known: Arc<Known>,
    generation: Arc<watch::Sender<u64>>,
) {
    futures_util::pin_mut!(changes);
    let mut relist: Option<Objects> = None;
    while let Some(change) = changes.next().await {
        let ready = matches!(*known.readiness.borrow(), Readiness::Ready);
        match change {
            Change::Relisting => relist = Some(Objects::default()),
            Change::Listed(object) => {
                if let Some(buffer) = relist.as_mut() {
                    buffer.insert(object);
                }
            }
            Change::ListDone => {
                if let Some(buffer) = relist.take() {
                    *known.objects.write().unwrap_or_else(|p| p.into_inner()) = buffer;
                }
                known.readiness.send_replace(Readiness::Ready);
                generation.send_modify(|g| *g += 1);
            }
            Change::Applied(object) => {
                let mut objects = known.objects.write().unwrap_or_else(|p| p.into_inner());
                objects.insert(object);
                drop(objects);
                generation.send_modify(|g| *g += 1);
            }
            Change::Deleted(object) => {
                if let Some(key) = super::live::key_of(&object) {
                    let mut objects = known.objects.write().unwrap_or_else(|p| p.into_inner());
                    objects.remove(&key);
                }
                generation.send_modify(|g| *g += 1);
            }
            // Once listed, a failure keeps the last known state while the watcher
            // retries; before, it is the answer.
            Change::Failed(error) if !ready => {
                known.readiness.send_replace(Readiness::Failed(error));
            }
            Change::Failed(_) => {}
        }
    }
}
