//! Reading commits ahead of a history walk, on a second thread. A cold walk reads
//! every reachable commit (inflating each) and, for a path, the trees along it; git
//! does both on one core. Here a reader thread walks the commits in the order the
//! history walk will want them (newest committer date first) and hands over what the
//! walk needs of each, while the walk's thread reads the trees: both cores busy.
//!
//! Trees stay on the walk's thread: they are read through delta chains whose bases
//! are cached per handle, and splitting them between two handles decodes the bases
//! twice (measured slower; see docs/PERFORMANCE.md).
//!
//! The reader is only an accelerator: it stops at its first error (the walk then
//! reads that commit itself and reports the error properly) and when the walk is
//! done (the channel closes), and it is never more than a bounded number of commits
//! ahead, so a walk with a small limit wastes little.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use gix::hashtable::{HashMap as IdMap, HashSet as IdSet};

use super::{GitRepo, ObjectId};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Commits per message: one send per commit would cost more than the reading.
const BATCH: usize = 64;
/// Batches the reader may be ahead of the walk.
const BATCHES_AHEAD: usize = 32;

/// What deciding needs of a commit.
#[derive(Clone, Debug)]
pub(super) struct Node {
    /// Committer time: the walk's priority.
    pub time: i64,
    pub tree: ObjectId,
    pub parents: Vec<ObjectId>,
}

/// Commits read by the thread ahead, in the order it read them.
pub(super) struct Ahead<'scope> {
    batches: Receiver<Vec<(ObjectId, Node)>>,
    reader: Option<ScopedJoinHandle<'scope, ()>>,
}

impl<'scope> Ahead<'scope> {
    /// Starts reading from `tip` on a thread of `scope`.
    pub fn start(scope: &'scope Scope<'scope, '_>, git: &'scope GitRepo, tip: ObjectId) -> Self {
        let (sender, batches) = sync_channel(BATCHES_AHEAD);
        let started = std::thread::Builder::new()
            .name("history-ahead".into())
            .spawn_scoped(scope, move || {
                let mut repo = git.repo.to_thread_local();
                // Commits are read once each: no object cache.
                repo.object_cache_size(None);
                read_ahead(&repo, tip, &sender);
            });
        match started {
            Ok(reader) => Self {
                batches,
                reader: Some(reader),
            },
            // No thread: an empty reader, the walk reads everything itself.
            Err(_) => Self {
                batches: sync_channel(0).1,
                reader: None,
            },
        }
    }

    /// The next batch, waiting for it; `None` once the reader has stopped.
    pub fn next_batch(&mut self) -> Option<Vec<(ObjectId, Node)>> {
        self.batches.recv().ok()
    }
}

/// Every commit reachable from `tip`, newest committer date first (ties in the order
/// they were queued, as the walk does), until the walk hangs up or a commit cannot
/// be read.
fn read_ahead(repo: &gix::Repository, tip: ObjectId, sender: &SyncSender<Vec<(ObjectId, Node)>>) {
    let mut queue = BinaryHeap::new();
    let mut read = IdMap::default();
    let mut seen = IdSet::default();
    let mut order = 0u64;
    let mut push = |id: ObjectId, queue: &mut BinaryHeap<_>, read: &mut IdMap<_, _>| {
        let Ok(node) = read_node(repo, id) else {
            return false;
        };
        order += 1;
        queue.push((node.time, Reverse(order), id));
        read.insert(id, node);
        true
    };
    seen.insert(tip);
    if !push(tip, &mut queue, &mut read) {
        return;
    }
    let mut batch = Vec::with_capacity(BATCH);
    while let Some((_, _, id)) = queue.pop() {
        let Some(node) = read.remove(&id) else { break };
        let unreadable = node
            .parents
            .iter()
            .any(|parent| seen.insert(*parent) && !push(*parent, &mut queue, &mut read));
        batch.push((id, node));
        if unreadable {
            // Stop here: the walk reads what is missing itself and reports it.
            break;
        }
        if batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if sender.send(full).is_err() {
                return;
            }
        }
    }
    let _ = sender.send(batch);
}

/// Reads what the walk needs of a commit: tree, parents and committer time, decoding
/// the headers only (never the message).
pub(super) fn read_node(repo: &gix::Repository, id: ObjectId) -> Result<Node, BoxError> {
    use gix::objs::commit::ref_iter::Token;
    let object = repo.find_object(id)?;
    let mut tree = None;
    let mut parents = Vec::new();
    for token in gix::objs::CommitRefIter::from_bytes(&object.data, repo.object_hash()) {
        match token? {
            Token::Tree { id } => tree = Some(id),
            Token::Parent { id } => parents.push(id),
            Token::Committer { signature } => {
                let tree = tree.ok_or("commit without a tree")?;
                let time = signature.time()?.seconds;
                return Ok(Node {
                    time,
                    tree,
                    parents,
                });
            }
            _ => {}
        }
    }
    Err(format!("commit {id} has no committer").into())
}

impl Drop for Ahead<'_> {
    /// Hangs up (the reader stops at its next batch) and joins it, so that a reader
    /// that panicked costs the walk nothing: the walk read what it needed itself.
    fn drop(&mut self) {
        drop(std::mem::replace(&mut self.batches, sync_channel(0).1));
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}
