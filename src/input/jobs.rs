//! One ordered pool of decode jobs, shared by the parallel decoders ([`decode`](super::decode))
//! and the zip members decoded ahead ([`zip_ahead`](super::zip_ahead)). Both cut their input
//! into independent jobs known up front (the frames or members of one file; the members of the
//! zips on the command line), decode them on background threads, and hand the results to a
//! consumer that reads one stream.
//!
//! - **Own threads, not rayon's.** The parser keeps every rayon thread busy; a decode job queued
//!   there would wait behind the very parse it has to feed, or hold a parse thread while it
//!   waits for the consumer. The pool runs `Bounds::threads` plain std threads that sleep on a
//!   condition variable when there is nothing they may claim.
//! - **In order.** The consumer reads a stream, so results are taken in job order. Workers also
//!   claim jobs in order, so the job the consumer waits for is always running or the next one
//!   claimed, never queued behind later jobs.
//! - **Bounded.** A worker claims the next job only while it is fewer than `Bounds::window`
//!   jobs ahead of the consumer and the estimated bytes ([`Jobs::cost`]) of claimed jobs not yet
//!   taken stay within `Bounds::budget`. One job alone may always go, so a budget below a job's
//!   cost cannot stall. A result the consumer has taken is the consumer's and comes on top.
//! - **Skipping.** The consumer may move past jobs (a gzip job that began at a false member
//!   header; a zip member it streams itself): their results are dropped, and those no worker
//!   claimed yet never run.
//! - **Panics** in a job are caught: the job's place holds [`Taken::Panicked`], in order, and
//!   its worker carries on with fresh state. The consumer gets an error, never a hang or an
//!   abort.
//! - **Cancellation.** Dropping the pool (or [`Pool::cancel`]) stops all claims, raises the
//!   [`Cancel`] flag that long jobs poll, wakes every waiting thread and joins the workers.
//!
//! The lock is taken a few times per job, never per byte: jobs are megabytes, so a
//! Mutex/Condvar queue costs nothing measurable next to the decoding.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// The work of one pool: a fixed list of jobs, numbered in the order the consumer takes them.
pub trait Jobs: Send + Sync + 'static {
    /// What a worker keeps from one job to the next (a decoder context, an open archive). A
    /// panic may leave it half-updated, so the worker starts over with a fresh one.
    type Worker: Default;
    type Output: Send + 'static;

    fn count(&self) -> usize;

    /// Estimated bytes job `job` holds from the moment it is claimed until it is taken.
    fn cost(&self, job: usize) -> u64;

    /// Runs job `job`. Long jobs poll `cancel` and give up once it is raised; what they return
    /// then is dropped.
    fn run(&self, job: usize, worker: &mut Self::Worker, cancel: &Cancel) -> Self::Output;

    /// Bytes of the budget a finished job keeps until taken (at most its cost): a job that
    /// failed and dropped its buffer gives its share back at once.
    fn held(&self, job: usize, _output: &Self::Output) -> u64 {
        self.cost(job)
    }
}

/// How wide and how far ahead of its consumer a pool runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Worker threads (never more than there are jobs).
    pub threads: usize,
    /// Jobs claimed and not yet taken, counted from the first one the consumer has not taken.
    pub window: usize,
    /// Estimated bytes of claimed jobs not yet taken.
    pub budget: u64,
}

/// Raised when the pool is cancelled or dropped; long jobs poll it between steps.
#[derive(Debug, Default)]
pub struct Cancel(AtomicBool);

