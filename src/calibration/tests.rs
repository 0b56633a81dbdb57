//! Behaviour of training and scoring as the service sees it.

use std::sync::OnceLock;

use proptest::prelude::*;

use super::validation::SplitMix64;
use super::*;

fn scale(min: i32, max: i32) -> ScoreScale {
    ScoreScale::new(min, max).unwrap()
}

/// Essays whose score shows in their words: each point adds a developed, connected sentence;
/// weak essays repeat short fillers with misspellings. Deterministic for a seed.
fn synthetic_essay(score: i32, rng: &mut SplitMix64) -> String {
    const STRONG: [&str; 6] = [
        "Consequently, the evidence demonstrates that the policy transformed local industry.",
        "However, historians such as Taylor argue that the causes were primarily economic.",
        "This suggests that the reforms, although limited, reshaped political participation.",
        "Furthermore, the statistics from 1931 reveal a dramatic decline in unemployment.",
        "Therefore, the argument that leadership mattered most is ultimately convincing.",
        "In contrast, the regional records indicate considerable variation between towns.",
    ];
    const WEAK: [&str; 4] = [
        "it was bad becuase things happend.",
        "i think it was good and stuff.",
        "alot of peple did things.",
        "this is why it happend like that.",
    ];
    let mut parts: Vec<&str> = Vec::new();
    for _ in 0..(4 - score).max(0) + 1 {
        parts.push(WEAK[rng.below(WEAK.len())]);
    }
    for _ in 0..score * 2 {
        parts.push(STRONG[rng.below(STRONG.len())]);
    }
    parts.join(" ")
}

fn synthetic_set(n: usize, seed: u64) -> Vec<(String, i32)> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|i| {
            let score = (i % 5) as i32;
            (synthetic_essay(score, &mut rng), score)
        })
        .collect()
}

fn exemplars(set: &[(String, i32)]) -> Vec<Exemplar<'_>> {
    set.iter()
        .map(|(text, score)| Exemplar { text, score: *score })
        .collect()
}

fn quick_options() -> TrainOptions {
    TrainOptions {
        learning_curve: false,
        ..TrainOptions::default()
    }
}

/// One model trained on the synthetic set, shared by the tests that only score.
fn synthetic_model() -> &'static ScoringModel {
    static MODEL: OnceLock<ScoringModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let set = synthetic_set(60, 1);
        train("", scale(0, 4), &exemplars(&set), &TrainOptions::default()).unwrap()
    })
}

#[test]
fn training_with_no_exemplars_says_how_many_to_mark() {
    let err = train("", scale(0, 4), &[], &quick_options()).unwrap_err();
    assert_eq!(err, TrainError::NoExemplars);
    assert_eq!(
        err.to_string(),
        "the assignment has no marked essays yet: mark at least 20 to train a scoring model"
    );
}

#[test]
fn too_few_exemplars_say_how_many_more_are_needed() {
    let set = synthetic_set(5, 2);
    let err = train("", scale(0, 4), &exemplars(&set), &quick_options()).unwrap_err();
    assert_eq!(
        err,
        TrainError::TooFewExemplars {
            have: 5,
            need: MIN_EXEMPLARS
        }
    );
    assert_eq!(
        err.to_string(),
        "5 marked essays are not enough to train a scoring model: mark at least 20 (15 more)"
    );
}

#[test]
fn exemplars_that_all_share_one_score_are_refused() {
    let set: Vec<(String, i32)> = synthetic_set(25, 3).into_iter().map(|(t, _)| (t, 2)).collect();
    let err = train("", scale(0, 4), &exemplars(&set), &quick_options()).unwrap_err();
    assert_eq!(err, TrainError::SingleScore(2));
    assert!(err.to_string().starts_with("every marked essay has the score 2"));
}

#[test]
fn a_score_outside_the_scale_names_the_essay_and_the_scale() {
    let mut set = synthetic_set(25, 4);
    set[2].1 = 7;
    let err = train("", scale(0, 4), &exemplars(&set), &quick_options()).unwrap_err();
    assert_eq!(
        err,
        TrainError::ScoreOutOfScale {
            index: 2,
            score: 7,
            scale: scale(0, 4)
        }
    );
    assert_eq!(
        err.to_string(),
        "marked essay 3 has the score 7, outside the assignment's scale 0–4"
    );
}

