//! What the core leaves to its edge: glibc allocator tuning and `RACKFLOW_PROFILE` phase timing.

/// Install the core's hooks (see `rackflow_core::Hooks`).
pub fn install() {
    rackflow_core::install_hooks(rackflow_core::Hooks {
        release_free_memory,
        keep_work_memory,
        phase,
    });
}

fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: malloc_trim only returns free pages to the kernel; it is thread-safe.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Let the heap, not fresh `mmap`s, serve allocations up to 256 MiB and keep up to 256 MiB of
/// freed memory for reuse (glibc's `M_MMAP_THRESHOLD`, `M_TRIM_THRESHOLD`; process-wide).
fn keep_work_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn mallopt(
                param: std::os::raw::c_int,
                value: std::os::raw::c_int,
            ) -> std::os::raw::c_int;
        }
        const M_TRIM_THRESHOLD: std::os::raw::c_int = -1;
        const M_MMAP_THRESHOLD: std::os::raw::c_int = -3;
        const LIMIT: std::os::raw::c_int = 256 << 20;
        // SAFETY: mallopt only changes glibc's allocation thresholds; it is thread-safe.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, LIMIT);
            mallopt(M_TRIM_THRESHOLD, LIMIT);
        }
    }
}

/// With `RACKFLOW_PROFILE` set, print each phase's wall time, the process CPU time since the
/// last phase and the resident and peak memory to stderr.
fn phase(label: &str, seconds: f64) {
    if std::env::var_os("RACKFLOW_PROFILE").is_none() {
        return;
    }
    let cpu = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let f: Vec<f64> = s
                .rsplit(')')
                .next()?
                .split_whitespace()
                .map(|x| x.parse().unwrap_or(0.0))
                .collect();
            Some((f.get(11)? + f.get(12)?) / 100.0)
        })
        .unwrap_or(0.0);
    static LAST: std::sync::Mutex<f64> = std::sync::Mutex::new(0.0);
    let Ok(mut last) = LAST.lock() else { return };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    eprintln!(
        "  [prof] {label}: wall {seconds:.3}s cpu {:.2}s rss {:.0} MB peak {:.0} MB",
        cpu - *last,
        mb("VmRSS:"),
        mb("VmHWM:")
    );
    *last = cpu;
}
