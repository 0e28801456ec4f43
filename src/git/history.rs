//! The history of a path: the commits that changed it, newest first, exactly as
//! `git log --format=%H -- <path>` lists them. Git's default history simplification
//! is reproduced: commits are visited by committer date (newest first, ties in the
//! order they were queued); a commit whose entry at the path (id and mode) equals
//! that of one of its parents (TREESAME) is not shown and only the first such parent
//! is followed; any other commit is shown and all its parents are followed. A root
//! commit is shown when the path exists in it. Renames are not followed (as without
//! `--follow`). For the whole repository (an empty path) every commit is listed.
//!
//! What is expensive is deciding, per commit, whether it is shown and which parents
//! are followed: that reads trees. A commit never changes, so each decision is kept
//! (per path) and every walk, first or later, replays git's queue over them: asking
//! again after new commits reads only the new ones, and the order is git's by
//! construction.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use gix::hashtable::{HashMap as IdMap, HashSet as IdSet};

use jiff::Timestamp;

use super::ahead::{Ahead, Node, read_node};
use super::chains::Packs;
use super::tree::TreeEntry;
use super::{GitError, GitRepo, ObjectId, object_id};
use crate::model::{CommitId, CommitInfo};

/// How many paths keep their decisions; the least recently asked is dropped first.
const CACHED_PATHS: usize = 64;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Decisions and commit details, per path.
#[derive(Default)]
pub(super) struct Cache {
    paths: HashMap<String, PathCache>,
    /// Paths from least to most recently used.
    recency: Vec<String>,
}

#[derive(Default)]
struct PathCache {
    decisions: IdMap<ObjectId, Decision>,
    infos: IdMap<ObjectId, CommitInfo>,
    lookup: PathLookup,
}

/// What git's walk does with one commit.
#[derive(Clone, Debug)]
struct Decision {
    /// Committer time: the walk's priority.
    time: i64,
    show: bool,
    follow: Vec<ObjectId>,
}

impl Cache {
    fn take(&mut self, path: &str) -> PathCache {
        self.recency.retain(|p| p != path);
        self.paths.remove(path).unwrap_or_else(|| PathCache {
            lookup: PathLookup::new(path),
            ..PathCache::default()
        })
    }

    fn put(&mut self, path: String, cache: PathCache) {
        if self.recency.len() >= CACHED_PATHS {
            let oldest = self.recency.remove(0);
            self.paths.remove(&oldest);
        }
        self.recency.push(path.clone());
        self.paths.insert(path, cache);
    }
}

impl GitRepo {
    /// The commits that changed `path` (empty: the whole repository), newest first,
    /// starting at `tip`; at most `limit` when given.
    pub fn history(
        &self,
        tip: &CommitId,
        path: &str,
        limit: Option<usize>,
    ) -> Result<Vec<CommitInfo>, GitError> {
        let path = path.trim_matches('/').to_owned();
        let tip = object_id(tip)?;
        // The path's cache is taken out while walking, so other paths stay usable.
        let mut cache = self.cache().take(&path);
        let result = self.walk(&mut cache, tip, limit);
        self.cache().put(path, cache);
        result.map_err(|e| GitError::read(&self.location, e))
    }

    /// Author, author time and subject of one commit.
    pub fn commit_info(&self, commit: &CommitId) -> Result<CommitInfo, GitError> {
        let id = object_id(commit)?;
        read_info(&self.local(), id).map_err(|e| GitError::read(&self.location, e))
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.history
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Git's walk from `tip` over the (cached or new) decisions. A first walk reads
    /// every commit: a second thread reads them ahead. Later walks replay decisions
    /// and read only the few new commits, on this thread.
    fn walk(
        &self,
        cache: &mut PathCache,
        tip: ObjectId,
        limit: Option<usize>,
    ) -> Result<Vec<CommitInfo>, BoxError> {
        if !cache.decisions.is_empty() {
            return self.walk_with(cache, tip, limit, None);
        }
        std::thread::scope(|scope| {
            let ahead = Ahead::start(scope, self, tip);
            self.walk_with(cache, tip, limit, Some(ahead))
        })
    }

    fn walk_with(
        &self,
        cache: &mut PathCache,
        tip: ObjectId,
        limit: Option<usize>,
        ahead: Option<Ahead<'_>>,
    ) -> Result<Vec<CommitInfo>, BoxError> {
        let repo = self.local();
        let mut decider = Decider {
            repo: &repo,
            cache,
            nodes: IdMap::default(),
            ahead,
            packs: Packs::open(&repo),
        };
        let mut queue = BinaryHeap::new();
        let mut queued = IdSet::default();
        let mut order = 0u64;
        let mut shown = Vec::new();
        let mut push = |id: ObjectId,
                        decider: &mut Decider<'_>,
                        queue: &mut BinaryHeap<(i64, Reverse<u64>, ObjectId)>|
         -> Result<(), BoxError> {
            if queued.insert(id) {
                let time = decider.decide(id)?.time;
                order += 1;
                queue.push((time, Reverse(order), id));
            }
            Ok(())
        };
        push(tip, &mut decider, &mut queue)?;
        while let Some((_, _, id)) = queue.pop() {
            if limit.is_some_and(|limit| shown.len() >= limit) {
                break;
            }
            let decision = decider.decide(id)?.clone();
            if decision.show {
                shown.push(decider.info(id)?);
            }
            for parent in decision.follow {
                push(parent, &mut decider, &mut queue)?;
            }
        }
        Ok(shown)
    }
}

/// Decides commits for one path, reading only what is not cached.
struct Decider<'a> {
    repo: &'a gix::Repository,
    cache: &'a mut PathCache,
    /// Commits read during this walk (a commit is needed as a child and as a parent).
    nodes: IdMap<ObjectId, Node>,
    /// The thread reading commits ahead, while it has any.
    ahead: Option<Ahead<'a>>,
    packs: Packs,
}

