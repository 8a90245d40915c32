//! A hostile sync folder (issue 14): reading a 200 MB log that is almost
//! all damage must keep memory bounded and cost about what reading the file
//! costs. Each figure is printed beside its raw limit: the same file
//! streamed line by line and thrown away, in the same process.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use gloss_sync::log::{device_dir, FolderReader};
use gloss_sync::{Change, DeviceId, Hlc, LogOptions, Op, Replica};
use gloss_testkit::figures::{Better, Figure};

const LOG_BYTES: u64 = 200 << 20;
/// A generous bound for a reader that keeps nothing of the damage.
const TARGET_PEAK_MB: f64 = 64.0;

/// Damaged lines of every kind, with a valid record once in 100,000 lines.
fn write_damaged_log(path: &Path, device: &DeviceId) -> std::io::Result<u64> {
    let mut out = BufWriter::new(File::create(path)?);
    let mut written = 0u64;
    let mut n = 0u64;
    while written < LOG_BYTES {
        let line = match n % 4 {
            _ if n % 100_000 == 99_999 => {
                let op = Op {
                    device: device.clone(),
                    seq: n + 1,
                    stamp: Hlc::new(1_700_000_000_000 + n, 0),
                    change: Change::SetPosition { episode: format!("ep{}", n % 100), position: n },
                };
                let mut line = Vec::new();
                gloss_sync::record::encode(&op, &mut line).expect("an op encodes");
                String::from_utf8(line).expect("records are UTF-8")
            }
            0 => format!("{{\"crc\":\"00000000\",\"op\":{{\"seq\":{n}}}}}\n"),
            1 => format!("garbage line {n} {}\n", "x".repeat(60)),
            2 => format!("{{\"crc\":\"{:08x}\",\"op\":{{\"device\":\"{device}\",\"seq\":18446744073709551615}}}}\n", n),
            _ => "\u{0}\u{1}\u{2} binary junk \u{7f}\n".to_owned(),
        };
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
        n += 1;
    }
    out.flush()?;
    Ok(written)
}

fn rss_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(f64::NAN);
    kb / 1024.0
}

/// Runs `work`, returning how long it took and the peak RSS (MB) meanwhile.
fn measure(work: impl FnOnce()) -> (Duration, f64) {
    // Makes VmHWM start again from the current RSS (Linux 4.0+).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let start = Instant::now();
    work();
    (start.elapsed(), rss_mb("VmHWM"))
}

fn main() {
    let sync = tempfile::tempdir_in(std::env::temp_dir()).expect("a temp dir");
    let forger = DeviceId::generate();
    let dir = device_dir(sync.path(), &forger);
    std::fs::create_dir_all(&dir).expect("the log folder");
    let path = dir.join("00000001.log");
    let bytes = write_damaged_log(&path, &forger).expect("the damaged log");
    println!("hostile sync folder: one {:.0} MB log, all but one line in 100,000 damaged", bytes as f64 / 1e6);

    // Raw limit: stream the file line by line, keeping nothing.
    let (raw_time, raw_peak) = measure(|| {
        let mut lines = 0usize;
        let mut reader = BufReader::new(File::open(&path).expect("the log"));
        let mut line = Vec::new();
        while reader.read_until(b'\n', &mut line).expect("a read") > 0 {
            lines += 1;
            line.clear();
        }
        assert!(lines > 0);
    });
    let mut problems = 0;
    let (read_time, read_peak) = measure(|| {
        let batch = FolderReader::new().read_new(sync.path()).expect("the folder reads");
        problems = batch.damage.len();
        assert!(!batch.ops.is_empty());
    });
    assert_eq!(problems, 1, "one summary for the damaged file");
    Figure {
        name: "peak RSS reading a 200 MB damaged sync log",
        unit: "MB",
        measured: read_peak,
        target: TARGET_PEAK_MB,
        better: Better::Lower,
        raw: Some(raw_peak),
    }
    .print();
    Figure {
        name: "reading a 200 MB damaged sync log",
        unit: "s",
        measured: read_time.as_secs_f64(),
        target: 10.0,
        better: Better::Lower,
        raw: Some(raw_time.as_secs_f64()),
    }
    .print();

    // A device opening on that folder: the valid records are merged too.
    let (open_time, open_peak) = measure(|| {
        let (_replica, round) = Replica::open(sync.path(), DeviceId::generate(), LogOptions::default()).expect("open");
        assert_eq!(round.problems.len(), 1);
    });
    println!("a device opening on it: {:.2} s, peak RSS {open_peak:.1} MB", open_time.as_secs_f64());
}
