//! Rendering the grade report page (issue 15) for a 2,000-word essay, against
//! grading the same essay (the baseline, in the same run). The essay is the
//! history dev set's essays on one question, joined and cut at 2,000 words;
//! without `../shared` the bench says so and skips.

use std::{hint::black_box, path::Path, time::Duration};

use criterion::{Criterion, criterion_group, criterion_main};
use essayd::{
    core::{Author, DeclaredMetadata, Essay, EssayId, GradeRecordView, text_metrics},
    grader::{Rubric, grade},
    web::pages::{GradeReport, grade_report},
};

const WORDS: usize = 2_000;

/// (text of exactly `WORDS` words, its question), or `None` without the data.
fn long_essay() -> Option<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/history-dev/cases.json");
    let cases = essayd::eval::history::CasesFile::from_json(&std::fs::read_to_string(path).ok()?).ok()?;
    // The question with the most words of essays.
    let question = cases.questions.iter().max_by_key(|q| {
        cases
            .essays
            .iter()
            .filter(|e| e.question == q.id)
            .map(|e| e.text.split_whitespace().count())
            .sum::<usize>()
    })?;
    let joined = cases
        .essays
        .iter()
        .filter(|e| e.question == question.id)
        .map(|e| e.text.trim())
        .collect::<Vec<_>>()
        .join("\n\n");
    // Cut after the WORDS-th word, keeping the text's own spacing.
    let mut seen = 0;
    let mut in_word = false;
    let mut end = joined.len();
    for (i, ch) in joined.char_indices() {
        if ch.is_whitespace() {
            if in_word {
                seen += 1;
                if seen == WORDS {
                    end = i;
                    break;
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    (seen == WORDS).then(|| (joined[..end].to_owned(), question.prompt.clone()))
}

fn bench(c: &mut Criterion) {
    let Some((text, question)) = long_essay() else {
        eprintln!("skipping report bench: ../shared/data/history-dev/cases.json not found or under {WORDS} words");
        return;
    };
    let rubric = Rubric::history_default();
    let graded = grade(&text, &question, &rubric).expect("graded");
    let spans: usize = graded.criteria.iter().map(|c| c.spans.len()).sum();
    let view = GradeRecordView {
        id: Some(essayd::core::GradeId::generate()),
        essay_id: Some(EssayId::generate()),
        question: question.clone(),
        grade: graded,
        create_time: time::OffsetDateTime::now_utc(),
        review: None,
        model_score: None,
        copied_from: Vec::new(),
    };
    let essay = Essay {
        id: EssayId::generate(),
        title: "Bench".into(),
        author: Author::default(),
        course_id: String::new(),
        assignment_id: None,
        external_id: String::new(),
        category: String::new(),
        submit_time: None,
        labels: Default::default(),
        text: None,
        declared: DeclaredMetadata::default(),
        metrics: text_metrics::measure(&text),
        create_time: time::OffsetDateTime::now_utc(),
    };
    let report = GradeReport {
        grade: &view,
        essay: &essay,
        text: &text,
        copies: &[],
    };
    let html = grade_report(&report);
    eprintln!(
        "report bench: {} words, {} bytes, {spans} spans, page {} bytes",
        text.split_whitespace().count(),
        text.len(),
        html.len()
    );

    let mut g = c.benchmark_group("report_2000_words");
    g.sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    g.bench_function("grade_the_essay (baseline)", |b| {
        b.iter(|| black_box(grade(black_box(&text), &question, &rubric)))
    });
    g.bench_function("render_grade_report", |b| {
        b.iter(|| black_box(grade_report(black_box(&report))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
