//! The history of a path: the commits that changed it, newest first, exactly as
//! `git log --format=%H -- <path>` lists them. Git's default history simplification
//! is reproduced: commits are visited by committer date (newest first, ties in the
//! order they were found); a commit whose path entry equals that of one of its
//! parents (TREESAME) is not shown and only the first such parent is followed; any
//! other commit is shown and all its parents are followed. A root commit is shown when
//! the path exists in it. Renames are not followed (as without `--follow`). For the
//! whole repository (an empty path) every commit is listed, as `git log` does.
//!
//! Walks are cached per (path, tip): asking again after new commits walks only the
//! new ones, down to the old tip.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use gix::objs::CommitRef;
use jiff::Timestamp;

use super::tree::{TreeEntry, child};
use super::{GitError, GitRepo, ObjectId, object_id};
use crate::model::{CommitId, CommitInfo};

/// Complete walks, by path.
#[derive(Default)]
pub(super) struct Cache {
    walks: HashMap<String, Walk>,
}

/// The result of a complete walk from `tip`.
#[derive(Clone)]
struct Walk {
    tip: ObjectId,
    /// Shown commits, in output order, with their committer time for merging.
    shown: Vec<(i64, CommitInfo)>,
    /// Every commit the walk visited: a later walk stops at these.
    visited: HashSet<ObjectId>,
}

/// What the walk needs of a commit.
struct Node {
    time: i64,
    tree: ObjectId,
    parents: Vec<ObjectId>,
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
        let cached = self.cache().walks.get(&path).cloned();
        let walk = match cached {
            Some(walk) if walk.tip == tip => walk,
            Some(old) => match self.walk(tip, &path, Some(&old), None)? {
                Some(walk) => walk,
                None => self.full_walk(tip, &path, None)?,
            },
            None if limit.is_some() => {
                // A bounded walk stops early, so it is not complete enough to cache.
                let walk = self.full_walk(tip, &path, limit)?;
                return Ok(walk.shown.into_iter().map(|(_, info)| info).collect());
            }
            None => self.full_walk(tip, &path, None)?,
        };
        let out = walk
            .shown
            .iter()
            .take(limit.unwrap_or(usize::MAX))
            .map(|(_, info)| info.clone())
            .collect();
        self.cache().walks.insert(path, walk);
        Ok(out)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.history
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn full_walk(&self, tip: ObjectId, path: &str, limit: Option<usize>) -> Result<Walk, GitError> {
        Ok(self.walk(tip, path, None, limit)?.unwrap_or_else(|| Walk {
            tip,
            shown: Vec::new(),
            visited: HashSet::new(),
        }))
    }

    /// Walks from `tip`. With `old`, stops at commits `old` visited and splices its
    /// result in; returns `None` when the walk never reached `old.tip` (history was
    /// rewritten, or simplification went around it), as the splice would be wrong.
    fn walk(
        &self,
        tip: ObjectId,
        path: &str,
        old: Option<&Walk>,
        limit: Option<usize>,
    ) -> Result<Option<Walk>, GitError> {
        let repo = self.local();
        let read = |e: Box<dyn std::error::Error + Send + Sync>| GitError::read(&self.location, e);
        let mut lookup = PathLookup::new(path);
        let mut nodes: HashMap<ObjectId, Node> = HashMap::new();
        let mut queue = BinaryHeap::new();
        let mut order = 0u64;
        let mut visited = HashSet::new();
        let mut shown = Vec::new();
        let mut reached_old_tip = old.is_none();

        let mut enqueue = |id: ObjectId,
                           queue: &mut BinaryHeap<(i64, Reverse<u64>, ObjectId)>,
                           nodes: &mut HashMap<ObjectId, Node>,
                           visited: &mut HashSet<ObjectId>|
         -> Result<(), GitError> {
            if !visited.insert(id) {
                return Ok(());
            }
            let node = load(&repo, id, nodes).map_err(read)?;
            order += 1;
            queue.push((node.time, Reverse(order), id));
            Ok(())
        };
        enqueue(tip, &mut queue, &mut nodes, &mut visited)?;

        while let Some((time, _, id)) = queue.pop() {
            if limit.is_some_and(|limit| shown.len() >= limit) {
                break;
            }
            if let Some(old) = old
                && old.visited.contains(&id)
            {
                reached_old_tip |= id == old.tip;
                continue;
            }
            let node = nodes
                .remove(&id)
                .map_or_else(|| load_owned(&repo, id).map_err(read), Ok)?;
            let entry = lookup.entry(&repo, node.tree).map_err(read)?;
            let mut follow = node.parents.clone();
            let mut show = node.parents.is_empty() && entry.is_some();
            if lookup.is_whole_repository() {
                // Without a path git lists every commit, merges included.
                show = true;
            } else if !node.parents.is_empty() {
                let mut same = None;
                for parent in &node.parents {
                    let parent_tree = match nodes.get(parent) {
                        Some(n) => n.tree,
                        None => load(&repo, *parent, &mut nodes).map_err(read)?.tree,
                    };
                    if lookup.entry(&repo, parent_tree).map_err(read)? == entry {
                        same = Some(*parent);
                        break;
                    }
                }
                match same {
                    Some(parent) => follow = vec![parent],
                    None => show = true,
                }
            }
            if show {
                shown.push((time, info(&repo, id).map_err(read)?));
            }
            for parent in follow {
                enqueue(parent, &mut queue, &mut nodes, &mut visited)?;
            }
        }
        let Some(old) = old else {
            return Ok(Some(Walk {
                tip,
                shown,
                visited,
            }));
        };
        if !reached_old_tip {
            return Ok(None);
        }
        visited.extend(old.visited.iter().copied());
        Ok(Some(Walk {
            tip,
            shown: merge_by_time(shown, &old.shown),
            visited,
        }))
    }
}

