//! One operation at a time per order: creates, queries and refunds of the same merchant's
//! `merchantTransactionId` are serialised inside this proxy, so a retry that races the first
//! send waits for it instead of sending beside it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use pingpong_protocol::MerchantId;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// Locks keyed by order id; entries disappear when nobody holds or waits for them.
#[derive(Default)]
pub(crate) struct KeyedLocks {
    map: Mutex<HashMap<String, Arc<AsyncMutex<()>>>>,
}

/// Held while an operation on one order runs.
pub(crate) struct KeyGuard<'a> {
    locks: &'a KeyedLocks,
    key: String,
    guard: Option<OwnedMutexGuard<()>>,
}

impl KeyedLocks {
    /// Waits for the lock of the merchant's order `key`.
    pub(crate) async fn lock(&self, merchant: &MerchantId, key: &str) -> KeyGuard<'_> {
        // Ids hold no NUL: the pair is unambiguous.
        let key = format!("{merchant}\0{key}");
        let entry = {
            let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(key.clone()).or_default().clone()
        };
        let guard = entry.lock_owned().await;
        KeyGuard {
            locks: self,
            key,
            guard: Some(guard),
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.lock().unwrap().len()
    }
}

impl Drop for KeyGuard<'_> {
    fn drop(&mut self) {
        let mut map = self.locks.map.lock().unwrap_or_else(|p| p.into_inner());
        self.guard.take();
        if map
            .get(&self.key)
            .is_some_and(|e| Arc::strong_count(e) == 1)
        {
            map.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn serialises_one_key_and_cleans_up() {
        let locks = Arc::new(KeyedLocks::default());
        let m = MerchantId::new("m1").unwrap();
        let g = locks.lock(&m, "a").await;
        let other = locks.lock(&m, "b").await;
        let elsewhere = locks.lock(&MerchantId::new("m2").unwrap(), "a").await;
        let l2 = locks.clone();
        let waiter = tokio::spawn(async move {
            let _g = l2.lock(&MerchantId::new("m1").unwrap(), "a").await;
        });
        // The waiter cannot finish while "a" is held.
        assert!(
            tokio::time::timeout(Duration::from_millis(50), async {
                while !waiter.is_finished() {
                    tokio::task::yield_now().await;
                }
            })
            .await
            .is_err()
        );
        drop(g);
        drop(other);
        drop(elsewhere);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(locks.len(), 0);
    }
}
