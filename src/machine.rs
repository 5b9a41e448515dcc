//! What this machine (or its container) offers, for defaults that scale with it: the memory
//! a scan may use when `--max-memory` is not given.

/// Used when the machine's memory cannot be read (not Linux, no /proc).
const UNKNOWN_MEMORY: u64 = 8 << 30;

/// The default `--max-memory`: a quarter of the memory this process can have, so that a scan
/// leaves room for the page cache that feeds it and for whatever else runs beside it.
pub fn default_max_memory() -> u64 {
    available_memory() / 4
}

/// The machine's memory, or the container's limit when that is lower (cgroup v2, then v1).
/// Read once per process: every opened input asks (is it larger than memory?).
pub fn available_memory() -> u64 {
    static MEMORY: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *MEMORY.get_or_init(read_available_memory)
}

fn read_available_memory() -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| mem_total(&m)).unwrap_or(UNKNOWN_MEMORY);
    let limit = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|s| s.trim().parse::<u64>().ok())
        .min();
    limit.map_or(total, |l| l.min(total))
}

/// `MemTotal:  24530092 kB` in bytes.
fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_mem_total() {
        assert_eq!(super::mem_total("MemFree: 1 kB\nMemTotal:       24530092 kB\n"), Some(24530092 * 1024));
        assert_eq!(super::mem_total("nothing"), None);
    }
}
