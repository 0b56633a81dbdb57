//! Grading throughput: ASAP essays (fold 0, sets 1/3/5/7) and the history dev essays, with every
//! detector on. Data comes from `../shared` beside the crate; when it is missing the bench says so
//! and skips instead of failing.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use essayd::grader::{Rubric, grade};

const ASAP_QUESTION: &str =
    "Write a letter to your local newspaper in which you state your opinion on the effects computers have on people.";

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

/// Essays of an ASAP fold: tab-separated, a header line, the essay in column 3 wrapped in
/// double quotes (inner quotes doubled), lines ending in LF or CRLF.
fn asap_essays(path: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    let essays = text
        .lines()
        .skip(1)
        .filter_map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let essay = line.split('\t').nth(2)?;
            let essay = essay
                .strip_prefix('"')
                .and_then(|e| e.strip_suffix('"'))
                .unwrap_or(essay);
            Some(essay.replace("\"\"", "\""))
        })
        .filter(|e| !e.trim().is_empty())
        .collect();
    Some(essays)
}

/// (essay, question) pairs of the history dev set.
fn history_essays(path: &Path) -> Option<Vec<(String, String)>> {
    let json = std::fs::read_to_string(path).ok()?;
    let cases = essayd::eval::history::CasesFile::from_json(&json).ok()?;
    Some(
        cases
            .essays
            .iter()
            .filter_map(|e| {
                let q = cases.questions.iter().find(|q| q.id == e.question)?;
                Some((e.text.clone(), q.prompt.clone()))
            })
            .collect(),
    )
}

fn bench(c: &mut Criterion) {
    let rubric = Rubric::history_default();
    let data = shared();

    match asap_essays(&data.join("asap/fold_0.tsv")) {
        Some(essays) if !essays.is_empty() => {
            let bytes: usize = essays.iter().map(String::len).sum();
            let mut g = c.benchmark_group("asap_fold0");
            g.sample_size(10)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(4));
            g.throughput(Throughput::Elements(essays.len() as u64));
            g.bench_function("essays", |b| {
                b.iter(|| {
                    for e in &essays {
                        let _ = black_box(grade(black_box(e), ASAP_QUESTION, &rubric));
                    }
                })
            });
            g.throughput(Throughput::Bytes(bytes as u64));
            g.bench_function("bytes", |b| {
                b.iter(|| {
                    for e in &essays {
                        let _ = black_box(grade(black_box(e), ASAP_QUESTION, &rubric));
                    }
                })
            });
            g.finish();
        }
        _ => eprintln!(
            "skipping asap bench: {} not found or empty",
            data.join("asap/fold_0.tsv").display()
        ),
    }

    match history_essays(&data.join("history-dev/cases.json")) {
        Some(essays) if !essays.is_empty() => {
            let bytes: usize = essays.iter().map(|(e, _)| e.len()).sum();
            let mut g = c.benchmark_group("history_dev");
            g.sample_size(10)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(3));
            g.throughput(Throughput::Elements(essays.len() as u64));
            g.bench_function("essays", |b| {
                b.iter(|| {
                    for (e, q) in &essays {
                        let _ = black_box(grade(black_box(e), q, &rubric));
                    }
                })
            });
            g.throughput(Throughput::Bytes(bytes as u64));
            g.bench_function("bytes", |b| {
                b.iter(|| {
                    for (e, q) in &essays {
                        let _ = black_box(grade(black_box(e), q, &rubric));
                    }
                })
            });
            g.finish();
        }
        _ => eprintln!(
            "skipping history bench: {} not found or empty",
            data.join("history-dev/cases.json").display()
        ),
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
