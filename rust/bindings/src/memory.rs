//! How much memory this process may still allocate: the least of the cgroup's remaining limit,
//! the system's available memory and the address-space limit (`ulimit -v`) less what is mapped.
//! Read from Linux's `/proc` and `/sys` here at the edge; elsewhere unknown (nothing is refused).

use std::fs;

fn first_number(text: &str) -> Option<f64> {
    text.split_whitespace().find_map(|w| w.parse::<f64>().ok())
}

/// `key:   1234 kB` from a `/proc` status-style file, in bytes.
fn kib_field(path: &str, key: &str) -> Option<f64> {
    let text = fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    first_number(&line[key.len()..]).map(|kib| kib * 1024.0)
}

fn cgroup_remaining() -> Option<f64> {
    let max = fs::read_to_string("/sys/fs/cgroup/memory.max").ok()?;
    let max = max.trim().parse::<f64>().ok()?; // "max": no limit
    let current = first_number(&fs::read_to_string("/sys/fs/cgroup/memory.current").ok()?)?;
    Some((max - current).max(0.0))
}

/// Address space reserved per byte of resident memory, measured (see `address_space_remaining`).
const ADDRESS_SPACE_PER_RESIDENT_BYTE: f64 = 1.5;

fn address_space_remaining() -> Option<f64> {
    let limits = fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max address space"))?;
    let soft = line["Max address space".len()..]
        .split_whitespace()
        .next()?;
    let soft = soft.parse::<f64>().ok()?; // "unlimited": no limit
    let mapped = kib_field("/proc/self/status", "VmSize:")?;
    // address space counts what is reserved, not used: the allocator's per-thread arenas and
    // thread stacks came to about 1.5 times the resident need of a mesh build under `ulimit -v`
    Some((soft - mapped).max(0.0) / ADDRESS_SPACE_PER_RESIDENT_BYTE)
}

/// Bytes this process may still allocate, or `None` when no figure is known.
pub fn available_bytes() -> Option<f64> {
    [
        cgroup_remaining(),
        kib_field("/proc/meminfo", "MemAvailable:"),
        address_space_remaining(),
    ]
    .into_iter()
    .flatten()
    .reduce(f64::min)
}
