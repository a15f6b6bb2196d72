//! The threads that run an ingest's CPU-heavy stage work (extracting pages, assembling
//! batches): one per core, at a lower scheduling priority than the rest of the process.
//!
//! Every article goes through the task that owns the database, and that task bounds the
//! pass, so it must never wait for a core behind extraction. With equal priorities a burst
//! of extractions took its core by fair scheduling (on 2 cores: 130 % CPU used of 200 %);
//! reserving it a core instead (cores - 1 extraction threads) left that core idle whenever
//! the writer waited for batches. At a lower priority the writer preempts extraction when it
//! has work, and extraction uses its core when it has none (BENCHMARKS.md, session 9).
//!
//! The threads are the pool's own, not tokio's blocking pool: a priority, once lowered, stays
//! with its thread, and the blocking pool's dozens of threads each took a malloc arena of
//! their own (a 50,000-article pass peaked 20 MB higher that way).
//!
//! Jobs run oldest feed first ([`Order`]), not in arrival order: a feed's batch reaches the
//! writer only once all its pages are extracted, and with arrival order the sixteen feeds in
//! flight advanced together and finished together, so the writer idled early in a pass and
//! had a dozen batches to store after extraction ended (BENCHMARKS.md, session 14).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};

type Job = Box<dyn FnOnce() + Send>;

/// Where a job goes in the queue: jobs of a lower order run first, jobs of one order in the
/// order given. An ingest takes one per feed ([`Order::next`]) when the feed's pages start,
/// so the pool finishes the oldest feed in flight before it helps younger ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Order(u64);

impl Order {
    /// An order after every order taken before it.
    pub(crate) fn next() -> Order {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Order(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// A queued job with its place: by order, then by arrival.
struct Queued {
    place: Reverse<(Order, u64)>,
    job: Job,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.place == other.place
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.place.cmp(&other.place)
    }
}

/// The jobs waiting: a max-heap of [`Queued`] (whose place is reversed, so the top is the
/// lowest order and the earliest arrival), and how many jobs have arrived so far.
#[derive(Default)]
struct Waiting {
    heap: BinaryHeap<Queued>,
    arrived: u64,
}

/// The pool's queue and the signal for idle threads.
#[derive(Default)]
struct Queue {
    waiting: Mutex<Waiting>,
    ready: Condvar,
}

impl Queue {
    fn push(&self, order: Order, job: Job) {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        let place = Reverse((order, waiting.arrived));
        waiting.arrived += 1;
        waiting.heap.push(Queued { place, job });
        drop(waiting);
        self.ready.notify_one();
    }

    /// The next job, waiting for one if there is none.
    fn pop(&self) -> Job {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(next) = waiting.heap.pop() {
                return next.job;
            }
            waiting = self.ready.wait(waiting).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// Stage work that panicked (or a pool that lost its threads), as a feed's internal error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Panicked(String);

/// Runs `work` on one of the pool's threads, in its place by `order`, and waits for its
/// result without blocking the runtime. If the pool could not start a single thread, the
/// work runs on tokio's blocking pool instead: at normal priority and as many at once as the
/// ingest's own bounds (feeds in flight, pages per feed) allow.
pub(crate) async fn on_cpu<T: Send + 'static>(
    order: Order,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Panicked> {
    let Some(queue) = pool() else {
        return tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| Panicked(e.to_string()));
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    queue.push(
        order,
        Box::new(move || {
            let _ = tx.send(catch_unwind(AssertUnwindSafe(work)));
        }),
    );
    match rx.await {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(panic)) => Err(Panicked(panic_message(panic.as_ref()))),
        Err(_) => Err(Panicked("an extraction thread stopped".into())),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into());
    format!("panicked: {what}")
}

/// The job queue, started on first use with one thread per core; `None` when no thread
/// could be started.
fn pool() -> Option<&'static Queue> {
    static POOL: OnceLock<Option<&'static Queue>> = OnceLock::new();
    *POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let queue: &'static Queue = Box::leak(Box::default());
        let started = (0..cores)
            .filter(|i| {
                std::thread::Builder::new()
                    .name(format!("feedmix-cpu-{i}"))
                    .spawn(move || work_loop(queue))
                    .map_err(|e| tracing::warn!(error = %e, "could not start an extraction thread"))
                    .is_ok()
            })
            .count();
        (started > 0).then_some(queue)
    })
}

/// A pool thread: lowers its priority, then runs jobs for the life of the process. A job
/// never panics out of its `catch_unwind`, so the queue's lock is never poisoned (and it
/// would still work if it were).
fn work_loop(queue: &Queue) {
    lower_priority();
    loop {
        (queue.pop())();
    }
}

/// How much lower than the process's priority the pool runs: `nice`'s default step.
#[cfg(target_os = "linux")]
const NICE_STEP: i32 = 10;

/// Lowers the calling thread's priority by [`NICE_STEP`] (to at most nice 19): Linux keeps a
/// nice value per thread. Elsewhere, and when the system refuses, priorities stay equal.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        let me = Some(rustix::thread::gettid());
        let lowered = getpriority_process(me)
            .and_then(|nice| setpriority_process(me, (nice + NICE_STEP).min(19)));
        if let Err(e) = lowered {
            tracing::debug!(error = %e, "extraction thread keeps its priority");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_job_is_an_error_and_the_pool_goes_on() {
        let err = on_cpu(Order::next(), || -> u32 { panic!("bad page") })
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "panicked: bad page");
        let order = Order::next();
        let results =
            futures_util::future::join_all((0..16).map(|i| on_cpu(order, move || i * 2))).await;
        let results: Vec<u32> = results.into_iter().map(Result::unwrap).collect();
        assert_eq!(results, (0..16).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn the_oldest_order_runs_first_then_arrival_order() {
        let queue = Queue::default();
        let ran = std::sync::Arc::new(Mutex::new(Vec::new()));
        let (old, young) = (Order::next(), Order::next());
        for (order, name) in [(young, "y1"), (old, "o1"), (young, "y2"), (old, "o2")] {
            let ran = ran.clone();
            queue.push(order, Box::new(move || ran.lock().unwrap().push(name)));
        }
        for _ in 0..4 {
            (queue.pop())();
        }
        assert_eq!(*ran.lock().unwrap(), ["o1", "o2", "y1", "y2"]);
        assert!(queue.waiting.lock().unwrap().heap.is_empty());
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn stage_work_runs_below_the_priority_of_the_rest() {
        use rustix::process::getpriority_process;
        use rustix::thread::gettid;
        let mine = getpriority_process(Some(gettid())).unwrap();
        for _ in 0..4 {
            let (theirs, name) = on_cpu(Order::next(), || {
                let name = std::thread::current().name().map(str::to_owned);
                (getpriority_process(Some(gettid())).unwrap(), name)
            })
            .await
            .unwrap();
            assert_eq!(theirs, (mine + NICE_STEP).min(19));
            assert!(name.unwrap_or_default().starts_with("feedmix-cpu-"));
        }
        // The calling thread (in an ingest, the database writer's) is not lowered.
        assert_eq!(getpriority_process(Some(gettid())).unwrap(), mine);
    }
}