#[test]
fn unusable_scales_are_refused() {
    for (min, max) in [(3, 3), (5, 1), (0, 101), (i32::MIN, i32::MAX)] {
        let err = ScoreScale::new(min, max).unwrap_err();
        assert_eq!(err, TrainError::InvalidScale(ScoreScale { min, max }));
    }
    assert!(ScoreScale::new(0, 100).is_ok());
}

#[test]
fn scores_and_texts_must_pair_up() {
    let set = synthetic_set(25, 5);
    let texts: Vec<&str> = set.iter().map(|(t, _)| t.as_str()).collect();
    let analysed = ExemplarTexts::analyse("", &texts, NgramConfig::default());
    let err = analysed.train(scale(0, 4), &[1, 2], &quick_options()).unwrap_err();
    assert_eq!(err, TrainError::ScoreCountMismatch { texts: 25, scores: 2 });
}

#[test]
fn the_model_learns_an_obvious_signal() {
    let model = synthetic_model();
    let report = model.report();
    assert_eq!(report.n_exemplars, 60);
    assert!(report.cv_qwk > 0.9, "cv qwk {}", report.cv_qwk);
    assert_eq!(report.score_counts, vec![(0, 12), (1, 12), (2, 12), (3, 12), (4, 12)]);
    // Unseen essays of each score land on (or next to) their score, in order.
    let mut rng = SplitMix64::new(99);
    let mut previous = f64::NEG_INFINITY;
    for score in 0..=4 {
        let p = model.predict(&synthetic_essay(score, &mut rng));
        assert!((p.score - score).abs() <= 1, "{score}: {p:?}");
        assert!(p.raw > previous, "{score}: {p:?}");
        previous = p.raw;
    }
}

#[test]
fn the_learning_curve_ends_at_the_cross_validated_kappa() {
    let report = synthetic_model().report();
    let last = report.learning_curve.last().unwrap();
    assert_eq!(last.qwk, report.cv_qwk);
    assert_eq!(last.n, 59);
    assert_eq!(report.learning_curve[0].n, MIN_EXEMPLARS);
    assert!(report.learning_curve.windows(2).all(|w| w[0].n < w[1].n));
}

#[test]
fn the_stand_alone_model_matches_the_fit_for_every_length_power() {
    let set = synthetic_set(40, 5);
    let texts: Vec<&str> = set.iter().map(|(t, _)| t.as_str()).collect();
    let scores: Vec<i32> = set.iter().map(|(_, s)| *s).collect();
    let analysed = ExemplarTexts::analyse("", &texts, NgramConfig::default());
    let rep = Representation::build(&analysed.essays, NgramConfig::default());
    let idx: Vec<usize> = (0..40).collect();
    for beta in LENGTH_POWERS {
        let fit = fit_subset_with(&rep, &idx, &scores, scale(0, 4), &[beta]);
        let raw: Vec<f64> = (0..40).map(|t| fit.raw(&rep, t)).collect();
        let report = TrainingReport {
            n_exemplars: 40,
            scale: scale(0, 4),
            cv_qwk: 0.0,
            learning_curve: Vec::new(),
            score_counts: Vec::new(),
        };
        let model = fit.into_model(&rep, "", scale(0, 4), report);
        for (t, essay) in analysed.essays.iter().enumerate() {
            let p = model.predict_features(essay).raw;
            assert!((p - raw[t]).abs() < 1e-3, "β {beta}, text {t}: {p} vs {}", raw[t]);
        }
    }
}

#[test]
fn training_twice_gives_the_same_bytes() {
    let set = synthetic_set(30, 6);
    let a = train("Why?", scale(0, 4), &exemplars(&set), &TrainOptions::default()).unwrap();
    let b = train("Why?", scale(0, 4), &exemplars(&set), &TrainOptions::default()).unwrap();
    assert_eq!(a.to_bytes(), b.to_bytes());
}

#[test]
fn a_stored_model_scores_exactly_as_the_trained_one() {
    let model = synthetic_model();
    let bytes = model.to_bytes();
    assert_eq!(bytes[0], MODEL_FORMAT_VERSION);
    let back = ScoringModel::from_bytes(&bytes).unwrap();
    assert_eq!(back.report(), model.report());
    assert_eq!(back.to_bytes(), bytes);
    let mut rng = SplitMix64::new(7);
    for score in 0..=4 {
        let text = synthetic_essay(score, &mut rng);
        assert_eq!(back.predict(&text), model.predict(&text));
    }
}