impl Cancel {
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What the consumer gets for a job.
#[derive(Debug)]
pub enum Taken<T> {
    Done(T),
    /// The job panicked; report it as an error at this place.
    Panicked,
    /// No result will come: the job was not claimed when [`Pool::take_if_started`] asked, or
    /// the pool was cancelled. The consumer does the job itself (or gives up).
    Skipped,
}

enum Slot<T> {
    /// A finished job's output and the bytes of the budget it still holds.
    Done(T, u64),
    Panicked,
}

impl<T> Slot<T> {
    fn held(&self) -> u64 {
        match self {
            Slot::Done(_, held) => *held,
            Slot::Panicked => 0,
        }
    }
}

struct State<T> {
    /// The next job a worker may claim; jobs are claimed in order.
    next: usize,
    /// The first job the consumer has neither taken nor passed; results before it are unwanted.
    at: usize,
    /// Budget bytes of claimed jobs not yet taken: the costs of running jobs, the `held` of
    /// finished ones.
    held: u64,
    results: BTreeMap<usize, Slot<T>>,
    stopped: bool,
}

struct Shared<J: Jobs> {
    jobs: Arc<J>,
    bounds: Bounds,
    state: Mutex<State<J::Output>>,
    /// A result arrived or the pool stopped (the consumer waits on it).
    ready: Condvar,
    /// The consumer moved on, budget came back or the pool stopped (workers wait on it).
    room: Condvar,
    cancel: Cancel,
}

/// The workers of one pool. Dropping it cancels the jobs and joins the workers.
pub struct Pool<J: Jobs> {
    shared: Arc<Shared<J>>,
    workers: Vec<JoinHandle<()>>,
}

impl<J: Jobs> Pool<J> {
    /// Starts the workers, named `name-0`, `name-1`, ... `None` when there are no jobs or no
    /// thread could start: the caller then does the work itself, as it would without a pool.
    /// Fewer threads than asked for is still correct, only slower.
    pub fn start(name: &str, jobs: Arc<J>, bounds: Bounds) -> Option<Pool<J>> {
        let bounds = Bounds { threads: bounds.threads.min(jobs.count()), window: bounds.window.max(1), ..bounds };
        let shared = Arc::new(Shared {
            jobs,
            bounds,
            state: Mutex::new(State { next: 0, at: 0, held: 0, results: BTreeMap::new(), stopped: false }),
            ready: Condvar::new(),
            room: Condvar::new(),
            cancel: Cancel::default(),
        });
        let mut workers = Vec::with_capacity(bounds.threads);
        for i in 0..bounds.threads {
            let s = shared.clone();
            match std::thread::Builder::new().name(format!("{name}-{i}")).spawn(move || s.work()) {
                Ok(h) => workers.push(h),
                Err(_) => break,
            }
        }
        (!workers.is_empty()).then_some(Pool { shared, workers })
    }

    pub fn jobs(&self) -> &J {
        &self.shared.jobs
    }

    /// Waits for job `job`'s result. Jobs are taken in increasing order; the results of jobs
    /// passed over are dropped and the unclaimed ones among them never run.
    pub fn take(&self, job: usize) -> Taken<J::Output> {
        let mut st = self.shared.lock();
        self.shared.pass(&mut st, job);
        self.shared.wait_for(st, job)
    }

    /// Like [`take`](Self::take) when a worker has claimed job `job`; otherwise the workers are
    /// behind, so the job is passed over (it never runs) and the consumer does it itself.
    pub fn take_if_started(&self, job: usize) -> Taken<J::Output> {
        let mut st = self.shared.lock();
        if st.next <= job {
            self.shared.pass(&mut st, job + 1);
            return Taken::Skipped;
        }
        self.shared.pass(&mut st, job);
        self.shared.wait_for(st, job)
    }

    /// Stops the pool early (the consumer failed and reads no further): no more claims,
    /// waiting results dropped, running jobs told to give up.
    pub fn cancel(&self) {
        let dropped = {
            let mut st = self.shared.lock();
            st.stopped = true;
            self.shared.cancel.0.store(true, Ordering::Relaxed);
            st.held = 0;
            std::mem::take(&mut st.results)
        };
        self.shared.room.notify_all();
        self.shared.ready.notify_all();
        drop(dropped);
    }
}

impl<J: Jobs> Drop for Pool<J> {
    fn drop(&mut self) {
        self.cancel();
        for h in self.workers.drain(..) {
            // A worker catches its jobs' panics, so joining only fails if the pool itself has a
            // bug; the consumer is going away either way.
            let _ = h.join();
        }
    }
}

impl<J: Jobs> Shared<J> {
    fn lock(&self) -> MutexGuard<'_, State<J::Output>> {
        // Jobs run outside the lock and their panics are caught, so a poisoned lock carries no
        // information: the state is consistent between statements.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the consumer to `job`: results before it are dropped, unclaimed jobs before it
    /// are skipped, and the window moves on.
    fn pass(&self, st: &mut State<J::Output>, job: usize) {
        debug_assert!(job >= st.at, "jobs are taken in increasing order");
        if job <= st.at {
            return;
        }
        let kept = st.results.split_off(&job);
        let passed = std::mem::replace(&mut st.results, kept);
        st.held -= passed.values().map(Slot::held).sum::<u64>();
        st.at = job;
        st.next = st.next.max(job);
        self.room.notify_all();
    }