/// The new commits and the old ones in one list, newest first (a stable merge: on
/// equal times the new commits, found first, come first).
fn merge_by_time(new: Vec<(i64, CommitInfo)>, old: &[(i64, CommitInfo)]) -> Vec<(i64, CommitInfo)> {
    let mut merged = Vec::with_capacity(new.len() + old.len());
    let mut old = old.iter().cloned().peekable();
    for item in new {
        while let Some(next) = old.next_if(|o| o.0 > item.0) {
            merged.push(next);
        }
        merged.push(item);
    }
    merged.extend(old);
    merged
}

/// Finds the entry at one path in many trees, remembering each tree's answer at
/// every depth: consecutive commits share most of their trees.
struct PathLookup {
    parts: Vec<String>,
    memo: HashMap<(usize, ObjectId), Option<TreeEntry>>,
}

/// The entry at the path (id and mode: a mode change alone is a change, as for
/// git), or `None` when the path is absent.
type Found = Option<TreeEntry>;

impl PathLookup {
    fn new(path: &str) -> Self {
        Self {
            parts: path
                .split('/')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
            memo: HashMap::new(),
        }
    }

    fn is_whole_repository(&self) -> bool {
        self.parts.is_empty()
    }

    /// The entry at the path in the tree `root`.
    fn entry(
        &mut self,
        repo: &gix::Repository,
        root: ObjectId,
    ) -> Result<Found, Box<dyn std::error::Error + Send + Sync>> {
        let mut current = root;
        for (depth, name) in self.parts.iter().enumerate() {
            let found = match self.memo.get(&(depth, current)) {
                Some(found) => *found,
                None => {
                    let found = child(repo, current, name)?;
                    self.memo.insert((depth, current), found);
                    found
                }
            };
            match found {
                Some(entry) if depth + 1 == self.parts.len() => return Ok(Some(entry)),
                Some(entry) if entry.is_folder() => current = entry.id,
                _ => return Ok(None),
            }
        }
        // The whole repository: the root tree itself.
        Ok(Some(TreeEntry {
            id: root,
            file: None,
        }))
    }
}

fn load<'a>(
    repo: &gix::Repository,
    id: ObjectId,
    nodes: &'a mut HashMap<ObjectId, Node>,
) -> Result<&'a Node, Box<dyn std::error::Error + Send + Sync>> {
    match nodes.entry(id) {
        std::collections::hash_map::Entry::Occupied(entry) => Ok(entry.into_mut()),
        std::collections::hash_map::Entry::Vacant(entry) => Ok(entry.insert(load_owned(repo, id)?)),
    }
}

fn load_owned(
    repo: &gix::Repository,
    id: ObjectId,
) -> Result<Node, Box<dyn std::error::Error + Send + Sync>> {
    let object = repo.find_object(id)?;
    let commit = CommitRef::from_bytes(&object.data, repo.object_hash())?;
    Ok(Node {
        time: commit.committer()?.time()?.seconds,
        tree: commit.tree(),
        parents: commit.parents().collect(),
    })
}

fn info(
    repo: &gix::Repository,
    id: ObjectId,
) -> Result<CommitInfo, Box<dyn std::error::Error + Send + Sync>> {
    let object = repo.find_object(id)?;
    let commit = CommitRef::from_bytes(&object.data, repo.object_hash())?;
    let author = commit.author()?;
    let seconds = author.time()?.seconds;
    Ok(CommitInfo {
        id: CommitId::new(id.to_string()),
        author_name: author.name.to_string(),
        author_email: author.email.to_string(),
        author_time: Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH),
        subject: commit.message_summary().to_string(),
    })
}
