//! Politeness: at most N requests in flight per host and a minimum delay between two
//! requests to one host, shared by every feed poll and article fetch of a process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Per-host request gates.
#[derive(Debug)]
pub struct HostLimiter {
    concurrency: usize,
    delay: Duration,
    hosts: Mutex<HashMap<String, Arc<HostGate>>>,
}

#[derive(Debug)]
struct HostGate {
    slots: Arc<Semaphore>,
    next_start: Mutex<Instant>,
    delay: Mutex<Duration>,
}

/// Held while a request to a host is in flight; dropping it frees the slot.
#[derive(Debug)]
pub struct HostPermit {
    _permit: OwnedSemaphorePermit,
}

impl HostLimiter {
    /// `concurrency` requests at once per host, `delay` between request starts.
    pub fn new(concurrency: usize, delay: Duration) -> HostLimiter {
        HostLimiter {
            concurrency: concurrency.max(1),
            delay,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Raises the gap between requests to `host` to at least `delay` (robots.txt
    /// Crawl-delay); never lowers it below the configured one.
    pub fn raise_delay(&self, host: &str, delay: Duration) {
        let gate = self.gate(host);
        let mut current = gate.delay.lock().unwrap_or_else(|e| e.into_inner());
        *current = (*current).max(delay);
    }

    fn gate(&self, host: &str) -> Arc<HostGate> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts
            .entry(host.to_ascii_lowercase())
            .or_insert_with(|| {
                Arc::new(HostGate {
                    slots: Arc::new(Semaphore::new(self.concurrency)),
                    next_start: Mutex::new(Instant::now()),
                    delay: Mutex::new(self.delay),
                })
            })
            .clone()
    }

    /// Waits for a free slot on `host` and for its delay to pass.
    pub async fn acquire(&self, host: &str) -> HostPermit {
        let gate = self.gate(host);
        let permit = gate
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("host semaphores are never closed");
        let start = {
            let mut next = gate.next_start.lock().unwrap_or_else(|e| e.into_inner());
            let delay = *gate.delay.lock().unwrap_or_else(|e| e.into_inner());
            let start = (*next).max(Instant::now());
            *next = start + delay;
            start
        };
        tokio::time::sleep_until(start).await;
        HostPermit { _permit: permit }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn spaces_requests_to_one_host() {
        let limiter = HostLimiter::new(2, Duration::from_millis(250));
        let t0 = Instant::now();
        let _a = limiter.acquire("example.com").await;
        let _b = limiter.acquire("EXAMPLE.com").await;
        assert!(t0.elapsed() >= Duration::from_millis(250));
        let _c = limiter.acquire("other.org").await;
        assert!(t0.elapsed() < Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn caps_concurrency_per_host() {
        let limiter = Arc::new(HostLimiter::new(1, Duration::ZERO));
        let first = limiter.acquire("h").await;
        let l2 = limiter.clone();
        let waiter = tokio::spawn(async move { l2.acquire("h").await });
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(!waiter.is_finished());
        drop(first);
        waiter.await.unwrap();
    }
}
