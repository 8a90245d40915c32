//! Benchmark figures in one format, so `make bench` can gather every
//! benchmark's results into bench/REPORT.md.
//!
//! A figure prints as a line a person reads, followed by a `FIGURE {json}`
//! line that bench/report.py collects.

/// Whether a smaller or a larger measurement is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

#[derive(Debug, Clone)]
pub struct Figure<'a> {
    /// What was measured, e.g. "cold import of 10,000 files".
    pub name: &'a str,
    pub unit: &'a str,
    /// The median (or the percentile the name says).
    pub measured: f64,
    /// The target, in the same unit; infinite for a figure shown
    /// only for its raw limit and its growth (the report then shows none).
    pub target: f64,
    pub better: Better,
    /// The raw limit measured in the same run (the same bytes read, or
    /// written in one transaction), when there is one.
    pub raw: Option<f64>,
}

impl Figure<'_> {
    pub fn meets_target(&self) -> bool {
        match self.better {
            Better::Lower => self.measured <= self.target,
            Better::Higher => self.measured >= self.target,
        }
    }

    /// Prints the figure for people and for bench/report.py.
    pub fn print(&self) {
        self.print_json(serde_json::Value::Null);
    }

    /// Prints the figure as measured on a library of `episodes` episodes:
    /// one point of the series named by the figure's name.
    pub fn print_at(&self, episodes: usize) {
        self.print_json(serde_json::json!(episodes));
    }

    fn print_json(&self, episodes: serde_json::Value) {
        let sign = if self.better == Better::Lower { "≤" } else { "≥" };
        let verdict = if self.meets_target() { "meets" } else { "MISSES" };
        let raw = match self.raw {
            Some(raw) => format!(", raw limit {raw:.3} {}, ratio {:.2}", self.unit, self.measured / raw),
            None => String::new(),
        };
        let at = if episodes.is_null() { String::new() } else { format!(" at {episodes} episodes") };
        let target = match self.target.is_finite() {
            true => format!("target {sign} {} {}: {verdict}", self.target, self.unit),
            false => "no target".to_owned(),
        };
        println!("{}{at}: {:.3} {} ({target}){raw}", self.name, self.measured, self.unit);
        let json = serde_json::json!({
            "name": self.name,
            "unit": self.unit,
            "measured": self.measured,
            "target": self.target,
            "better": if self.better == Better::Lower { "lower" } else { "higher" },
            "raw": self.raw,
            "episodes": episodes,
        });
        println!("FIGURE {json}");
    }
}

/// The p-th percentile (0-100) of `samples`, by nearest rank.
pub fn percentile(samples: &mut [f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

/// The machine's load average, to print beside figures: other work
/// competing for the cores inflates every figure (the raw limits too, so
/// compare ratios across runs).
pub fn load() -> String {
    match std::fs::read_to_string("/proc/loadavg") {
        Ok(text) => format!("load average {}", text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")),
        Err(_) => "load average unknown".to_owned(),
    }
}

/// Bytes of every file under `dir`, for benchmarks that report how much a
/// folder (a sync folder, an export) holds; 0 where it can not be read.
pub fn folder_bytes(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => folder_bytes(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

/// The release `gloss` binary a benchmark drives: `GLOSS_BIN`, else `gloss`
/// in the folder the running benchmark was built for (target/release, the
/// parent of its deps/ folder). The testkit's own programs (`print-version`,
/// `query-library`) are built next to it by the same `cargo build --release`.
pub fn gloss_bin() -> Result<std::path::PathBuf, String> {
    let bin = match std::env::var_os("GLOSS_BIN") {
        Some(bin) => std::path::PathBuf::from(bin),
        None => {
            std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.parent()?.join("gloss"))).unwrap_or_default()
        }
    };
    match bin.is_file() {
        true => Ok(bin),
        false => Err(format!(
            "no gloss binary at {}: build it with `cargo build --release -p gloss -p gloss-testkit --bins`, \
             or set GLOSS_BIN",
            bin.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let mut s: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&mut s, 50.0), 50.0);
        assert_eq!(percentile(&mut s, 95.0), 95.0);
        assert!(percentile(&mut [], 50.0).is_nan());
    }
}
