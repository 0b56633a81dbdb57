//! The ASAP essays (Hewlett Foundation, 2012) in the five folds of Taghipour & Ng (2016), and
//! the evaluation of learned scoring models on them: for each fold K, train on the other four
//! and score fold K, through the same code the service uses ([`crate::calibration`]).
//!
//! Reading the fold files is the only I/O ([`read_dir`]); parsing ([`parse_fold`]) and the
//! evaluation ([`evaluate`]) take data, so tests drive them without files.
//!
//! Reported per essay set: QWK on the set's score range (mean over the five test folds); the
//! same from 50 training essays drawn at random (three draws per fold); the mean QWK over the
//! ASAP++ traits where trait files are present; and training and scoring time per 1,000 essays.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::calibration::cutpoints::qwk;
use crate::calibration::validation::SplitMix64;
use crate::calibration::{Exemplar, TrainError};
use crate::calibration::{ExemplarTexts, ScoreScale, TrainOptions, train};

/// Number of folds in the ASAP split.
pub const FOLDS: usize = 5;

/// Training essays drawn for the small-sample measurement.
pub const SMALL_SAMPLE: usize = 50;

/// Draws of the small sample per fold.
pub const SMALL_SAMPLE_SEEDS: u64 = 3;

/// One essay of a fold file.
#[derive(Debug, Clone, PartialEq)]
pub struct AsapEssay {
    pub id: u64,
    pub set: u32,
    pub text: String,
    /// `domain1_score`.
    pub score: i32,
    /// `trait1_score`… in order; `None` where the cell is blank.
    pub traits: Vec<Option<i32>>,
}

/// The folds read from a directory: `folds[k]` is `fold_k.tsv`, `trait_folds[k]` is
/// `traits_fold_k.tsv` (absent when the directory has no trait files).
#[derive(Debug, Clone, Default)]
pub struct AsapData {
    pub folds: Vec<Vec<AsapEssay>>,
    pub trait_folds: Option<Vec<Vec<AsapEssay>>>,
}

/// Why the fold files could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AsapError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{file}: the header has no `{column}` column")]
    MissingColumn { file: String, column: String },
    #[error("{file}, line {line}: {message}")]
    BadRow { file: String, line: usize, message: String },
    #[error("{0}")]
    Train(#[from] TrainError),
}

/// Splits tab-separated records; a field in double quotes may hold tabs, newlines and `""`.
/// Lines end in LF or CRLF. Returns the records with the line each starts on.
fn records(content: &str) -> Vec<(usize, Vec<String>)> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let mut out = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut chars = content.chars().peekable();
    let mut line = 1;
    let mut start_line = 1;
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            '\t' => {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                if !(fields.len() == 1 && fields[0].is_empty()) {
                    out.push((start_line, std::mem::take(&mut fields)));
                }
                fields.clear();
                line += 1;
                start_line = line;
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        out.push((start_line, fields));
    }
    out
}

/// Parses one fold file (either format): `essay_id`, `essay_set`, `essay` and `domain1_score`
/// are required; `trait1_score`, `trait2_score`… are read where present.
pub fn parse_fold(file: &str, content: &str) -> Result<Vec<AsapEssay>, AsapError> {
    let mut rows = records(content).into_iter();
    let Some((_, header)) = rows.next() else {
        return Ok(Vec::new());
    };
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| AsapError::MissingColumn {
                file: file.to_string(),
                column: name.to_string(),
            })
    };
    let (c_id, c_set, c_text, c_score) = (
        column("essay_id")?,
        column("essay_set")?,
        column("essay")?,
        column("domain1_score")?,
    );
    let trait_cols: Vec<usize> = (1..)
        .map_while(|k| header.iter().position(|h| h.trim() == format!("trait{k}_score")))
        .collect();
    let mut essays = Vec::new();
    for (line, row) in rows {
        let bad = |message: String| AsapError::BadRow {
            file: file.to_string(),
            line,
            message,
        };
        let cell = |c: usize| row.get(c).map_or("", |s| s.trim());
        let int = |c: usize, what: &str| -> Result<i64, AsapError> {
            cell(c)
                .parse::<i64>()
                .map_err(|_| bad(format!("{what} `{}` is not a whole number", cell(c))))
        };
        let score =
            i32::try_from(int(c_score, "domain1_score")?).map_err(|_| bad("domain1_score is out of range".into()))?;
        let mut traits = Vec::with_capacity(trait_cols.len());
        for (k, &c) in trait_cols.iter().enumerate() {
            traits.push(if cell(c).is_empty() {
                None
            } else {
                Some(
                    i32::try_from(int(c, &format!("trait{}_score", k + 1))?)
                        .map_err(|_| bad("trait score is out of range".into()))?,
                )
            });
        }
        essays.push(AsapEssay {
            id: u64::try_from(int(c_id, "essay_id")?).map_err(|_| bad("negative essay_id".into()))?,
            set: u32::try_from(int(c_set, "essay_set")?).map_err(|_| bad("essay_set is out of range".into()))?,
            text: row.get(c_text).cloned().unwrap_or_default(),
            score,
            traits,
        });
    }
    Ok(essays)
}

