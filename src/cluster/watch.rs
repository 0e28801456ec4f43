//! Watching the objects of one kind that carry a label, in every namespace: kube-rs's
//! watcher (list, then watch from its resourceVersion, relisting after `410 Gone`),
//! with its default backoff between failures, turned into changes on JSON values.

use futures_util::{Stream, StreamExt};
use kube::api::{Api, DynamicObject};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use serde_json::Value;

use super::resources::typed_value;
use super::{ClusterError, Connection, Served};

/// One step of a watch.
#[derive(Debug)]
pub enum Change {
    /// A (re)list begins: the objects that follow replace what was known.
    Relisting,
    /// An object of the (re)list.
    Listed(Value),
    /// The (re)list is complete.
    ListDone,
    /// An object was created or changed.
    Applied(Value),
    /// An object was deleted.
    Deleted(Value),
    /// The watch failed; it is retried after a backoff.
    Failed(ClusterError),
}

/// The changes to `served`'s objects labelled `label` (any value), in every
/// namespace. The stream never ends by itself.
pub fn watch_labelled(
    connection: &Connection,
    served: &Served,
    label: &str,
) -> impl Stream<Item = Change> + Send + 'static {
    let api: Api<DynamicObject> = Api::all_with(connection.client.clone(), &served.resource);
    let context = connection.context.clone();
    let served = served.clone();
    watcher::watcher(api, watcher::Config::default().labels(label))
        .default_backoff()
        .map(move |event| {
            let value = |object| typed_value(&served, object);
            match event {
                Ok(Event::Init) => Change::Relisting,
                Ok(Event::InitApply(object)) => {
                    value(object).map_or_else(Change::Failed, Change::Listed)
                }
                Ok(Event::InitDone) => Change::ListDone,
                Ok(Event::Apply(object)) => {
                    value(object).map_or_else(Change::Failed, Change::Applied)
                }
                Ok(Event::Delete(object)) => {
                    value(object).map_or_else(Change::Failed, Change::Deleted)
                }
                Err(error) => Change::Failed(classify(&context, error)),
            }
        })
}

fn classify(context: &str, error: watcher::Error) -> ClusterError {
    match error {
        watcher::Error::InitialListFailed(error)
        | watcher::Error::WatchStartFailed(error)
        | watcher::Error::WatchFailed(error) => ClusterError::from_kube(context, error),
        watcher::Error::WatchError(status) => {
            ClusterError::from_kube(context, kube::Error::Api(status))
        }
        other => ClusterError::Api {
            context: context.to_owned(),
            code: 0,
            reason: "Watch".into(),
            message: other.to_string(),
        },
    }
}
