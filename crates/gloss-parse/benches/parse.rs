//! Parse throughput in MB/s (criterion prints it from `Throughput::Bytes`):
//! a realistic 4 KB summary, the same damaged, its Markdown rendering, and a
//! 1 MB plain notes file. Target: at least 100 MB/s on one core.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gloss_parse::parse_bytes;
use std::hint::black_box;
use std::time::Duration;

/// The generated summary closest to 4 KB, so the figure is for the size the
/// issue names.
fn four_kb_seed() -> u64 {
    (0..200).min_by_key(|&seed| gloss_testkit::summary(seed).len().abs_diff(4096)).unwrap_or(0)
}

fn bench_parse(c: &mut Criterion) {
    let seed = four_kb_seed();
    let inputs = [
        ("summary_4kb", gloss_testkit::summary(seed).into_bytes()),
        ("summary_4kb_damaged", gloss_testkit::damage(&gloss_testkit::summary(seed))),
        ("summary_4kb_markdown", gloss_testkit::markdown(seed).into_bytes()),
        ("plain_1mb", gloss_testkit::plain_document(1, 1 << 20).into_bytes()),
    ];
    let mut group = c.benchmark_group("parse");
    group.sample_size(20).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
    for (name, bytes) in &inputs {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(*name, |b| b.iter(|| parse_bytes(black_box(bytes))));
    }
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
