//! The rubric a grade is computed against: the four criteria, their weights, the maximum mark,
//! the bands a total falls into, and the confidence below which a grade goes to a human.

use std::fmt;

/// A criterion of the history rubric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Criterion {
    Thesis,
    Evidence,
    Historiography,
    Balance,
}

impl Criterion {
    /// Every criterion, in the order of [`Rubric::weights`] and of [`Grade::criteria`](super::Grade).
    pub const ALL: [Criterion; 4] = [
        Criterion::Thesis,
        Criterion::Evidence,
        Criterion::Historiography,
        Criterion::Balance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Criterion::Thesis => "thesis",
            Criterion::Evidence => "evidence",
            Criterion::Historiography => "historiography",
            Criterion::Balance => "balance",
        }
    }

    /// Parses the snake_case name used in cases files and APIs.
    pub fn parse(name: &str) -> Option<Criterion> {
        Criterion::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// Position in [`Criterion::ALL`].
    pub fn index(self) -> usize {
        match self {
            Criterion::Thesis => 0,
            Criterion::Evidence => 1,
            Criterion::Historiography => 2,
            Criterion::Balance => 3,
        }
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A mark band: a total at or above `min_mark` (and below the next band's) gets `label`.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub label: String,
    pub min_mark: f64,
}

/// How grades are totalled and banded.
#[derive(Debug, Clone, PartialEq)]
pub struct Rubric {
    pub name: String,
    pub version: u32,
    /// One weight per criterion, in [`Criterion::ALL`] order.
    pub weights: [f64; 4],
    pub max_mark: f64,
    /// Ascending by `min_mark`; the first starts at 0.
    pub bands: Vec<Band>,
    /// A grade whose confidence is below this goes to human review.
    pub review_threshold: f64,
    /// Coverage (0..1) of an essay by passages shared with another stored
    /// essay above which its grade is flagged `copied` (default 0.2).
    pub copy_threshold: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RubricError {
    EmptyName,
    BadWeight { criterion: Criterion, weight: f64 },
    ZeroWeights,
    BadMaxMark(f64),
    NoBands,
    BandsNotAscending { label: String },
    FirstBandNotZero(f64),
    BandAboveMax { label: String },
    BadThreshold { name: &'static str, value: f64 },
}

impl fmt::Display for RubricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RubricError::EmptyName => write!(f, "rubric name is empty"),
            RubricError::BadWeight { criterion, weight } => {
                write!(f, "weight of {criterion} must be a finite number >= 0, got {weight}")
            }
            RubricError::ZeroWeights => write!(f, "at least one criterion weight must be > 0"),
            RubricError::BadMaxMark(m) => {
                write!(f, "maximum mark must be a finite number > 0, got {m}")
            }
            RubricError::NoBands => write!(f, "rubric has no bands"),
            RubricError::BandsNotAscending { label } => write!(
                f,
                "band {label:?} must have a finite minimum mark above the previous band's"
            ),
            RubricError::FirstBandNotZero(m) => {
                write!(f, "the first band must start at mark 0, got {m}")
            }
            RubricError::BandAboveMax { label } => {
                write!(f, "band {label:?} starts above the maximum mark")
            }
            RubricError::BadThreshold { name, value } => {
                write!(f, "{name} must be between 0 and 1, got {value}")
            }
        }
    }
}

impl std::error::Error for RubricError {}

impl Rubric {
    /// The default history rubric of RUBRIC.md: equal weights, out of 20, five levels.
    pub fn history_default() -> Rubric {
        let band = |label: &str, min_mark: f64| Band {
            label: label.to_string(),
            min_mark,
        };
        Rubric {
            name: "history-default".to_string(),
            version: 1,
            weights: [1.0; 4],
            max_mark: 20.0,
            bands: vec![
                band("No credit", 0.0),
                band("Level 1", 1.0),
                band("Level 2", 5.0),
                band("Level 3", 9.0),
                band("Level 4", 13.0),
                band("Level 5", 17.0),
            ],
            review_threshold: 0.5,
            copy_threshold: 0.2,
        }
    }

    pub fn validate(&self) -> Result<(), RubricError> {
        if self.name.trim().is_empty() {
            return Err(RubricError::EmptyName);
        }
        for c in Criterion::ALL {
            let w = self.weights[c.index()];
            if !w.is_finite() || w < 0.0 {
                return Err(RubricError::BadWeight {
                    criterion: c,
                    weight: w,
                });
            }
        }
        if self.weights.iter().sum::<f64>() <= 0.0 {
            return Err(RubricError::ZeroWeights);
        }
        if !self.max_mark.is_finite() || self.max_mark <= 0.0 {
            return Err(RubricError::BadMaxMark(self.max_mark));
        }
        let Some(first) = self.bands.first() else {
            return Err(RubricError::NoBands);
        };
        if first.min_mark != 0.0 {
            return Err(RubricError::FirstBandNotZero(first.min_mark));
        }
        for pair in self.bands.windows(2) {
            if !pair[1].min_mark.is_finite() || pair[1].min_mark <= pair[0].min_mark {
                return Err(RubricError::BandsNotAscending {
                    label: pair[1].label.clone(),
                });
            }
        }
        if let Some(b) = self.bands.iter().find(|b| b.min_mark > self.max_mark) {
            return Err(RubricError::BandAboveMax { label: b.label.clone() });
        }
        for (name, value) in [
            ("review_threshold", self.review_threshold),
            ("copy_threshold", self.copy_threshold),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(RubricError::BadThreshold { name, value });
            }
        }
        Ok(())
    }

    /// The band a mark falls into: the last band whose minimum is at or below it (the first
    /// band for marks below every minimum, including NaN).
    pub fn band_for(&self, mark: f64) -> &Band {
        static NONE: Band = Band {
            label: String::new(),
            min_mark: 0.0,
        };
        self.bands
            .iter()
            .rev()
            .find(|b| b.min_mark <= mark)
            .or(self.bands.first())
            .unwrap_or(&NONE)
    }

    /// Weighted total of the criterion levels (0–5 each), rescaled to `max_mark`.
    pub fn total(&self, levels: [u8; 4]) -> f64 {
        let weight_sum: f64 = self.weights.iter().sum();
        if weight_sum <= 0.0 {
            return 0.0;
        }
        let weighted: f64 = levels.iter().zip(self.weights).map(|(&l, w)| f64::from(l) * w).sum();
        weighted / (weight_sum * 5.0) * self.max_mark
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rubric_is_valid_and_bands_follow_the_rubric() {
        let r = Rubric::history_default();
        assert_eq!(r.validate(), Ok(()));
        assert_eq!(r.band_for(0.0).label, "No credit");
        assert_eq!(r.band_for(4.0).label, "Level 1");
        assert_eq!(r.band_for(5.0).label, "Level 2");
        assert_eq!(r.band_for(12.0).label, "Level 3");
        assert_eq!(r.band_for(16.0).label, "Level 4");
        assert_eq!(r.band_for(20.0).label, "Level 5");
        assert_eq!(r.band_for(f64::NAN).label, "No credit");
    }

    #[test]
    fn total_is_the_weighted_mean_level_rescaled() {
        let r = Rubric::history_default();
        assert_eq!(r.total([5, 5, 5, 5]), 20.0);
        assert_eq!(r.total([1, 2, 3, 2]), 8.0);
        let mut w = r.clone();
        w.weights = [2.0, 1.0, 1.0, 0.0];
        assert_eq!(w.total([5, 0, 0, 5]), 10.0);
    }

    #[test]
    fn invalid_rubrics_are_rejected_with_a_reason() {
        let mut r = Rubric::history_default();
        r.weights = [0.0; 4];
        assert_eq!(r.validate(), Err(RubricError::ZeroWeights));
        let mut r = Rubric::history_default();
        r.bands.swap(1, 2);
        assert!(matches!(r.validate(), Err(RubricError::BandsNotAscending { .. })));
        let mut r = Rubric::history_default();
        r.review_threshold = 1.5;
        assert!(r.validate().unwrap_err().to_string().contains("review_threshold"));
        let mut r = Rubric::history_default();
        r.weights[1] = f64::NAN;
        assert!(matches!(r.validate(), Err(RubricError::BadWeight { .. })));
    }

    #[test]
    fn criteria_round_trip_through_their_names() {
        for c in Criterion::ALL {
            assert_eq!(Criterion::parse(c.as_str()), Some(c));
            assert_eq!(Criterion::ALL[c.index()], c);
        }
    }
}
