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

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Mutex, OnceLock};

type Job = Box<dyn FnOnce() + Send>;

/// Stage work that panicked (or a pool that lost its threads), as a feed's internal error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Panicked(String);

/// Runs `work` on one of the pool's threads and waits for its result without blocking the
/// runtime. Jobs queue in the order given. If the pool could not start a single thread, the
/// work runs on tokio's blocking pool instead: at normal priority and as many at once as the
/// ingest's own bounds (feeds in flight, pages per feed) allow.
pub(crate) async fn on_cpu<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Panicked> {
    let Some(jobs) = pool() else {
        return tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| Panicked(e.to_string()));
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(catch_unwind(AssertUnwindSafe(work)));
    });
    if jobs.send(job).is_err() {
        return Err(Panicked("the extraction threads have stopped".into()));
    }
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
fn pool() -> Option<&'static Sender<Job>> {
    static POOL: OnceLock<Option<Sender<Job>>> = OnceLock::new();
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (tx, rx) = mpsc::channel::<Job>();
        let rx: &'static Mutex<Receiver<Job>> = Box::leak(Box::new(Mutex::new(rx)));
        let started = (0..cores)
            .filter(|i| {
                std::thread::Builder::new()
                    .name(format!("feedmix-cpu-{i}"))
                    .spawn(move || work_loop(rx))
                    .map_err(|e| tracing::warn!(error = %e, "could not start an extraction thread"))
                    .is_ok()
            })
            .count();
        (started > 0).then_some(tx)
    })
    .as_ref()
}

/// A pool thread: lowers its priority, then runs jobs until the queue is gone.
fn work_loop(jobs: &Mutex<Receiver<Job>>) {
    lower_priority();
    loop {
        // The lock is held only while waiting for the next job. A job never panics out of
        // its `catch_unwind`, so the lock is never poisoned; if it were, the queue still works.
        let next = jobs.lock().unwrap_or_else(|p| p.into_inner()).recv();
        match next {
            Ok(job) => job(),
            Err(_) => return,
        }
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
        let err = on_cpu(|| -> u32 { panic!("bad page") }).await.unwrap_err();
        assert_eq!(err.to_string(), "panicked: bad page");
        let results = futures_util::future::join_all((0..16).map(|i| on_cpu(move || i * 2))).await;
        let results: Vec<u32> = results.into_iter().map(Result::unwrap).collect();
        assert_eq!(results, (0..16).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn stage_work_runs_below_the_priority_of_the_rest() {
        use rustix::process::getpriority_process;
        use rustix::thread::gettid;
        let mine = getpriority_process(Some(gettid())).unwrap();
        for _ in 0..4 {
            let (theirs, name) = on_cpu(|| {
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