    /// Waits until job `job` (claimed, or about to be) has a result, and takes it.
    fn wait_for(&self, mut st: MutexGuard<'_, State<J::Output>>, job: usize) -> Taken<J::Output> {
        loop {
            if let Some(slot) = st.results.remove(&job) {
                st.held -= slot.held();
                st.at = job + 1;
                self.room.notify_all();
                return match slot {
                    Slot::Done(out, _) => Taken::Done(out),
                    Slot::Panicked => Taken::Panicked,
                };
            }
            // A job past the end would never come; a stopped pool files no more results.
            if st.stopped || job >= self.jobs.count() {
                return Taken::Skipped;
            }
            st = self.ready.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// A worker: claims jobs in order while the window and the budget allow, runs them, files
    /// the results, until there are no jobs left or the pool stops.
    fn work(&self) {
        let mut worker = J::Worker::default();
        let count = self.jobs.count();
        loop {
            let (job, cost) = {
                let mut st = self.lock();
                loop {
                    if st.stopped || st.next >= count {
                        return;
                    }
                    let job = st.next;
                    let cost = self.jobs.cost(job);
                    let in_window = job < st.at.saturating_add(self.bounds.window);
                    let in_budget = st.held == 0 || st.held.saturating_add(cost) <= self.bounds.budget;
                    if in_window && in_budget {
                        st.next += 1;
                        st.held += cost;
                        debug_assert!(st.held <= self.bounds.budget.max(cost), "the budget holds");
                        break (job, cost);
                    }
                    st = self.room.wait(st).unwrap_or_else(|e| e.into_inner());
                }
            };
            let slot = match catch_unwind(AssertUnwindSafe(|| {
                let out = self.jobs.run(job, &mut worker, &self.cancel);
                let held = self.jobs.held(job, &out).min(cost);
                (out, held)
            })) {
                Ok((out, held)) => Slot::Done(out, held),
                Err(_) => {
                    worker = J::Worker::default();
                    Slot::Panicked
                }
            };
            let unwanted = {
                let mut st = self.lock();
                if st.stopped {
                    // `cancel` already gave the whole budget back.
                    Some(slot)
                } else if job < st.at {
                    st.held -= cost;
                    self.room.notify_all();
                    Some(slot)
                } else {
                    st.held -= cost - slot.held();
                    st.results.insert(job, slot);
                    self.ready.notify_all();
                    self.room.notify_all();
                    None
                }
            };
            // Outside the lock: dropping a result may free a large buffer.
            drop(unwanted);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;
    use std::time::{Duration, Instant};

    /// Test jobs: job `i` sleeps `delay(i)` microseconds and returns `i`; a job listed in
    /// `panics` panics instead; `live` counts the cost of jobs between their start and the
    /// moment the consumer takes their output (it drops its `Live`).
    struct Numbers {
        count: usize,
        cost: u64,
        delay: fn(usize) -> u64,
        panics: Vec<usize>,
        live: Arc<AtomicU64>,
        peak: AtomicU64,
        /// Set when a job runs until it is cancelled.
        endless: bool,
    }

    /// A job's output: holds `cost` bytes of the `live` count until dropped.
    #[derive(Debug)]
    struct Live {
        job: usize,
        cost: u64,
        live: Arc<AtomicU64>,
    }

    impl Drop for Live {
        fn drop(&mut self) {
            self.live.fetch_sub(self.cost, Ordering::SeqCst);
        }
    }

    /// How many jobs a worker ran since its last fresh state.
    #[derive(Default)]
    struct Runs(usize);

    impl Jobs for Numbers {
        type Worker = Runs;
        type Output = (Live, usize);

        fn count(&self) -> usize {
            self.count
        }

        fn cost(&self, _job: usize) -> u64 {
            self.cost
        }

        fn run(&self, job: usize, worker: &mut Runs, cancel: &Cancel) -> (Live, usize) {
            let now = self.live.fetch_add(self.cost, Ordering::SeqCst) + self.cost;
            self.peak.fetch_max(now, Ordering::SeqCst);
            let live = Live { job, cost: self.cost, live: self.live.clone() };
            worker.0 += 1;
            if self.panics.contains(&job) {
                panic!("test job {job} panics");
            }
            std::thread::sleep(Duration::from_micros((self.delay)(job)));
            while self.endless && !cancel.is_cancelled() {
                std::thread::sleep(Duration::from_millis(1));
            }
            (live, worker.0)
        }
    }

    fn numbers(count: usize, delay: fn(usize) -> u64) -> Numbers {
        Numbers { count, cost: 10, delay, panics: Vec::new(), live: Arc::new(AtomicU64::new(0)), peak: AtomicU64::new(0), endless: false }
    }

    #[test]
    fn results_come_back_in_order_whatever_the_durations() {
        // Later jobs often finish first: durations from 0 to 3 ms in a scrambled pattern.
        let delay: fn(usize) -> u64 = |i| (i as u64 * 7919 % 13) * 250;
        for threads in [1, 2, 5] {
            let pool = Pool::start("test", Arc::new(numbers(60, delay)), Bounds { threads, window: 7, budget: u64::MAX }).unwrap();
            for i in 0..60 {
                match pool.take(i) {
                    Taken::Done((live, _)) => assert_eq!(live.job, i, "{threads} threads"),
                    other => panic!("job {i}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn a_panicking_job_is_an_error_at_its_place() {
        let jobs = Numbers { panics: vec![3, 4], ..numbers(10, |_| 100) };
        let pool = Pool::start("test", Arc::new(jobs), Bounds { threads: 1, window: 3, budget: u64::MAX }).unwrap();
        for i in 0..10 {
            match pool.take(i) {
                Taken::Panicked => assert!(i == 3 || i == 4, "job {i}"),
                // One worker ran them all in order, starting over after each panic.
                Taken::Done((live, runs)) => {
                    assert_eq!(live.job, i);
                    assert_eq!(runs, if i < 3 { i + 1 } else { i - 4 });
                }
                Taken::Skipped => panic!("job {i} skipped"),
            }
        }
    }

    #[test]
    fn passing_over_jobs_drops_or_skips_them() {
        let pool = Pool::start("test", Arc::new(numbers(20, |_| 0)), Bounds { threads: 2, window: 4, budget: u64::MAX }).unwrap();
        assert!(matches!(pool.take(5), Taken::Done((ref l, _)) if l.job == 5));
        // Job 6 is claimed by now or about to be; far ahead of the workers, job 19 is not.
        assert!(matches!(pool.take_if_started(19), Taken::Skipped));
        drop(pool);
    }

    #[test]
    fn the_budget_bounds_the_bytes_in_flight() {
        for (threads, budget) in [(4, 30), (4, 10), (3, 25), (8, 1)] {
            let jobs = Arc::new(numbers(80, |i| (i % 4) as u64 * 200));
            let pool = Pool::start("test", jobs.clone(), Bounds { threads, window: 100, budget }).unwrap();
            for i in 0..80 {
                let Taken::Done((live, _)) = pool.take(i) else { panic!("job {i}") };
                // The consumer's own output comes on top of the budget until it drops it.
                drop(live);
            }
            // One job alone may exceed a tiny budget; otherwise the budget holds, plus the
            // one output the consumer was holding.
            let peak = jobs.peak.load(Ordering::SeqCst);
            assert!(peak <= budget.max(jobs.cost) + jobs.cost, "{threads} threads, budget {budget}: peak {peak}");
            assert_eq!(jobs.live.load(Ordering::SeqCst), 0);
        }
    }

    #[test]
    fn the_window_bounds_the_jobs_in_flight() {
        let jobs = Arc::new(numbers(50, |_| 300));
        let pool = Pool::start("test", jobs.clone(), Bounds { threads: 8, window: 3, budget: u64::MAX }).unwrap();
        for i in 0..50 {
            let Taken::Done((live, _)) = pool.take(i) else { panic!("job {i}") };
            drop(live);
        }
        assert!(jobs.peak.load(Ordering::SeqCst) <= 4 * jobs.cost);
    }

    #[test]
    fn dropping_the_pool_early_returns_promptly() {
        // Endless jobs only stop when cancelled; hundreds more are queued behind them.
        let jobs = Numbers { endless: true, ..numbers(500, |_| 0) };
        let pool = Pool::start("test", Arc::new(jobs), Bounds { threads: 4, window: 8, budget: u64::MAX }).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let started = Instant::now();
        drop(pool);
        assert!(started.elapsed() < Duration::from_secs(5), "drop took {:?}", started.elapsed());

        // Workers blocked on the window (nothing taken) are woken too.
        let pool = Pool::start("test", Arc::new(numbers(500, |_| 0)), Bounds { threads: 4, window: 2, budget: u64::MAX }).unwrap();
        assert!(matches!(pool.take(0), Taken::Done(_)));
        let started = Instant::now();
        drop(pool);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn cancelled_pools_answer_skipped() {
        let jobs = Numbers { endless: true, ..numbers(10, |_| 0) };
        let pool = Pool::start("test", Arc::new(jobs), Bounds { threads: 2, window: 4, budget: u64::MAX }).unwrap();
        pool.cancel();
        assert!(matches!(pool.take(0), Taken::Skipped));
    }
}
