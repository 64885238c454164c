//! Lets the reader thread run first.
//!
//! A gzipped archive is inflated on one thread (a deflate stream cannot be split), and that
//! thread's pace bounds the whole scan. With a worker per core, the reader, the workers and the
//! aggregator share the cores evenly, so on two cores the reader got about two thirds of one
//! and the workers waited for it. Workers one step less favoured (a higher nice value) give the
//! reader a core of its own whenever it has work, and take the rest: the varied 100k-task
//! archive gzipped took 0.91x the time (1.72 against 1.90 s, 5 pairs), plain input the same.

/// How much less the scheduler favours a worker than the thread that started it.
const WORKER_NICE_STEP: i32 = 5;
/// The least favoured nice value.
const MAX_NICE: i32 = 19;

/// Lowers the calling thread's priority (never raises it, and never the process's: on Linux a
/// nice value belongs to one thread). Elsewhere it does nothing: there it would apply to the
/// whole process.
pub fn yield_to_other_threads() {
    #[cfg(target_os = "linux")]
    linux::lower_this_thread(WORKER_NICE_STEP);
}

#[cfg(target_os = "linux")]
mod linux {
    use std::ffi::{c_int, c_uint};

    /// `PRIO_PROCESS` (`<sys/resource.h>`); with `who` 0, the calling thread on Linux.
    const PRIO_PROCESS: c_int = 0;

    unsafe extern "C" {
        fn getpriority(which: c_int, who: c_uint) -> c_int;
        fn setpriority(which: c_int, who: c_uint, prio: c_int) -> c_int;
    }

    /// This thread's nice value.
    pub fn this_thread_nice() -> i32 {
        // SAFETY: reads the calling thread's scheduling priority; no memory is passed.
        unsafe { getpriority(PRIO_PROCESS, 0) }
    }

    pub fn lower_this_thread(step: i32) {
        let now = this_thread_nice();
        let wanted = (now + step).min(super::MAX_NICE);
        if wanted > now {
            // Raising one's own nice value needs no privilege; if it fails anyway the worker
            // runs as before, only the reader is slower.
            // SAFETY: sets the calling thread's scheduling priority; no memory is passed.
            unsafe { setpriority(PRIO_PROCESS, 0, wanted) };
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn only_the_calling_thread_yields() {
        let before = linux::this_thread_nice();
        let worker = std::thread::spawn(|| {
            let started = linux::this_thread_nice();
            yield_to_other_threads();
            (started, linux::this_thread_nice())
        });
        let (started, lowered) = worker.join().unwrap();
        assert_eq!(started, before, "a new thread starts as its parent");
        assert_eq!(lowered, (started + WORKER_NICE_STEP).min(MAX_NICE));
        assert_eq!(
            linux::this_thread_nice(),
            before,
            "the calling thread is untouched"
        );
    }
}