/// Reads `fold_0.tsv`…`fold_4.tsv` and, when all are present, `traits_fold_0.tsv`….
pub fn read_dir(dir: &Path) -> Result<AsapData, AsapError> {
    let read = |name: String| -> Result<Option<Vec<AsapEssay>>, AsapError> {
        let path = dir.join(&name);
        match std::fs::read_to_string(&path) {
            Ok(content) => parse_fold(&name, &content).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(AsapError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    };
    let mut folds = Vec::new();
    for k in 0..FOLDS {
        let name = format!("fold_{k}.tsv");
        match read(name.clone())? {
            Some(f) => folds.push(f),
            None => {
                return Err(AsapError::Io {
                    path: dir.join(name).display().to_string(),
                    source: std::io::ErrorKind::NotFound.into(),
                });
            }
        }
    }
    let mut trait_folds = Vec::new();
    for k in 0..FOLDS {
        match read(format!("traits_fold_{k}.tsv"))? {
            Some(f) => trait_folds.push(f),
            None => break,
        }
    }
    Ok(AsapData {
        folds,
        trait_folds: (trait_folds.len() == FOLDS).then_some(trait_folds),
    })
}

/// The official `domain1_score` range of the eight ASAP sets; another set's range is taken from
/// its essays.
pub fn official_range(set: u32) -> Option<ScoreScale> {
    let (min, max) = match set {
        1 => (2, 12),
        2 => (1, 6),
        3 | 4 => (0, 3),
        5 | 6 => (0, 4),
        7 => (0, 30),
        8 => (0, 60),
        _ => return None,
    };
    Some(ScoreScale { min, max })
}

fn observed_range(scores: impl Iterator<Item = i32>) -> Option<ScoreScale> {
    let (mut lo, mut hi) = (i32::MAX, i32::MIN);
    for s in scores {
        lo = lo.min(s);
        hi = hi.max(s);
    }
    (lo < hi).then_some(ScoreScale { min: lo, max: hi })
}

/// Results for one essay set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetReport {
    /// Essays of the set over all folds.
    pub n: usize,
    pub qwk: f64,
    pub qwk_50: f64,
    /// Mean over the traits of the per-trait QWK (null when the set has no trait scores).
    pub traits_mean_qwk: Option<f64>,
    /// Per-trait QWK, trait 1 first (text rendering only).
    #[serde(skip)]
    pub trait_qwk: Vec<(usize, f64)>,
    /// Per-fold QWK (text rendering only).
    #[serde(skip)]
    pub fold_qwk: Vec<f64>,
    #[serde(skip)]
    pub scale: Option<ScoreScale>,
}

/// The whole evaluation; serializes to the JSON of `essayctl eval asap --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AsapReport {
    pub sets: BTreeMap<String, SetReport>,
    pub mean_qwk: f64,
    pub mean_qwk_50: f64,
    pub train_seconds_per_1000: f64,
    pub score_seconds_per_1000: f64,
}

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    pub train: TrainOptions,
    /// Only these sets (all when empty).
    pub sets: Vec<u32>,
    /// Skip the 50-essay measurement.
    pub skip_small_sample: bool,
    /// Skip the traits.
    pub skip_traits: bool,
}

fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}

#[derive(Default)]
struct Clock {
    train_seconds: f64,
    trained_essays: usize,
    score_seconds: f64,
    scored_essays: usize,
}

