//! Random identifiers: the generated container names of `run`, this process's cleanup session
//! and the WebSocket handshake's key. None is a secret; each only has to differ from every other
//! process's, so the operating system's source is read directly (getrandom) rather than through
//! a generator crate.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// 64 random bits. Where the OS has no source to read (a sandbox without `getrandom(2)` or
/// `/dev/urandom`), the clock, the process id and a per-process counter, which still differ
/// between calls and between processes, instead of a panic.
pub(crate) fn u64() -> u64 {
    getrandom::u64().unwrap_or_else(|_| fallback())
}

/// 16 random bytes, as [`u64`] gets them.
#[cfg(feature = "websocket")]
pub(crate) fn bytes16() -> [u8; 16] {
    let mut bytes = [0; 16];
    bytes[..8].copy_from_slice(&u64().to_le_bytes());
    bytes[8..].copy_from_slice(&u64().to_le_bytes());
    bytes
}

fn fallback() -> u64 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    // The golden-ratio multiplier spreads consecutive counts over all 64 bits.
    nanos ^ (u64::from(std::process::id()) << 40) ^ call.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_differ_from_call_to_call() {
        let values: std::collections::HashSet<u64> = (0..64).map(|_| u64()).collect();
        assert_eq!(values.len(), 64);
        let fallbacks: std::collections::HashSet<u64> = (0..64).map(|_| fallback()).collect();
        assert_eq!(
            fallbacks.len(),
            64,
            "the fallback differs between calls too"
        );
    }
}
