//! Relevance to the question: which of the question's key terms (and pairs of adjacent key
//! terms, such as "foreign policy") the essay uses, where, and whether its dates fall in the
//! question's period.

use super::super::lexicon::cue;
use super::super::text::{Analysis, TokenKind, tf};
use super::Structure;

/// A crude stem: up to five lowercase chars of the word without a possessive or plural "s".
/// Enough to match "German"/"Germany", "policy"/"policies", "success"/"successful".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stem {
    chars: [char; 5],
    len: u8,
}

impl Stem {
    pub fn of(word: &str) -> Stem {
        let mut buf = ['\0'; 12];
        let mut n = 0;
        if word.is_ascii() {
            for &b in word.as_bytes().iter().take(buf.len()) {
                buf[n] = char::from(b.to_ascii_lowercase());
                n += 1;
            }
        } else {
            for c in word.chars().flat_map(char::to_lowercase) {
                if n == buf.len() {
                    break;
                }
                buf[n] = c;
                n += 1;
            }
        }
        // Drop a plural "s" (not "ss").
        if n > 3 && buf[n - 1] == 's' && buf[n - 2] != 's' && n < buf.len() {
            n -= 1;
        }
        let mut chars = ['\0'; 5];
        let len = n.min(5);
        chars[..len].copy_from_slice(&buf[..len]);
        Stem { chars, len: len as u8 }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub stem: Stem,
    pub weight: f64,
    /// Capitalised in the question (not as its first word): a name such as "Germany".
    pub proper: bool,
    /// An evaluative word of the question ("successful", "responsible", "significant").
    pub judgement: bool,
    /// Generic ("war", "world", "first"): capitalised in the question, it matches only
    /// capitalised uses ("the First World War", not "placed first").
    pub generic: bool,
}

/// The key terms of a question.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuestionTerms {
    pub terms: Vec<Term>,
    /// Indices into `terms` of adjacent pairs in the question.
    pub bigrams: Vec<(usize, usize)>,
    /// The question's earliest and latest year, if it names any.
    pub years: Option<(u32, u32)>,
}

