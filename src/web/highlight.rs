//! Cutting an essay into runs of text for highlighting: spans of different
//! criteria (and of one criterion) overlap and nest, so the text is cut at
//! every span boundary and each run carries the spans that cover it.

use crate::grader::{Criterion, Grade, SpanLabel};

/// A span as the report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub criterion: Criterion,
    pub label: SpanLabel,
    pub start: usize,
    pub end: usize,
}

/// A run of the essay's text with the spans covering all of it (none for
/// plain text), in criterion order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run<'a> {
    pub text: &'a str,
    pub marks: Vec<Mark>,
    /// Whether some span starts here (a place for a keyboard stop).
    pub starts_span: bool,
}

/// The grade's spans that lie inside `text` on character boundaries; a span
/// that does not (a grade of another text) is left out rather than trusted.
pub fn marks(grade: &Grade, text: &str) -> Vec<Mark> {
    let mut marks: Vec<Mark> = grade
        .criteria
        .iter()
        .flat_map(|c| {
            c.spans.iter().map(move |s| Mark {
                criterion: c.criterion,
                label: s.label,
                start: s.start,
                end: s.end,
            })
        })
        .filter(|m| m.start < m.end && m.end <= text.len())
        .filter(|m| text.is_char_boundary(m.start) && text.is_char_boundary(m.end))
        .collect();
    marks.sort_by_key(|m| (m.start, m.criterion.index(), std::cmp::Reverse(m.end)));
    marks
}

/// `text` cut at every boundary of `marks` (sorted by start, as [`marks`]
/// returns them).
pub fn runs<'a>(text: &'a str, marks: &[Mark]) -> Vec<Run<'a>> {
    let mut cuts: Vec<usize> = marks.iter().flat_map(|m| [m.start, m.end]).collect();
    cuts.push(0);
    cuts.push(text.len());
    cuts.sort_unstable();
    cuts.dedup();
    let mut runs = Vec::with_capacity(cuts.len());
    // Spans open at the current cut; marks are sorted by start, so a cursor
    // admits them as the cuts pass their starts.
    let mut open: Vec<Mark> = Vec::new();
    let mut next = 0;
    for pair in cuts.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        open.retain(|m| m.end > from);
        let mut starts_span = false;
        while next < marks.len() && marks[next].start <= from {
            if marks[next].end > from {
                open.push(marks[next]);
                starts_span |= marks[next].start == from;
            }
            next += 1;
        }
        let mut covering = open.clone();
        covering.sort_by_key(|m| (m.criterion.index(), m.start, m.label));
        runs.push(Run {
            text: &text[from..to],
            marks: covering,
            starts_span,
        });
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(criterion: Criterion, start: usize, end: usize) -> Mark {
        Mark {
            criterion,
            label: SpanLabel::Date,
            start,
            end,
        }
    }

    #[test]
    fn overlapping_spans_cut_the_text_into_runs_that_know_their_spans() {
        let text = "0123456789";
        let marks = vec![mark(Criterion::Evidence, 2, 6), mark(Criterion::Thesis, 4, 8)];
        let runs = runs(text, &marks);
        let shape: Vec<(&str, usize, bool)> = runs.iter().map(|r| (r.text, r.marks.len(), r.starts_span)).collect();
        assert_eq!(
            shape,
            [
                ("01", 0, false),
                ("23", 1, true),
                ("45", 2, true),
                ("67", 1, false),
                ("89", 0, false)
            ]
        );
        // Criterion order inside a run, whatever the order of the spans.
        assert_eq!(runs[2].marks[0].criterion, Criterion::Thesis);
        assert_eq!(runs.iter().map(|r| r.text).collect::<String>(), text);
    }

    #[test]
    fn a_span_inside_another_of_the_same_criterion_is_its_own_run() {
        let text = "abcdefgh";
        let runs = runs(
            text,
            &[mark(Criterion::Evidence, 0, 8), mark(Criterion::Evidence, 2, 4)],
        );
        assert_eq!(
            runs.iter().map(|r| (r.text, r.marks.len())).collect::<Vec<_>>(),
            [("ab", 1), ("cd", 2), ("efgh", 1)]
        );
    }
}
