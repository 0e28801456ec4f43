//! Reading the many versions of a few trees fast. Packs store most trees as deltas
//! in chains up to 50 long, ordered by name and size rather than by history. Two
//! things in gix's object store make reading a path's trees in history order slow:
//! it caches the object a chain resolves to, never the bases on the way, so long
//! chains are inflated again and again; and it finds an object's pack location only
//! by inflating the object (to learn its size). `Packs` opens the repository's packs
//! itself: one index lookup per tree, the chain's headers walked without inflating,
//! and the chain decoded base first into a delta-base cache keyed by pack offset —
//! what git's delta base cache does — so a tree whose base was read costs one inflate
//! of its own delta. Loose objects, objects of packs made after the walk started and
//! anything this reader cannot make sense of are read through the store as usual.

use std::collections::HashSet;

use gix::odb::pack::Bundle;
use gix::odb::pack::cache::lru::MemoryCappedHashmap;
use gix::odb::pack::data::Entry;
use gix::odb::pack::data::decode::entry::ResolvedBase;
use gix::odb::pack::data::entry::Header;

use super::ObjectId;
use super::tree::{TreeEntry, entry_named};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// git's own default for `core.deltaBaseCacheLimit`.
const DELTA_BASE_CACHE_BYTES: usize = 96 * 1024 * 1024;

pub(super) struct Packs {
    bundles: Vec<Bundle>,
    inflate: gix::zlib::Inflate,
    cache: MemoryCappedHashmap,
    /// Entries decoded through this reader, as (bundle, data offset): their chain
    /// need not be walked again (the cache has them, or resolves them if evicted).
    warm: HashSet<(usize, u64)>,
    chain: Vec<Entry>,
    /// The last object read.
    data: Vec<u8>,
}

impl Packs {
    /// The repository's packs as they are now; a pack that cannot be opened is left
    /// to the store.
    pub fn open(repo: &gix::Repository) -> Self {
        let folder = repo.objects.store_ref().path().join("pack");
        let bundles = std::fs::read_dir(folder)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "idx"))
            .filter_map(|path| Bundle::at(&path, repo.object_hash()).ok())
            .collect();
        Self {
            bundles,
            inflate: gix::zlib::Inflate::default(),
            cache: MemoryCappedHashmap::new(DELTA_BASE_CACHE_BYTES),
            warm: HashSet::new(),
            chain: Vec::new(),
            data: Vec::new(),
        }
    }

    /// The entry named `name` in the tree `tree`, or `None`.
    pub fn child(
        &mut self,
        repo: &gix::Repository,
        tree: ObjectId,
        name: &str,
    ) -> Result<Option<TreeEntry>, BoxError> {
        if !matches!(self.read(&tree), Ok(true)) {
            let object = repo.find_object(tree)?;
            self.data.clear();
            self.data.extend_from_slice(&object.data);
        }
        entry_named(&self.data, repo.object_hash(), name)
    }

    /// Reads `id` into `data` from the packs; `false` when none has it.
    fn read(&mut self, id: &ObjectId) -> Result<bool, BoxError> {
        let Self {
            bundles,
            inflate,
            cache,
            warm,
            chain,
            data,
        } = self;
        let found = bundles
            .iter()
            .enumerate()
            .find_map(|(number, bundle)| bundle.index.lookup(id).map(|at| (number, bundle, at)));
        let Some((number, bundle, at)) = found else {
            return Ok(false);
        };
        let (pack, index) = (&bundle.pack, &bundle.index);
        // Walk the chain's headers down to a warm entry or a full object.
        chain.clear();
        let mut entry = pack.entry(index.pack_offset_at_index(at))?;
        loop {
            let warm_here = warm.contains(&(number, entry.data_offset));
            let base = match entry.header {
                _ if warm_here => None,
                Header::OfsDelta { base_distance } => entry.checked_base_pack_offset(base_distance),
                Header::RefDelta { base_id } => index
                    .lookup(base_id)
                    .map(|at| index.pack_offset_at_index(at)),
                _ => None,
            };
            chain.push(entry);
            match base {
                Some(offset) => entry = pack.entry(offset)?,
                None => break,
            }
        }
        let resolve = |id: &gix::oid, _: &mut Vec<u8>| -> gix::Result<Option<ResolvedBase>> {
            index
                .lookup(id)
                .map(|at| {
                    pack.entry(index.pack_offset_at_index(at))
                        .map(ResolvedBase::InPack)
                })
                .transpose()
        };
        // Base first: each delta then finds its base in the cache and inflates only
        // itself. A warm entry or a full object at the bottom is decoded by the
        // delta above it (the cache serves the one; the other is not cached by gix).
        let last = chain.len() - 1;
        for (depth, entry) in chain.drain(..).enumerate().rev() {
            let key = (number, entry.data_offset);
            let bottom = depth == last && (warm.contains(&key) || !entry.header.is_delta());
            if depth > 0 && bottom {
                continue;
            }
            pack.decode_entry(entry, data, inflate, &resolve, cache)?;
            warm.insert(key);
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let output = Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .expect("git");
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8(output.stdout).expect("utf-8")
    }

    /// Every tree of a packed repository, read through `Packs`, is what the store
    /// reads: with offset deltas, and with ref deltas.
    #[test]
    fn packs_read_every_tree_as_the_store_does() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        for round in 0..40 {
            let folder = root.join(format!("apps/app-{}", round % 4));
            std::fs::create_dir_all(&folder).expect("folder");
            std::fs::write(folder.join("deploy.yaml"), format!("replicas: {round}\n"))
                .expect("file");
            std::fs::write(folder.join(format!("n-{}.yaml", round % 5)), "x\n").expect("file");
            git(root, &["add", "-A"]);
            git(root, &["commit", "-q", "-m", &format!("round {round}")]);
        }
        let trees: Vec<String> = git(root, &["rev-list", "--objects", "--all"])
            .lines()
            .filter_map(|line| line.split(' ').next())
            .filter(|id| git(root, &["cat-file", "-t", id]).trim() == "tree")
            .map(str::to_owned)
            .collect();
        assert!(trees.len() > 80, "{}", trees.len());
        for repack in [
            &["repack", "-a", "-d", "-f", "--depth=50", "--window=250"][..],
            &[
                "-c",
                "repack.useDeltaBaseOffset=false",
                "repack",
                "-a",
                "-d",
                "-f",
            ][..],
        ] {
            git(root, repack);
            let repo = gix::open(root).expect("open");
            let mut packs = Packs::open(&repo);
            assert_eq!(packs.bundles.len(), 1, "{repack:?}");
            // Trees stored as deltas (verify-pack lists their depth and base).
            let index = std::fs::read_dir(root.join(".git/objects/pack"))
                .expect("pack folder")
                .flatten()
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "idx"))
                .expect("an index");
            let listing = git(root, &["verify-pack", "-v", &index.to_string_lossy()]);
            let deltas = listing
                .lines()
                .filter(|l| l.split_whitespace().nth(1) == Some("tree"))
                .filter(|l| l.split_whitespace().count() == 7)
                .count();
            assert!(deltas > 20, "{repack:?}: {deltas} trees are deltas");
            for id in &trees {
                let id = ObjectId::from_hex(id.as_bytes()).expect("id");
                assert!(
                    packs.read(&id).expect("read"),
                    "{repack:?}: {id} in the pack"
                );
                assert_eq!(
                    packs.data,
                    repo.find_object(id).expect("store").data,
                    "{repack:?}: {id}"
                );
            }
        }
    }
}