#[test]
fn a_model_stored_in_format_2_still_scores_with_the_full_idf_and_stays_format_2() {
    let model = synthetic_model();
    let mut bytes = model.to_bytes();
    assert_eq!(bytes[0], 3);
    bytes[0] = OLDEST_MODEL_FORMAT_VERSION;
    let old = ScoringModel::from_bytes(&bytes).unwrap();
    assert!(!old.data.vocabulary.sqrt_idf());
    assert_eq!(old.to_bytes(), bytes);
    // The same weights over full-idf vectors: a different raw prediction.
    let mut rng = SplitMix64::new(7);
    let text = synthetic_essay(3, &mut rng);
    assert_ne!(old.predict(&text).raw, model.predict(&text).raw);
}

#[test]
fn damaged_model_bytes_are_an_error_not_a_panic() {
    let bytes = synthetic_model().to_bytes();
    assert_eq!(ScoringModel::from_bytes(&[]).unwrap_err(), ModelDecodeError::Empty);
    for version in [1, MODEL_FORMAT_VERSION + 1, 99] {
        let mut wrong_version = bytes.clone();
        wrong_version[0] = version;
        assert_eq!(
            ScoringModel::from_bytes(&wrong_version).unwrap_err(),
            ModelDecodeError::UnsupportedVersion { found: version }
        );
    }
    assert!(matches!(
        ScoringModel::from_bytes(&bytes[..bytes.len() / 2]),
        Err(ModelDecodeError::Corrupt(_))
    ));
}

#[test]
fn one_analysis_serves_models_for_several_score_columns() {
    let set = synthetic_set(40, 8);
    let texts: Vec<&str> = set.iter().map(|(t, _)| t.as_str()).collect();
    let overall: Vec<i32> = set.iter().map(|s| s.1).collect();
    let halved: Vec<i32> = overall.iter().map(|s| s / 2).collect();
    let analysed = ExemplarTexts::analyse("", &texts, NgramConfig::default());
    let a = analysed.train(scale(0, 4), &overall, &TrainOptions::default()).unwrap();
    let b = analysed.train(scale(0, 2), &halved, &TrainOptions::default()).unwrap();
    // The same as training each from scratch.
    assert_eq!(
        a.to_bytes(),
        train("", scale(0, 4), &exemplars(&set), &TrainOptions::default())
            .unwrap()
            .to_bytes()
    );
    let essay = b.analyse(texts[0]);
    assert_eq!(b.predict_analysed(&essay), b.predict(texts[0]));
    assert_eq!(a.predict_analysed(&essay), a.predict(texts[0]));
}

#[test]
fn asap_set_3_is_learned_from_a_small_sample() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/asap");
    let (Ok(train_file), Ok(test_file)) = (
        std::fs::read_to_string(format!("{dir}/fold_0.tsv")),
        std::fs::read_to_string(format!("{dir}/fold_1.tsv")),
    ) else {
        eprintln!("ASAP data not found at {dir}: skipped");
        return;
    };
    let set3 = |content: &str, file: &str, n: usize| -> Vec<(String, i32)> {
        crate::eval::asap::parse_fold(file, content)
            .unwrap()
            .into_iter()
            .filter(|e| e.set == 3)
            .take(n)
            .map(|e| (e.text, e.score))
            .collect()
    };
    let training = set3(&train_file, "fold_0.tsv", 150);
    let test = set3(&test_file, "fold_1.tsv", 150);
    let model = train("", scale(0, 3), &exemplars(&training), &quick_options()).unwrap();
    let pred: Vec<i32> = test.iter().map(|(t, _)| model.predict(t).score).collect();
    let gold: Vec<i32> = test.iter().map(|(_, s)| *s).collect();
    let q = cutpoints::qwk(&pred, &gold, 0, 3);
    assert!(q > 0.5, "held-out QWK {q}");
    assert!(model.report().cv_qwk > 0.5, "{:?}", model.report());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_text_gets_a_score_on_the_scale(text in "\\PC{0,400}") {
        let p = synthetic_model().predict(&text);
        prop_assert!((0..=4).contains(&p.score));
        prop_assert!(p.raw.is_finite());
    }
}
