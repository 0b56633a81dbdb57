//! The history cases file (questions, essays with examiner levels, relations a trustworthy
//! grader must respect) and its evaluation.
//!
//! [`evaluate`] grades every case and checks every relation; the [`HistoryReport`] serializes to
//! the JSON the project tracks (`essays`, `criteria`, `ladders`, `relations`), and
//! [`render_text`] prints it for people, with the per-essay levels.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};

use crate::eval::agreement;
use crate::grader::{self, Criterion, Flag, GradeError, Rubric};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CasesFile {
    #[serde(default)]
    pub description: Option<String>,
    pub questions: Vec<Question>,
    pub essays: Vec<Case>,
    #[serde(default)]
    pub relations: Vec<Relation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub prompt: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: String,
    pub question: String,
    #[serde(default)]
    pub kind: Option<String>,
    pub text: String,
    pub expected: Expected,
    #[serde(default)]
    pub note: Option<String>,
}

/// Examiner levels, 0–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expected {
    pub thesis: u8,
    pub evidence: u8,
    pub historiography: u8,
    pub balance: u8,
}

impl Expected {
    pub fn get(&self, c: Criterion) -> u8 {
        match c {
            Criterion::Thesis => self.thesis,
            Criterion::Evidence => self.evidence,
            Criterion::Historiography => self.historiography,
            Criterion::Balance => self.balance,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Relation {
    /// Totals strictly increase along `order`.
    Ladder { question: String, order: Vec<String> },
    /// `variant` scores lower than `base` on `criterion`.
    Drops {
        base: String,
        variant: String,
        criterion: String,
    },
    /// `variant` is not higher than `base` on any criterion.
    NotHigher { base: String, variant: String },
    /// `essay` is at most `level` on each of `criteria`, and carries `flag` if given.
    AtMost {
        essay: String,
        level: u8,
        criteria: Vec<String>,
        #[serde(default)]
        flag: Option<String>,
    },
}

impl Relation {
    pub fn kind(&self) -> &'static str {
        match self {
            Relation::Ladder { .. } => "ladder",
            Relation::Drops { .. } => "drops",
            Relation::NotHigher { .. } => "not_higher",
            Relation::AtMost { .. } => "at_most",
        }
    }

    /// The first essay the relation names (its question is the relation's question).
    pub fn first_essay(&self) -> Option<&str> {
        match self {
            Relation::Ladder { order, .. } => order.first().map(String::as_str),
            Relation::Drops { base, .. } | Relation::NotHigher { base, .. } => Some(base),
            Relation::AtMost { essay, .. } => Some(essay),
        }
    }

    /// "<kind> <ids>": how a failed relation is reported.
    pub fn describe(&self) -> String {
        let ids = match self {
            Relation::Ladder { order, .. } => order.join(" "),
            Relation::Drops { base, variant, .. } | Relation::NotHigher { base, variant } => {
                format!("{base} {variant}")
            }
            Relation::AtMost { essay, .. } => essay.clone(),
        };
        format!("{} {}", self.kind(), ids)
    }
}

impl CasesFile {
    pub fn from_json(json: &str) -> Result<CasesFile, EvalError> {
        serde_json::from_str(json).map_err(|e| EvalError::Parse(e.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    Parse(String),
    UnknownQuestion { essay: String, question: String },
    Grade { essay: String, error: GradeError },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Parse(e) => write!(f, "cases file is not valid: {e}"),
            EvalError::UnknownQuestion { essay, question } => {
                write!(f, "essay {essay} names unknown question {question}")
            }
            EvalError::Grade { essay, error } => write!(f, "grading {essay} failed: {error}"),
        }
    }
}

impl std::error::Error for EvalError {}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionAgreement {
    pub exact: f64,
    pub adjacent: f64,
    pub qwk: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriteriaAgreement {
    pub thesis: CriterionAgreement,
    pub evidence: CriterionAgreement,
    pub historiography: CriterionAgreement,
    pub balance: CriterionAgreement,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelationsSummary {
    pub total: usize,
    pub passed: usize,
    pub failed: Vec<String>,
}

/// One graded case (not serialized: the JSON report holds only the aggregate figures).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseOutcome {
    pub id: String,
    pub expected: [u8; 4],
    pub predicted: [u8; 4],
    pub total: f64,
    pub flags: Vec<Flag>,
}

/// The figures of one question's essays and relations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionReport {
    pub essays: usize,
    pub criteria: CriteriaAgreement,
    pub relations: RelationsSummary,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryReport {
    pub essays: usize,
    pub criteria: CriteriaAgreement,
    /// The same figures per question id: a change tuned on some questions is checked on others.
    pub questions: BTreeMap<String, QuestionReport>,
    /// Spearman's rho between ladder position and total, per question.
    pub ladders: BTreeMap<String, f64>,
    pub relations: RelationsSummary,
    #[serde(skip)]
    pub cases: Vec<CaseOutcome>,
}

impl HistoryReport {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Exact, adjacent and QWK agreement of some outcomes on each criterion.
fn agreement_of(outcomes: &[&CaseOutcome]) -> CriteriaAgreement {
    let of = |c: Criterion| {
        let p: Vec<u8> = outcomes.iter().map(|o| o.predicted[c.index()]).collect();
        let g: Vec<u8> = outcomes.iter().map(|o| o.expected[c.index()]).collect();
        CriterionAgreement {
            exact: round4(agreement::exact(&p, &g)),
            adjacent: round4(agreement::adjacent(&p, &g)),
            qwk: round4(agreement::quadratic_weighted_kappa(&p, &g, 0, 5)),
        }
    };
    CriteriaAgreement {
        thesis: of(Criterion::Thesis),
        evidence: of(Criterion::Evidence),
        historiography: of(Criterion::Historiography),
        balance: of(Criterion::Balance),
    }
}

/// Grades every case with `rubric` and checks every relation.
pub fn evaluate(cases: &CasesFile, rubric: &Rubric) -> Result<HistoryReport, EvalError> {
    let mut outcomes: Vec<CaseOutcome> = Vec::with_capacity(cases.essays.len());
    for case in &cases.essays {
        let question =
            cases
                .questions
                .iter()
                .find(|q| q.id == case.question)
                .ok_or_else(|| EvalError::UnknownQuestion {
                    essay: case.id.clone(),
                    question: case.question.clone(),
                })?;
        let g = grader::grade(&case.text, &question.prompt, rubric).map_err(|error| EvalError::Grade {
            essay: case.id.clone(),
            error,
        })?;
        outcomes.push(CaseOutcome {
            id: case.id.clone(),
            expected: Criterion::ALL.map(|c| case.expected.get(c)),
            predicted: Criterion::ALL.map(|c| g.level(c)),
            total: g.total,
            flags: g.flags.clone(),
        });
    }
    let criteria = agreement_of(&outcomes.iter().collect::<Vec<_>>());
    let find = |id: &str| outcomes.iter().find(|o| o.id == id);
    let mut ladders = BTreeMap::new();
    let mut failed = Vec::new();
    // (question, held) per relation, for the per-question figures.
    let mut held: Vec<(Option<String>, bool)> = Vec::with_capacity(cases.relations.len());
    for rel in &cases.relations {
        let ok = match rel {
            Relation::Ladder { question, order } => {
                let totals: Option<Vec<f64>> = order.iter().map(|id| find(id).map(|o| o.total)).collect();
                match totals {
                    Some(t) => {
                        let pos: Vec<f64> = (0..t.len()).map(|i| i as f64).collect();
                        ladders.insert(question.clone(), round4(agreement::spearman(&pos, &t)));
                        t.windows(2).all(|w| w[0] < w[1])
                    }
                    None => false,
                }
            }
            Relation::Drops {
                base,
                variant,
                criterion,
            } => match (find(base), find(variant), Criterion::parse(criterion)) {
                (Some(b), Some(v), Some(c)) => v.predicted[c.index()] < b.predicted[c.index()],
                _ => false,
            },
            Relation::NotHigher { base, variant } => match (find(base), find(variant)) {
                (Some(b), Some(v)) => (0..4).all(|i| v.predicted[i] <= b.predicted[i]),
                _ => false,
            },
            Relation::AtMost {
                essay,
                level,
                criteria,
                flag,
            } => match find(essay) {
                Some(o) => {
                    let levels_ok = criteria
                        .iter()
                        .all(|name| Criterion::parse(name).is_some_and(|c| o.predicted[c.index()] <= *level));
                    let flag_ok = match flag {
                        None => true,
                        Some(f) => Flag::parse(f).is_some_and(|f| o.flags.contains(&f)),
                    };
                    levels_ok && flag_ok
                }
                None => false,
            },
        };
        if !ok {
            failed.push(rel.describe());
        }
        let question = rel
            .first_essay()
            .and_then(|id| cases.essays.iter().find(|c| c.id == id))
            .map(|c| c.question.clone());
        held.push((question, ok));
    }
    let mut questions = BTreeMap::new();
    for q in &cases.questions {
        let mine: Vec<&CaseOutcome> = outcomes
            .iter()
            .zip(&cases.essays)
            .filter(|(_, c)| c.question == q.id)
            .map(|(o, _)| o)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let rels: Vec<bool> = held
            .iter()
            .filter(|(qid, _)| qid.as_deref() == Some(q.id.as_str()))
            .map(|&(_, ok)| ok)
            .collect();
        let q_failed: Vec<String> = cases
            .relations
            .iter()
            .zip(&held)
            .filter(|(_, (qid, ok))| !ok && qid.as_deref() == Some(q.id.as_str()))
            .map(|(r, _)| r.describe())
            .collect();
        questions.insert(
            q.id.clone(),
            QuestionReport {
                essays: mine.len(),
                criteria: agreement_of(&mine),
                relations: RelationsSummary {
                    total: rels.len(),
                    passed: rels.iter().filter(|&&ok| ok).count(),
                    failed: q_failed,
                },
            },
        );
    }
    let total = cases.relations.len();
    Ok(HistoryReport {
        essays: outcomes.len(),
        criteria,
        questions,
        ladders,
        relations: RelationsSummary {
            total,
            passed: total - failed.len(),
            failed,
        },
        cases: outcomes,
    })
}

/// The report for people: the figures, then one line per essay (expected → predicted).
pub fn render_text(r: &HistoryReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "essays: {}", r.essays);
    let _ = writeln!(s, "{:<16} {:>6} {:>9} {:>6}", "criterion", "exact", "adjacent", "qwk");
    for (name, a) in [
        ("thesis", &r.criteria.thesis),
        ("evidence", &r.criteria.evidence),
        ("historiography", &r.criteria.historiography),
        ("balance", &r.criteria.balance),
    ] {
        let _ = writeln!(s, "{:<16} {:>6.3} {:>9.3} {:>6.3}", name, a.exact, a.adjacent, a.qwk);
    }
    for (q, rho) in &r.ladders {
        let _ = writeln!(s, "ladder {q}: spearman {rho:.3}");
    }
    let _ = writeln!(
        s,
        "{:<16} {:>6} {:>5}  adjacent/qwk: thesis evidence historiography balance",
        "question", "essays", "rels"
    );
    for (q, x) in &r.questions {
        let c = &x.criteria;
        let _ = writeln!(
            s,
            "{:<16} {:>6} {:>2}/{:<2}  {:.2}/{:.2} {:.2}/{:.2} {:.2}/{:.2} {:.2}/{:.2}",
            q,
            x.essays,
            x.relations.passed,
            x.relations.total,
            c.thesis.adjacent,
            c.thesis.qwk,
            c.evidence.adjacent,
            c.evidence.qwk,
            c.historiography.adjacent,
            c.historiography.qwk,
            c.balance.adjacent,
            c.balance.qwk
        );
    }
    let _ = writeln!(s, "relations: {}/{} passed", r.relations.passed, r.relations.total);
    for f in &r.relations.failed {
        let _ = writeln!(s, "  FAILED {f}");
    }
    if !r.cases.is_empty() {
        let _ = writeln!(
            s,
            "{:<32} {:>11} {:>11} {:>6}  flags",
            "essay", "expected", "predicted", "total"
        );
        for c in &r.cases {
            let fmt4 = |l: [u8; 4]| format!("{} {} {} {}", l[0], l[1], l[2], l[3]);
            let flags: Vec<&str> = c.flags.iter().map(|f| f.as_str()).collect();
            let mark = if (0..4).any(|i| c.expected[i].abs_diff(c.predicted[i]) > 1) {
                "!"
            } else {
                " "
            };
            let _ = writeln!(
                s,
                "{:<32} {:>11} {:>11} {:>6.1}{} {}",
                c.id,
                fmt4(c.expected),
                fmt4(c.predicted),
                c.total,
                mark,
                flags.join(",")
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = r#"{
      "questions": [{"id": "q", "prompt": "How successful was the policy of appeasement in the years 1935-1939?"}],
      "essays": [
        {"id": "q/a", "question": "q", "kind": "ladder", "text": "Appeasement was a policy. It happened.", "expected": {"thesis": 1, "evidence": 1, "historiography": 0, "balance": 0}},
        {"id": "q/b", "question": "q", "kind": "ladder", "text": "Appeasement between 1935 and 1939 was largely unsuccessful, because it did not stop Hitler. In March 1938 Germany took Austria, and in September 1938 the Munich Agreement gave away the Sudetenland. However, it could be argued that it bought time for rearmament, and Ian Kershaw argues that Chamberlain had few choices. Yet this does not outweigh the loss of Czechoslovakia in March 1939.\n\nIn conclusion, appeasement was largely a failure.", "expected": {"thesis": 3, "evidence": 2, "historiography": 2, "balance": 2}}
      ],
      "relations": [
        {"kind": "ladder", "question": "q", "order": ["q/a", "q/b"]},
        {"kind": "at_most", "essay": "q/a", "level": 1, "criteria": ["thesis"], "flag": "too_short"},
        {"kind": "drops", "base": "q/b", "variant": "q/missing", "criterion": "thesis"}
      ]
    }"#;

    #[test]
    fn the_report_serializes_to_the_tracked_shape() {
        let cases = CasesFile::from_json(TINY).unwrap();
        let r = evaluate(&cases, &Rubric::history_default()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, vec!["criteria", "essays", "ladders", "questions", "relations"]);
        assert_eq!(v["questions"]["q"]["essays"], 2);
        assert_eq!(v["questions"]["q"]["relations"]["total"], 3);
        assert_eq!(v["essays"], 2);
        for c in ["thesis", "evidence", "historiography", "balance"] {
            for m in ["exact", "adjacent", "qwk"] {
                assert!(v["criteria"][c][m].is_number(), "{c}.{m}");
            }
        }
        assert!(v["ladders"]["q"].is_number());
        assert_eq!(v["relations"]["total"], 3);
        // A relation naming an unknown essay fails rather than passing silently.
        let failed: Vec<&str> = v["relations"]["failed"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|x| x.as_str())
            .collect();
        assert!(failed.contains(&"drops q/b q/missing"), "{failed:?}");
        assert!(render_text(&r).contains("relations:"));
    }

    #[test]
    fn unknown_questions_and_bad_json_are_errors() {
        assert!(matches!(CasesFile::from_json("{"), Err(EvalError::Parse(_))));
        let mut cases = CasesFile::from_json(TINY).unwrap();
        cases.essays[0].question = "nope".into();
        assert!(matches!(
            evaluate(&cases, &Rubric::history_default()),
            Err(EvalError::UnknownQuestion { .. })
        ));
    }

    /// The dev set: every relation passes and agreement meets the project's goals. Prints the
    /// report (`cargo test -- --nocapture dev_set`).
    #[test]
    fn dev_set_meets_the_goals() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/history-dev/cases.json");
        let Ok(json) = std::fs::read_to_string(path) else {
            eprintln!("skipping dev-set evaluation: {path} not found");
            return;
        };
        let cases = CasesFile::from_json(&json).unwrap();
        let r = evaluate(&cases, &Rubric::history_default()).unwrap();
        println!("{}\n{}", r.to_json(), render_text(&r));
        // Pinned at what the grader reaches on the 118-essay dev set (issue #12 raises these
        // towards every relation held, adjacent >= 0.9 and QWK >= 0.8 on each criterion).
        assert!(
            r.relations.passed >= 59,
            "relations {}/{}: {:?}",
            r.relations.passed,
            r.relations.total,
            r.relations.failed
        );
        for (name, a, adjacent, qwk) in [
            ("thesis", &r.criteria.thesis, 0.847, 0.788),
            ("evidence", &r.criteria.evidence, 0.847, 0.758),
            ("historiography", &r.criteria.historiography, 0.915, 0.860),
            ("balance", &r.criteria.balance, 0.771, 0.703),
        ] {
            assert!(a.adjacent >= adjacent, "{name} adjacent {}", a.adjacent);
            assert!(a.qwk >= qwk, "{name} qwk {}", a.qwk);
        }
    }
}