/// Runs the protocol on parsed folds.
pub fn evaluate(data: &AsapData, options: &EvalOptions) -> Result<AsapReport, AsapError> {
    let mut set_ids: Vec<u32> = data.folds.iter().flatten().map(|e| e.set).collect();
    set_ids.sort_unstable();
    set_ids.dedup();
    if !options.sets.is_empty() {
        set_ids.retain(|s| options.sets.contains(s));
    }
    let mut clock = Clock::default();
    let mut sets = BTreeMap::new();
    for &set in &set_ids {
        let folds: Vec<Vec<&AsapEssay>> = data
            .folds
            .iter()
            .map(|f| f.iter().filter(|e| e.set == set).collect())
            .collect();
        let n = folds.iter().map(Vec::len).sum();
        let Some(scale) = official_range(set).or_else(|| observed_range(folds.iter().flatten().map(|e| e.score)))
        else {
            continue;
        };
        let mut fold_qwk = Vec::new();
        let mut small_qwk = Vec::new();
        for k in 0..folds.len() {
            let training: Vec<&AsapEssay> = (0..folds.len())
                .filter(|&j| j != k)
                .flat_map(|j| folds[j].iter().copied())
                .collect();
            let test = &folds[k];
            if test.is_empty() || training.is_empty() {
                continue;
            }
            fold_qwk.push(train_and_score(
                &training,
                test,
                scale,
                &options.train,
                Some(&mut clock),
            )?);
            if !options.skip_small_sample && training.len() > SMALL_SAMPLE {
                for seed in 0..SMALL_SAMPLE_SEEDS {
                    let mut rng = SplitMix64::new(seed.wrapping_mul(0x9e37) ^ ((k as u64) << 32) ^ u64::from(set));
                    let pick: Vec<&AsapEssay> = rng
                        .permutation(training.len())
                        .into_iter()
                        .take(SMALL_SAMPLE)
                        .map(|i| training[i])
                        .collect();
                    match train_and_score(&pick, test, scale, &options.train, None) {
                        Ok(q) => small_qwk.push(q),
                        // A draw with a single score cannot train: that draw counts as no agreement.
                        Err(AsapError::Train(TrainError::SingleScore(_))) => small_qwk.push(0.0),
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        let (traits_mean_qwk, trait_qwk) = match (&data.trait_folds, options.skip_traits) {
            (Some(tf), false) => evaluate_traits(tf, set, &options.train)?,
            _ => (None, Vec::new()),
        };
        sets.insert(
            set.to_string(),
            SetReport {
                n,
                qwk: mean(&fold_qwk),
                qwk_50: mean(&small_qwk),
                traits_mean_qwk,
                trait_qwk,
                fold_qwk,
                scale: Some(scale),
            },
        );
    }
    let per_1000 = |s: f64, n: usize| if n == 0 { 0.0 } else { s / n as f64 * 1000.0 };
    Ok(AsapReport {
        mean_qwk: mean(&sets.values().map(|s| s.qwk).collect::<Vec<_>>()),
        mean_qwk_50: mean(&sets.values().map(|s| s.qwk_50).collect::<Vec<_>>()),
        train_seconds_per_1000: per_1000(clock.train_seconds, clock.trained_essays),
        score_seconds_per_1000: per_1000(clock.score_seconds, clock.scored_essays),
        sets,
    })
}

/// Trains on `training` with the service's [`train`] and returns the QWK on `test`.
fn train_and_score(
    training: &[&AsapEssay],
    test: &[&AsapEssay],
    scale: ScoreScale,
    options: &TrainOptions,
    clock: Option<&mut Clock>,
) -> Result<f64, AsapError> {
    let exemplars: Vec<Exemplar<'_>> = training
        .iter()
        .map(|e| Exemplar {
            text: &e.text,
            score: e.score.clamp(scale.min, scale.max),
        })
        .collect();
    let started = Instant::now();
    let model = train("", scale, &exemplars, options)?;
    let trained = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let pred: Vec<i32> = test.iter().map(|e| model.predict(&e.text).score).collect();
    let scored = started.elapsed().as_secs_f64();
    if let Some(c) = clock {
        c.train_seconds += trained;
        c.trained_essays += training.len();
        c.score_seconds += scored;
        c.scored_essays += test.len();
    }
    let gold: Vec<i32> = test.iter().map(|e| e.score).collect();
    Ok(qwk(&pred, &gold, scale.min, scale.max))
}

/// The mean over a set's traits (none without traits) and each trait's QWK, trait 1 first.
type TraitResults = (Option<f64>, Vec<(usize, f64)>);

/// Per-trait QWK of one set (mean over folds), and their mean. A trait counts for a set when
/// every essay of the set has it; its range is the one observed over all folds.
fn evaluate_traits(
    trait_folds: &[Vec<AsapEssay>],
    set: u32,
    options: &TrainOptions,
) -> Result<TraitResults, AsapError> {
    let folds: Vec<Vec<&AsapEssay>> = trait_folds
        .iter()
        .map(|f| f.iter().filter(|e| e.set == set).collect())
        .collect();
    let all: Vec<&AsapEssay> = folds.iter().flatten().copied().collect();
    if all.is_empty() {
        return Ok((None, Vec::new()));
    }
    let width = all.iter().map(|e| e.traits.len()).min().unwrap_or(0);
    let traits: Vec<(usize, ScoreScale)> = (0..width)
        .filter(|&t| all.iter().all(|e| e.traits[t].is_some()))
        .filter_map(|t| observed_range(all.iter().filter_map(|e| e.traits[t])).map(|s| (t, s)))
        .collect();
    if traits.is_empty() {
        return Ok((None, Vec::new()));
    }
    let options = TrainOptions {
        learning_curve: false,
        ..options.clone()
    };
    let mut per_trait: Vec<Vec<f64>> = vec![Vec::new(); traits.len()];
    for k in 0..folds.len() {
        let training: Vec<&AsapEssay> = (0..folds.len())
            .filter(|&j| j != k)
            .flat_map(|j| folds[j].iter().copied())
            .collect();
        let test = &folds[k];
        if test.is_empty() || training.is_empty() {
            continue;
        }
        let texts: Vec<&str> = training.iter().map(|e| e.text.as_str()).collect();
        // The texts are analysed once for all of the set's traits.
        let exemplars = ExemplarTexts::analyse("", &texts, options.ngrams);
        let mut models = Vec::new();
        for &(t, scale) in &traits {
            let scores: Vec<i32> = training.iter().map(|e| e.traits[t].unwrap_or(scale.min)).collect();
            models.push(exemplars.train(scale, &scores, &options)?);
        }
        let Some(first) = models.first() else {
            continue;
        };
        let analysed: Vec<_> = test.iter().map(|e| first.analyse(&e.text)).collect();
        for (m, (model, &(t, scale))) in models.iter().zip(&traits).enumerate() {
            let pred: Vec<i32> = analysed.iter().map(|a| model.predict_analysed(a).score).collect();
            let gold: Vec<i32> = test.iter().map(|e| e.traits[t].unwrap_or(scale.min)).collect();
            per_trait[m].push(qwk(&pred, &gold, scale.min, scale.max));
        }
    }
    let trait_qwk: Vec<(usize, f64)> = traits
        .iter()
        .zip(&per_trait)
        .map(|(&(t, _), q)| (t + 1, mean(q)))
        .collect();
    let m = mean(&trait_qwk.iter().map(|t| t.1).collect::<Vec<_>>());
    Ok((Some(m), trait_qwk))
}

impl fmt::Display for AsapReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "set      n  range   QWK    QWK@50  traits  per fold / per trait")?;
        for (set, r) in &self.sets {
            let range = r.scale.map_or(String::new(), |s| format!("{}-{}", s.min, s.max));
            let traits = r
                .traits_mean_qwk
                .map_or_else(|| "  -   ".to_string(), |t| format!("{t:.3} "));
            let folds: Vec<String> = r.fold_qwk.iter().map(|q| format!("{q:.3}")).collect();
            let per_trait: Vec<String> = r.trait_qwk.iter().map(|(t, q)| format!("t{t} {q:.3}")).collect();
            writeln!(
                f,
                "{set:<4} {:>5}  {range:<6} {:.3}   {:.3}   {traits}  [{}] [{}]",
                r.n,
                r.qwk,
                r.qwk_50,
                folds.join(" "),
                per_trait.join(", ")
            )?;
        }
        writeln!(f, "mean              {:.3}   {:.3}", self.mean_qwk, self.mean_qwk_50)?;
        write!(
            f,
            "training {:.2} s and scoring {:.2} s per 1,000 essays",
            self.train_seconds_per_1000, self.score_seconds_per_1000
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_files_parse_quotes_crlf_bom_and_blank_traits() {
        let content = "\u{feff}essay_id\tessay_set\tessay\tdomain1_score\ttrait1_score\ttrait2_score\r\n\
                       7\t3\t\"He said \"\"hi\"\"\tand left.\"\t2\t1\t\r\n\
                       8\t3\t\"Two\nlines\"\t0\t0\t1\n";
        let essays = parse_fold("t.tsv", content).unwrap();
        assert_eq!(essays.len(), 2);
        assert_eq!(essays[0].text, "He said \"hi\"\tand left.");
        assert_eq!(essays[0].traits, vec![Some(1), None]);
        assert_eq!(essays[1].text, "Two\nlines");
        assert_eq!((essays[1].id, essays[1].set, essays[1].score), (8, 3, 0));
    }

    #[test]
    fn a_missing_score_column_is_named() {
        let err = parse_fold("f.tsv", "essay_id\tessay_set\tessay\n1\t1\t\"x\"\n").unwrap_err();
        assert_eq!(err.to_string(), "f.tsv: the header has no `domain1_score` column");
    }

    #[test]
    fn report_serializes_to_the_documented_shape() {
        let mut sets = BTreeMap::new();
        sets.insert(
            "1".to_string(),
            SetReport {
                n: 10,
                qwk: 0.5,
                qwk_50: 0.25,
                traits_mean_qwk: None,
                trait_qwk: vec![],
                fold_qwk: vec![0.5],
                scale: None,
            },
        );
        let r = AsapReport {
            sets,
            mean_qwk: 0.5,
            mean_qwk_50: 0.25,
            train_seconds_per_1000: 1.0,
            score_seconds_per_1000: 0.5,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"sets":{"1":{"n":10,"qwk":0.5,"qwk_50":0.25,"traits_mean_qwk":null}},"mean_qwk":0.5,"mean_qwk_50":0.25,"train_seconds_per_1000":1.0,"score_seconds_per_1000":0.5}"#
        );
    }
}