impl QuestionTerms {
    pub fn from_question(q: &Analysis<'_>) -> QuestionTerms {
        let mut out = QuestionTerms::default();
        let mut prev_term: Option<usize> = None;
        let mut years: Vec<u32> = Vec::new();
        for (i, t) in q.tokens.iter().enumerate() {
            match t.kind {
                TokenKind::Number => {
                    if let Some(y) = year_value(q.tok_str(i)) {
                        years.push(y);
                    }
                    prev_term = None;
                }
                TokenKind::Word => {
                    if t.has(cue::STOP | cue::INSTRUCTION) || q.tok_str(i).chars().count() < 3 {
                        prev_term = None;
                        continue;
                    }
                    let stem = Stem::of(q.base_str(i));
                    let capitalised = t.flag(tf::CAP) && !t.flag(tf::SENT_START);
                    let generic = t.has(cue::GENERIC_TOPIC);
                    let proper = capitalised && !generic;
                    let judgement = !capitalised && !generic && is_evaluative(q.base_str(i), t.cues);
                    let weight = if generic {
                        0.5
                    } else if proper {
                        2.0
                    } else {
                        1.0
                    };
                    let idx = match out.terms.iter().position(|x| x.stem == stem) {
                        Some(k) => k,
                        None => {
                            out.terms.push(Term {
                                stem,
                                weight,
                                proper,
                                judgement,
                                generic: generic && capitalised,
                            });
                            out.terms.len() - 1
                        }
                    };
                    if let Some(p) = prev_term
                        && p != idx
                        && !out.bigrams.contains(&(p, idx))
                    {
                        out.bigrams.push((p, idx));
                    }
                    prev_term = Some(idx);
                }
                TokenKind::Punct => {
                    if !matches!(t.ch, '-' | '–') {
                        prev_term = None;
                    }
                }
            }
        }
        if let (Some(&lo), Some(&hi)) = (years.iter().min(), years.iter().max()) {
            out.years = Some((lo, hi));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.years.is_none()
    }

    /// Index of the term a word matches, if any.
    pub fn term_of(&self, word: &str) -> Option<usize> {
        if self.terms.is_empty() {
            return None;
        }
        let s = Stem::of(word);
        self.terms.iter().position(|t| t.stem == s)
    }

    /// Like [`term_of`](Self::term_of), for a token: capitalised generic terms need a
    /// capitalised use.
    pub fn term_of_token(&self, a: &Analysis<'_>, i: usize) -> Option<usize> {
        let t = &a.tokens[i];
        if !t.is_word() || t.has(cue::STOP) {
            return None;
        }
        let k = self.term_of(a.base_str(i))?;
        if self.terms[k].generic && !t.flag(tf::CAP) {
            return None;
        }
        Some(k)
    }

    /// The question has terms other than generic ones.
    pub fn has_specific_terms(&self) -> bool {
        self.terms.iter().any(|t| !t.generic && t.weight >= 1.0)
    }
}

/// An evaluative word: a verdict word, or an adjective of judgement by its ending.
fn is_evaluative(word: &str, cues: u64) -> bool {
    if cues & cue::VERDICT != 0 {
        return true;
    }
    let w = word.to_ascii_lowercase();
    ["ful", "ible", "able", "ive", "ant", "ent", "ous"]
        .iter()
        .any(|suf| w.len() > suf.len() + 3 && w.ends_with(suf))
}

/// Parses a plain four-digit year (1000–2099).
pub fn year_value(s: &str) -> Option<u32> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: u32 = s.parse().ok()?;
    (1000..=2099).contains(&v).then_some(v)
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Relevance {
    /// The question has terms to judge relevance by.
    pub judged: bool,
    /// Weighted share of the question's terms the essay uses anywhere (0..1).
    pub coverage: f64,
    /// Share of the question's adjacent term pairs the essay uses.
    pub bigram_coverage: f64,
    /// Share of live paragraphs that use at least one key term.
    pub paragraph_coverage: f64,
    /// Of the essay's years, the share inside the question's period (±5 years); 1 when
    /// the question names no period or the essay no years.
    pub dates_in_period: f64,
    /// Weighted share of the terms used in the introduction or conclusion.
    pub frame_coverage: f64,
    /// Key terms used in the introduction / conclusion.
    pub intro_terms: usize,
    pub conclusion_terms: usize,
    /// The combined relevance, 0..1.
    pub score: f64,
    /// Per token: index of the matched key term.
    pub term_hits: Vec<(usize, usize)>,
}

pub fn detect(a: &Analysis<'_>, q: &QuestionTerms, st: &Structure) -> Relevance {
    let mut r = Relevance {
        judged: !q.terms.is_empty(),
        ..Relevance::default()
    };
    let mut found = vec![false; q.terms.len()];
    let mut bigram_found = vec![false; q.bigrams.len()];
    let mut para_hit = vec![false; a.paragraphs.len()];
    let mut years_total = 0usize;
    let mut years_in = 0usize;
    let mut intro_terms = vec![false; q.terms.len()];
    let mut concl_terms = vec![false; q.terms.len()];
    for (si, s) in a.live_sentences() {
        let mut prev: Option<usize> = None;
        for i in s.tok_start..s.tok_end {
            let t = &a.tokens[i];
            match t.kind {
                TokenKind::Word => {
                    let hit = q.term_of_token(a, i);
                    if let Some(k) = hit {
                        found[k] = true;
                        para_hit[s.paragraph] = true;
                        r.term_hits.push((i, k));
                        if st.intro.contains(&si) {
                            intro_terms[k] = true;
                        }
                        if st.conclusion.contains(&si) {
                            concl_terms[k] = true;
                        }
                        if let Some(p) = prev
                            && let Some(b) = q.bigrams.iter().position(|&(x, y)| x == p && y == k)
                        {
                            bigram_found[b] = true;
                        }
                    }
                    prev = hit;
                }
                TokenKind::Number => {
                    prev = None;
                    if let (Some(y), Some((lo, hi))) = (year_value(a.tok_str(i)), q.years) {
                        years_total += 1;
                        if y + 5 >= lo && y <= hi + 5 {
                            years_in += 1;
                        }
                    }
                }
                TokenKind::Punct => {
                    if !matches!(t.ch, '-' | '–') {
                        prev = None;
                    }
                }
            }
        }
    }
    let total_w: f64 = q.terms.iter().map(|t| t.weight).sum();
    let found_w: f64 = q
        .terms
        .iter()
        .zip(&found)
        .filter(|(_, f)| **f)
        .map(|(t, _)| t.weight)
        .sum();
    r.coverage = if total_w > 0.0 { found_w / total_w } else { 1.0 };
    r.bigram_coverage = if q.bigrams.is_empty() {
        r.coverage
    } else {
        bigram_found.iter().filter(|b| **b).count() as f64 / q.bigrams.len() as f64
    };
    let live = a.live_paragraphs.len().max(1);
    r.paragraph_coverage = a.live_paragraphs.iter().filter(|&&p| para_hit[p]).count() as f64 / live as f64;
    r.dates_in_period = if years_total >= 4 {
        years_in as f64 / years_total as f64
    } else {
        1.0
    };
    r.intro_terms = intro_terms.iter().filter(|x| **x).count();
    r.conclusion_terms = concl_terms.iter().filter(|x| **x).count();
    let frame_w: f64 = q
        .terms
        .iter()
        .enumerate()
        .filter(|(k, _)| intro_terms[*k] || concl_terms[*k])
        .map(|(_, t)| t.weight)
        .sum();
    r.frame_coverage = if total_w > 0.0 { frame_w / total_w } else { 1.0 };
    // The introduction and conclusion frame the answer: an essay on another question may share
    // the question's generic words in its body but rarely its focus in its frame.
    let mut score = 0.35 * r.coverage + 0.2 * r.bigram_coverage + 0.15 * r.paragraph_coverage + 0.3 * r.frame_coverage;
    if r.dates_in_period < 0.2 {
        score *= 0.6;
    }
    r.score = if r.judged { score.clamp(0.0, 1.0) } else { 1.0 };
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_match_inflections() {
        assert_eq!(Stem::of("Germany"), Stem::of("German"));
        assert_eq!(Stem::of("policies"), Stem::of("policy"));
        assert_eq!(Stem::of("successful"), Stem::of("success"));
        assert_ne!(Stem::of("war"), Stem::of("world"));
        assert_eq!(Stem::of("wars"), Stem::of("war"));
    }

    #[test]
    fn question_terms_skip_instruction_words_and_keep_years() {
        let q = Analysis::new("How successful was Soviet foreign policy in the years 1925–1945?");
        let terms = QuestionTerms::from_question(&q);
        assert_eq!(terms.years, Some((1925, 1945)));
        assert!(terms.term_of("Soviet").is_some());
        assert!(terms.term_of("policies").is_some());
        assert!(terms.term_of("how").is_none());
        assert!(!terms.bigrams.is_empty());
    }
}
