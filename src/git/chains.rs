//! Reading the many versions of a few trees fast. Packs store most trees as deltas
//! in chains up to 50 long, ordered by name and size rather than by history. gix
//! caches the object a chain resolves to, never the bases on the way, so reading a
//! path's trees in history order inflates long chains again and again. `Chains`
//! walks a chain's headers (no inflating) and reads it from its base upward: each
//! base is then decoded once and cached, which is what git's delta base cache does.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use gix::odb::pack::Find as _;
use gix::odb::pack::data::entry::Header;
use gix::odb::pack::data::entry::Location;

use super::ObjectId;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Per pack, which object starts at which offset. Built once per pack and kept by
/// the repository: packs do not change while they exist (a repack makes new ones,
/// with new ids).
pub(super) type PackOffsets = Mutex<HashMap<u32, Arc<HashMap<u64, ObjectId>>>>;

pub(super) struct Chains<'a> {
    shared: &'a PackOffsets,
    objects_at: HashMap<u32, Arc<HashMap<u64, ObjectId>>>,
    /// Entries already read through this reader, so their chain is warm.
    warm: HashSet<(u32, u64)>,
    buffer: Vec<u8>,
}

impl<'a> Chains<'a> {
    /// `repo` must keep its packs loaded while this reader is used
    /// (`prevent_pack_unload`), which [`Chains::handle`] sets up.
    pub fn new(shared: &'a PackOffsets) -> Self {
        Self {
            shared,
            objects_at: HashMap::new(),
            warm: HashSet::new(),
            buffer: Vec::new(),
        }
    }

    /// A repository handle whose packs stay loaded, as offset lookups require.
    pub fn handle(mut repo: gix::Repository) -> gix::Repository {
        repo.objects.prevent_pack_unload();
        // Decoded objects come from the pack cache by offset; a second cache by id
        // would answer first and leave the bases out of the pack cache.
        repo.object_cache_size(None);
        repo
    }

    /// Reads `id`'s delta chain base first, so that reading `id` afterwards, and any
    /// object sharing part of its chain, inflates one delta. Loose objects, and
    /// anything this reader cannot make sense of, are left to the normal path.
    pub fn warm(&mut self, repo: &gix::Repository, id: ObjectId) -> Result<(), BoxError> {
        let Some(mut location) = repo.objects.location_by_oid(&id, &mut self.buffer)? else {
            return Ok(());
        };
        let mut chain = vec![(id, location.clone())];
        while !self
            .warm
            .contains(&(location.pack_id, location.pack_offset))
        {
            let Some(base) = self.base_of(repo, &location)? else {
                break;
            };
            let Some(base_location) = repo.objects.location_by_oid(&base, &mut self.buffer)? else {
                break;
            };
            chain.push((base, base_location.clone()));
            location = base_location;
        }
        // The object itself is left for the caller to read: that read puts it in the
        // pack cache too, so later chains through it stop there.
        for (index, (object, location)) in chain.into_iter().enumerate().rev() {
            if self.warm.insert((location.pack_id, location.pack_offset)) && index > 0 {
                repo.find_object(object)?;
            }
        }
        Ok(())
    }

    /// The object an entry is a delta against, if it is one.
    fn base_of(
        &mut self,
        repo: &gix::Repository,
        location: &Location,
    ) -> Result<Option<ObjectId>, BoxError> {
        let Some(entry) = repo.objects.entry_by_location(location) else {
            return Ok(None);
        };
        let header = gix::odb::pack::data::Entry::from_bytes(
            &entry.data,
            location.pack_offset,
            repo.object_hash(),
        )?;
        Ok(match header.header {
            Header::OfsDelta { base_distance } => {
                let offset = location.pack_offset.checked_sub(base_distance);
                offset.and_then(|offset| self.object_at(repo, location.pack_id, offset))
            }
            Header::RefDelta { base_id } => Some(base_id),
            _ => None,
        })
    }

    fn object_at(&mut self, repo: &gix::Repository, pack: u32, offset: u64) -> Option<ObjectId> {
        if !self.objects_at.contains_key(&pack) {
            let mut shared = self.shared.lock().unwrap_or_else(|p| p.into_inner());
            let map = shared.entry(pack).or_insert_with(|| {
                let offsets = repo.objects.pack_offsets_and_oid(pack).ok().flatten();
                Arc::new(offsets.unwrap_or_default().into_iter().collect())
            });
            self.objects_at.insert(pack, Arc::clone(map));
        }
        self.objects_at.get(&pack)?.get(&offset).copied()
    }
}
