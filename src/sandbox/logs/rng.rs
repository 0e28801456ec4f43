//! The randomness behind synthetic logs: a stable hash of the inputs (FNV-1a, never
//! std's per-process `RandomState`) seeding splitmix64 streams. The same inputs
//! give the same logs in every process and on every machine.

/// FNV-1a over several byte strings, each followed by a separator so that
/// ("ab", "c") and ("a", "bc") differ.
pub fn hash(parts: &[&[u8]]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut hash = OFFSET;
    for part in parts {
        for byte in part.iter().chain(&[0xff]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

/// A splitmix64 stream.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// An independent stream for one purpose (`salt`), so that drawing more from
    /// one part of a log never shifts another.
    pub fn fork(seed: u64, salt: u64) -> Self {
        let mut mixer = Self(seed ^ salt.wrapping_mul(0xd6e8_feb8_6659_fd93));
        Self(mixer.next())
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `low..high` (just `low` when the range is empty). The modulo
    /// bias is far below anything a reader of logs could notice.
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        let Some(span) = high.checked_sub(low).filter(|span| *span > 0) else {
            return low;
        };
        let offset = self.next() % span.unsigned_abs();
        low.saturating_add(i64::try_from(offset).unwrap_or(0))
    }

    /// True `per_mille` times in a thousand.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }

    /// One item of a non-empty array.
    pub fn pick<'a, T, const N: usize>(&mut self, items: &'a [T; N]) -> &'a T {
        const { assert!(N > 0, "pick needs at least one item") };
        let index = usize::try_from(self.next() % N as u64).unwrap_or(0);
        &items[index]
    }

    /// `digits` lower-case hex digits, as in request ids.
    pub fn hex(&mut self, digits: usize) -> String {
        let mut text = String::with_capacity(digits);
        while text.len() < digits {
            let word = format!("{:016x}", self.next());
            text.push_str(&word[..(digits - text.len()).min(16)]);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fixed_and_separates_parts() {
        // FNV-1a's offset basis anchors the implementation: the hash, and so every
        // synthetic log, must never change between releases.
        assert_eq!(hash(&[]), 0xcbf2_9ce4_8422_2325);
        assert_ne!(hash(&[b"ab", b"c"]), hash(&[b"a", b"bc"]));
        assert_eq!(hash(&[b"pod", b"web"]), hash(&[b"pod", b"web"]));
    }

    #[test]
    fn draws_stay_in_range_and_repeat_per_seed() {
        let mut a = Rng::fork(7, 0);
        let mut b = Rng::fork(7, 0);
        for _ in 0..1000 {
            let x = a.range(-5, 5);
            assert!((-5..5).contains(&x));
            assert_eq!(x, b.range(-5, 5));
        }
        assert_eq!(Rng::fork(1, 0).range(3, 3), 3);
        assert_eq!(Rng::fork(1, 0).hex(20).len(), 20);
        assert_ne!(Rng::fork(1, 1).next(), Rng::fork(1, 2).next());
    }
}
