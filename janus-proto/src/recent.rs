//! A bounded memory of recently finished things (transactions, sessions, handles).

use std::collections::{BTreeMap, VecDeque};

/// Remembers up to `cap` keys with a value; the oldest is forgotten first.
#[derive(Debug, Clone)]
pub(crate) struct Recent<K: Ord + Copy, V> {
    cap: usize,
    order: VecDeque<K>,
    map: BTreeMap<K, V>,
}

impl<K: Ord + Copy, V> Recent<K, V> {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            cap,
            order: VecDeque::new(),
            map: BTreeMap::new(),
        }
    }

    pub(crate) fn insert(&mut self, key: K, value: V) {
        if self.cap == 0 {
            return;
        }
        if self.map.insert(key, value).is_none() {
            self.order.push_back(key);
        }
        while self.map.len() > self.cap {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
        // Keys removed through `remove` leave stale entries in `order`; drop them lazily.
        if self.order.len() > self.cap.saturating_mul(2) {
            let map = &self.map;
            self.order.retain(|k| map.contains_key(k));
        }
    }

    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key)
    }

    pub(crate) fn contains(&self, key: &K) -> bool {
        self.map.contains_key(key)
    }

    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        self.map.remove(key)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgets_the_oldest_first_and_stays_bounded() {
        let mut r = Recent::new(3);
        for i in 0..10u32 {
            r.insert(i, ());
            r.remove(&(i.saturating_sub(1)));
        }
        assert!(r.len() <= 3);
        let mut r = Recent::new(2);
        r.insert(1, 'a');
        r.insert(2, 'b');
        r.insert(3, 'c');
        assert!(!r.contains(&1));
        assert_eq!(r.get(&3), Some(&'c'));
        assert!(r.order.len() <= 4);
    }
}
