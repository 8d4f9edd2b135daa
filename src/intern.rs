//! A table of values made once and kept, each found again by a key: for what a refusal would
//! otherwise make on every request from the same `'static` text (a challenge's encoded value,
//! a body with its own message).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

/// Up to `SLOTS` values, each made once for its key and kept as long as the table.
///
/// Finding a value takes no lock. A value is made under a lock, so that no key is there
/// twice: taken at most once per slot, for as long as making one value takes, and never once
/// the table is full.
pub(crate) struct InternTable<K, V, const SLOTS: usize> {
    /// Filled in order; a slot once set is never changed, and no two hold the same key.
    slots: [OnceLock<(K, V)>; SLOTS],
    /// Held while a value is made and kept.
    interning: Mutex<()>,
    /// Set once every slot is: from then on nothing takes `interning`.
    full: AtomicBool,
}

impl<K: PartialEq, V, const SLOTS: usize> InternTable<K, V, SLOTS> {
    #[allow(clippy::declare_interior_mutable_const)] // Only ever copied into a new table.
    const EMPTY_SLOT: OnceLock<(K, V)> = OnceLock::new();

    pub(crate) const fn new() -> Self {
        Self {
            slots: [Self::EMPTY_SLOT; SLOTS],
            interning: Mutex::new(()),
            full: AtomicBool::new(false),
        }
    }

    /// The slot holding `key`, and its value. Always inlined: its callers live in other
    /// modules, and a call costs a 401 about a dozen instructions (`benches/render.rs`).
    #[inline(always)]
    pub(crate) fn find(&self, key: &K) -> Option<(usize, &V)> {
        self.slots
            .iter()
            .map_while(OnceLock::get)
            .enumerate()
            .find(|(_, (known, _))| known == key)
            .map(|(index, (_, value))| (index, value))
    }

    /// The slot of `key`, which [`find`](Self::find) did not find, and its value: `make`'s,
    /// kept in a new slot while there is room (`None` if `make` gives none), or the one
    /// another thread has just kept for it.
    pub(crate) fn intern_missing(
        &self,
        key: K,
        make: impl FnOnce() -> Option<V>,
    ) -> Option<(usize, &V)> {
        if self.full.load(Ordering::Relaxed) {
            return None;
        }
        // It guards no data: a panic while it was held left nothing half done.
        let _interning = self
            .interning
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Another thread may have kept it meanwhile.
        if let Some(found) = self.find(&key) {
            return Some(found);
        }
        let Some((index, free)) = self
            .slots
            .iter()
            .enumerate()
            .find(|(_, slot)| slot.get().is_none())
        else {
            self.full.store(true, Ordering::Relaxed);
            return None;
        };
        free.set((key, make()?)).ok()?;
        free.get().map(|(_, value)| (index, value))
    }

    /// The value in slot `index`, if it is set.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> Option<&V> {
        self.slots.get(index)?.get().map(|(_, value)| value)
    }

    /// Whether every slot is set.
    #[cfg(test)]
    pub(crate) fn is_full(&self) -> bool {
        self.full.load(Ordering::Relaxed)
    }

    /// How many values the table holds, and whether each key is there once.
    #[cfg(test)]
    pub(crate) fn count_and_distinct(&self) -> (usize, bool) {
        let keys: Vec<&K> = self
            .slots
            .iter()
            .map_while(OnceLock::get)
            .map(|(key, _)| key)
            .collect();
        let distinct = keys
            .iter()
            .enumerate()
            .all(|(index, key)| !keys[..index].contains(key));
        (keys.len(), distinct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table past its capacity keeps nothing more, says it is full, and still finds what it
    /// holds; each key is there once; a value `make` cannot give leaves its slot free.
    #[test]
    fn a_full_table_keeps_nothing_more() {
        let table = InternTable::<u32, String, 4>::new();
        assert_eq!(table.intern_missing(9, || None), None);
        let kept: Vec<Option<usize>> = (0..6)
            .map(|key| {
                table
                    .intern_missing(key, || Some(format!("value {key}")))
                    .map(|(index, _)| index)
            })
            .collect();
        assert_eq!(kept, [Some(0), Some(1), Some(2), Some(3), None, None]);
        assert!(table.is_full());
        for key in 0..4 {
            let (index, value) = table.find(&key).unwrap();
            assert_eq!(index, key as usize);
            assert_eq!(value, &format!("value {key}"));
            assert_eq!(table.get(index), Some(value));
        }
        assert_eq!(table.find(&4), None);
        assert_eq!(table.find(&9), None);
        assert_eq!(table.count_and_distinct(), (4, true));
    }

    /// A key kept already is found, not kept twice, and `make` is not called for it.
    #[test]
    fn a_key_is_kept_once() {
        let table = InternTable::<u32, u32, 4>::new();
        assert_eq!(table.intern_missing(7, || Some(70)), Some((0, &70)));
        assert_eq!(
            table.intern_missing(7, || panic!("made twice")),
            Some((0, &70))
        );
        assert_eq!(table.count_and_distinct(), (1, true));
    }

    /// Threads that keep the same keys at once keep each once, and all find the same slot.
    #[test]
    fn threads_keep_a_key_once() {
        let table = InternTable::<u32, u32, 8>::new();
        let slots: Vec<Vec<usize>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        (0..4)
                            .map(|key| {
                                let found = table.find(&key).map(|(index, _)| index);
                                found.or_else(|| {
                                    table
                                        .intern_missing(key, || Some(key * 10))
                                        .map(|(index, _)| index)
                                })
                            })
                            .map(Option::unwrap)
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap())
                .collect()
        });
        assert!(slots.iter().all(|seen| seen == &slots[0]));
        assert_eq!(table.count_and_distinct(), (4, true));
    }
}
