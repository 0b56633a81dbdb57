//! The CSV export of a grading job's results: one row per essay, in the
//! columns an LMS gradebook import takes. `essayctl results --format csv`
//! and the job report page's download both write it through here, so the two
//! cannot drift.

/// The header row (without its newline).
pub const HEADER: &str = "essay_id,external_id,author_id,author_name,thesis,evidence,historiography,balance,total,max_mark,band,flags,grading_progress,error";

/// One essay's row, each field already formatted (empty when it has none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultRow {
    pub essay_id: String,
    pub external_id: String,
    pub author_id: String,
    pub author_name: String,
    /// Thesis, evidence, historiography, balance.
    pub levels: [String; 4],
    pub total: String,
    pub max_mark: String,
    pub band: String,
    /// Flags joined with `;`.
    pub flags: String,
    pub grading_progress: String,
    pub error: String,
}

impl ResultRow {
    /// The row (without its newline), fields quoted where CSV needs it.
    pub fn to_csv(&self) -> String {
        let [thesis, evidence, historiography, balance] = &self.levels;
        [
            &self.essay_id,
            &self.external_id,
            &self.author_id,
            &self.author_name,
            thesis,
            evidence,
            historiography,
            balance,
            &self.total,
            &self.max_mark,
            &self.band,
            &self.flags,
            &self.grading_progress,
            &self.error,
        ]
        .map(|f| field(f))
        .join(",")
    }
}

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_has_the_headers_columns_and_quotes_what_needs_quoting() {
        let row = ResultRow {
            author_name: "Student, A".into(),
            error: "said \"no\"".into(),
            ..Default::default()
        }
        .to_csv();
        assert_eq!(row.split(',').count(), HEADER.split(',').count() + 1, "{row}");
        assert!(
            row.contains("\"Student, A\"") && row.ends_with("\"said \"\"no\"\"\""),
            "{row}"
        );
    }
}
