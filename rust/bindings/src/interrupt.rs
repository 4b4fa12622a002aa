//! Running core work off the Python thread: the GIL is released, the work runs on a worker
//! thread, and the calling thread polls for Ctrl-C and forwards progress to a Python callback.
//! Python signal handlers only run on the main thread, which is why the roles are split this way.

use crate::errors::{to_py_err, RackflowError};
use pyo3::prelude::*;
use rackflow_core::Monitor;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Mutex;
use std::time::{Duration, Instant};

type Progress = (usize, Vec<(String, f64)>);

struct ChannelMonitor<'a> {
    stop: &'a AtomicBool,
    progress: Mutex<Sender<Progress>>,
}

impl Monitor for ChannelMonitor<'_> {
    fn should_stop(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
    fn progress(&self, iteration: usize, residuals: &[(&str, f64)]) {
        if let Ok(tx) = self.progress.lock() {
            let _ = tx.send((
                iteration,
                residuals.iter().map(|(n, r)| (n.to_string(), *r)).collect(),
            ));
        }
    }
}

/// Run `work` with the GIL released; Ctrl-C stops it cleanly, `callback(iteration, residuals)`
/// receives progress, and a panic becomes a `RackflowError` instead of aborting Python.
pub fn run<T: Send>(
    py: Python<'_>,
    callback: Option<Py<PyAny>>,
    work: impl FnOnce(&dyn Monitor) -> rackflow_core::Result<T> + Send,
) -> PyResult<T> {
    run_keeping(
        py,
        callback,
        |m| work(m).map_err(|e| (e, ())),
        |_| (),
        |_, _, ()| {},
    )
}

/// [`run`] for work whose failure keeps something (`K`: a transient run's completed steps):
/// `keep(py, err, kept)` attaches it to the exception raised, the core's error or the one a
/// callback or Ctrl-C raised while the work ran (the work may then have finished before it saw
/// the stop: `finished` makes its result the thing kept).
pub fn run_keeping<T: Send, K: Send>(
    py: Python<'_>,
    callback: Option<Py<PyAny>>,
    work: impl FnOnce(&dyn Monitor) -> Result<T, (rackflow_core::Error, K)> + Send,
    finished: impl FnOnce(T) -> K,
    keep: impl FnOnce(Python<'_>, &PyErr, K),
) -> PyResult<T> {
    let stop = AtomicBool::new(false);
    let mut raised: Option<PyErr> = None;
    let (tx, rx) = channel::<Progress>();
    let stop_ref = &stop;
    let raised_ref = &mut raised;
    let callback_ref = &callback;
    let outcome = py.detach(move || {
        std::thread::scope(move |scope| {
            let handle = scope.spawn(move || {
                let monitor = ChannelMonitor {
                    stop: stop_ref,
                    progress: Mutex::new(tx),
                };
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&monitor)))
            });
            // signals are checked every 50 ms whether or not progress keeps arriving: a solve
            // that reports faster than that must still stop on Ctrl-C
            let mut last_check = Instant::now();
            loop {
                let received = rx.recv_timeout(Duration::from_millis(50));
                if let Err(RecvTimeoutError::Disconnected) = received {
                    break;
                }
                if let (Ok((iteration, residuals)), Some(cb)) = (received, callback_ref) {
                    Python::attach(|py| {
                        if let Err(e) = cb.call1(
                            py,
                            (
                                iteration,
                                residuals
                                    .into_iter()
                                    .collect::<std::collections::HashMap<_, _>>(),
                            ),
                        ) {
                            raised_ref.get_or_insert(e);
                            stop_ref.store(true, Ordering::Relaxed);
                        }
                    });
                }
                if last_check.elapsed() >= Duration::from_millis(50) {
                    last_check = Instant::now();
                    Python::attach(|py| {
                        if let Err(e) = py.check_signals() {
                            raised_ref.get_or_insert(e);
                            stop_ref.store(true, Ordering::Relaxed);
                        }
                    });
                }
            }
            handle.join()
        })
    });
    if let Some(e) = raised {
        match outcome {
            Ok(Ok(Err((_, kept)))) => keep(py, &e, kept),
            Ok(Ok(Ok(result))) => keep(py, &e, finished(result)),
            _ => {}
        }
        return Err(e);
    }
    match outcome {
        Ok(Ok(Ok(result))) => Ok(result),
        Ok(Ok(Err((e, kept)))) => {
            let err = to_py_err(py, e);
            keep(py, &err, kept);
            Err(err)
        }
        Ok(Err(panic)) | Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(RackflowError::new_err(format!(
                "internal error in the rackflow core (please report): {text}"
            )))
        }
    }
}