impl Decider<'_> {
    fn decide(&mut self, id: ObjectId) -> Result<&Decision, BoxError> {
        if !self.cache.decisions.contains_key(&id) {
            let decision = self.compute(id)?;
            self.cache.decisions.insert(id, decision);
        }
        Ok(&self.cache.decisions[&id])
    }

    fn compute(&mut self, id: ObjectId) -> Result<Decision, BoxError> {
        let (time, tree, parents) = {
            let node = self.node(id)?;
            (node.time, node.tree, node.parents.clone())
        };
        if self.cache.lookup.is_whole_repository() {
            // Without a path git lists every commit, merges included.
            return Ok(Decision {
                time,
                show: true,
                follow: parents,
            });
        }
        let entry = self.cache.lookup.entry(self.repo, &mut self.packs, tree)?;
        for parent in &parents {
            let parent_tree = self.node(*parent)?.tree;
            if self
                .cache
                .lookup
                .entry(self.repo, &mut self.packs, parent_tree)?
                == entry
            {
                return Ok(Decision {
                    time,
                    show: false,
                    follow: vec![*parent],
                });
            }
        }
        Ok(Decision {
            time,
            show: !parents.is_empty() || entry.is_some(),
            follow: parents,
        })
    }

    fn node(&mut self, id: ObjectId) -> Result<&Node, BoxError> {
        while !self.nodes.contains_key(&id) {
            match self.ahead.as_mut().and_then(Ahead::next_batch) {
                Some(batch) => self.nodes.extend(batch),
                None => {
                    self.ahead = None;
                    let node = read_node(self.repo, id)?;
                    self.nodes.insert(id, node);
                }
            }
        }
        Ok(&self.nodes[&id])
    }

    fn info(&mut self, id: ObjectId) -> Result<CommitInfo, BoxError> {
        if let Some(info) = self.cache.infos.get(&id) {
            return Ok(info.clone());
        }
        let info = read_info(self.repo, id)?;
        self.cache.infos.insert(id, info.clone());
        Ok(info)
    }
}

/// Reads what a history row shows of a commit: author, author time and subject (the
/// first paragraph, as git's `%s`).
fn read_info(repo: &gix::Repository, id: ObjectId) -> Result<CommitInfo, BoxError> {
    use gix::objs::commit::ref_iter::Token;
    let object = repo.find_object(id)?;
    let mut author = None;
    let mut subject = String::new();
    for token in gix::objs::CommitRefIter::from_bytes(&object.data, repo.object_hash()) {
        match token? {
            Token::Author { signature } => author = Some(signature),
            Token::Message(message) => {
                subject = gix::objs::commit::MessageRef::from_bytes(message)
                    .summary()
                    .to_string();
            }
            _ => {}
        }
    }
    let author = author.ok_or_else(|| format!("commit {id} has no author"))?;
    Ok(CommitInfo {
        id: CommitId::new(id.to_string()),
        author_name: author.name.to_string(),
        author_email: author.email.to_string(),
        author_time: Timestamp::from_second(author.time()?.seconds)
            .unwrap_or(Timestamp::UNIX_EPOCH),
        subject,
    })
}

/// Finds the entry at one path in many trees, remembering each tree's answer at
/// every depth (one map per path component): consecutive commits share most of
/// their trees.
#[derive(Default)]
struct PathLookup {
    parts: Vec<String>,
    memo: Vec<IdMap<ObjectId, Option<TreeEntry>>>,
}

impl PathLookup {
    fn new(path: &str) -> Self {
        let parts: Vec<String> = path
            .split('/')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        let memo = parts.iter().map(|_| IdMap::default()).collect();
        Self { parts, memo }
    }

    fn is_whole_repository(&self) -> bool {
        self.parts.is_empty()
    }

    /// The entry at the path in the tree `root` (id and mode: a mode change alone is
    /// a change, as for git), or `None` when the path is absent.
    fn entry(
        &mut self,
        repo: &gix::Repository,
        packs: &mut Packs,
        root: ObjectId,
    ) -> Result<Option<TreeEntry>, BoxError> {
        let mut current = root;
        for (depth, name) in self.parts.iter().enumerate() {
            let found = match self.memo[depth].get(&current) {
                Some(found) => *found,
                None => {
                    let found = packs.child(repo, current, name)?;
                    self.memo[depth].insert(current, found);
                    found
                }
            };
            match found {
                Some(entry) if depth + 1 == self.parts.len() => return Ok(Some(entry)),
                Some(entry) if entry.is_folder() => current = entry.id,
                _ => return Ok(None),
            }
        }
        Ok(Some(TreeEntry {
            id: root,
            file: None,
        }))
    }
}
