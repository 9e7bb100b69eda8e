//! Random identifiers: the generated container names of `run`, this process's cleanup session
//! and the WebSocket handshake's key. None is a secret; each only has to differ from every other
//! process's and call's. std's `RandomState` already reads the operating system's source (once
//! per thread) for its hash keys, and every new one hashes differently, so one hash from a fresh
//! `RandomState` is the value: no crate to build for it.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

/// 64 random bits: a per-process counter hashed with a fresh `RandomState`'s keys (random per
/// thread, and moved on by every `RandomState::new`).
pub(crate) fn u64() -> u64 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    RandomState::new().hash_one(CALLS.fetch_add(1, Ordering::Relaxed))
}

/// 16 random bytes, as [`u64`] gets them.
#[cfg(feature = "websocket")]
pub(crate) fn bytes16() -> [u8; 16] {
    let mut bytes = [0; 16];
    bytes[..8].copy_from_slice(&u64().to_le_bytes());
    bytes[8..].copy_from_slice(&u64().to_le_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_differ_from_call_to_call_and_thread_to_thread() {
        let mut values: std::collections::HashSet<u64> = (0..64).map(|_| u64()).collect();
        let others: Vec<u64> = std::thread::spawn(|| (0..64).map(|_| u64()).collect())
            .join()
            .unwrap();
        values.extend(others);
        assert_eq!(values.len(), 128);
        // All 64 bits are used, not a counter's low ones.
        assert!(values.iter().any(|v| v >> 56 != 0));
    }
}
