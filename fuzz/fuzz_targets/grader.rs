//! Grades arbitrary bytes, read as UTF-8 (invalid sequences become U+FFFD), with the default
//! history rubric, and checks what a teacher or a client relies on in a grade.
//!
//! Input: `question 0xFF essay`. 0xFF never occurs in UTF-8, so it separates the two without
//! taking a character from either; an input without it is an essay for a fixed question.

#![no_main]

use std::borrow::Cow;
use std::sync::LazyLock;

use essayd::grader::{Criterion, Grade, GradeError, Rubric, grade};
use libfuzzer_sys::fuzz_target;

const QUESTION: &str = "How successful was Soviet foreign policy in the years 1925–1945?";

static RUBRIC: LazyLock<Rubric> = LazyLock::new(Rubric::history_default);

fuzz_target!(|data: &[u8]| {
    let (question, essay) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (
            String::from_utf8_lossy(&data[..i]),
            String::from_utf8_lossy(&data[i + 1..]),
        ),
        None => (Cow::Borrowed(QUESTION), String::from_utf8_lossy(data)),
    };
    let rubric = &*RUBRIC;
    let first = grade(&essay, &question, rubric);
    let again = grade(&essay, &question, rubric);
    assert_eq!(first, again, "grading the same essay twice gave different results");
    match first {
        Ok(g) => check(&essay, rubric, &g),
        // libFuzzer inputs are far below MAX_TEXT_BYTES, and the default rubric is valid.
        Err(e) => assert_eq!(e, GradeError::EmptyText),
    }
});

fn check(text: &str, rubric: &Rubric, g: &Grade) {
    let order: Vec<Criterion> = g.criteria.iter().map(|c| c.criterion).collect();
    assert_eq!(order, Criterion::ALL, "one grade per criterion, in rubric order");
    for c in &g.criteria {
        assert!(c.level <= 5, "{:?} level {} above 5", c.criterion, c.level);
        assert!(
            (0.0..=5.0).contains(&c.score) && f64::from(c.level) <= c.score && c.score < f64::from(c.level) + 1.0,
            "{:?}: score {} does not belong to level {}",
            c.criterion,
            c.score,
            c.level
        );
        assert!(!c.feedback.is_empty(), "{:?} has no feedback", c.criterion);
        for s in &c.spans {
            assert!(
                s.start <= s.end && s.end <= text.len(),
                "{s:?} outside a {}-byte text",
                text.len()
            );
            assert!(
                text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
                "{s:?} splits a character"
            );
        }
        assert!(
            c.spans.windows(2).all(|w| w[0].start <= w[1].start),
            "{:?} spans not in text order",
            c.criterion
        );
    }
    let levels = Criterion::ALL.map(|c| g.level(c));
    let expected_total = (rubric.total(levels) * 100.0).round() / 100.0;
    assert_eq!(g.total, expected_total, "total does not follow the levels {levels:?}");
    assert!((0.0..=g.max_mark).contains(&g.total));
    assert_eq!(g.max_mark, rubric.max_mark);
    assert_eq!(g.band, rubric.band_for(g.total).label, "band does not follow the total");
    assert!((0.0..=1.0).contains(&g.confidence), "confidence {}", g.confidence);
    assert_eq!(
        g.needs_review,
        g.confidence < rubric.review_threshold || !g.flags.is_empty(),
        "needs_review disagrees with confidence {} and flags {:?}",
        g.confidence,
        g.flags
    );
}
