//! Flags: what the grader cannot judge well, or refuses to reward. Any flag sends the grade to
//! human review.

use super::signals::Signals;
use super::text::{Analysis, TokenKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flag {
    /// Too few words to judge.
    TooShort,
    /// Mostly not English (another language or script).
    NotEnglish,
    /// Does not address the question's key terms.
    OffTopic,
    /// Much of the text repeats itself.
    Repetitive,
    /// Lists of keywords, names and connectives rather than sentences.
    KeywordStuffing,
    /// The question pasted back as the answer.
    PromptCopied,
    /// Shares passages with other stored essays beyond the rubric's copy
    /// threshold. Set by the service's copy detection, never by the pure grader,
    /// which sees one text.
    Copied,
}

impl Flag {
    pub const ALL: [Flag; 7] = [
        Flag::TooShort,
        Flag::NotEnglish,
        Flag::OffTopic,
        Flag::Repetitive,
        Flag::KeywordStuffing,
        Flag::PromptCopied,
        Flag::Copied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Flag::TooShort => "too_short",
            Flag::NotEnglish => "not_english",
            Flag::OffTopic => "off_topic",
            Flag::Repetitive => "repetitive",
            Flag::KeywordStuffing => "keyword_stuffing",
            Flag::PromptCopied => "prompt_copied",
            Flag::Copied => "copied",
        }
    }

    pub fn parse(name: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Fewer live words than this is too short to grade with confidence.
pub const MIN_WORDS: usize = 120;
/// Relevance below this is off topic.
pub const OFF_TOPIC_BELOW: f64 = 0.4;

pub fn detect(a: &Analysis<'_>, question: &Analysis<'_>, s: &Signals) -> Vec<Flag> {
    let mut flags = Vec::new();
    let st = &s.style;
    if a.live_words < MIN_WORDS {
        flags.push(Flag::TooShort);
    }
    let not_english =
        a.total_words >= 20 && (st.non_latin_ratio > 0.5 || (st.english_ratio < 0.04 && st.stop_ratio < 0.1));
    if not_english {
        flags.push(Flag::NotEnglish);
    }
    if s.relevance.judged && s.relevance.score < OFF_TOPIC_BELOW && !not_english {
        flags.push(Flag::OffTopic);
    }
    let low_variety = a.total_words >= 200 && st.type_token_ratio < 0.08;
    if st.repeated_ratio >= 0.25 || low_variety {
        flags.push(Flag::Repetitive);
    }
    if is_stuffed(a, s) {
        flags.push(Flag::KeywordStuffing);
    }
    if prompt_copied(a, question) {
        flags.push(Flag::PromptCopied);
    }
    flags
}

/// Keyword salad: mostly short comma-separated fragments with few function words, or a density
/// of argument cues no sentence-writing student produces.
fn is_stuffed(a: &Analysis<'_>, s: &Signals) -> bool {
    if a.total_words < 30 {
        return false;
    }
    let st = &s.style;
    st.fragment_ratio > 0.5 && st.stop_ratio < 0.25
}

/// The question's words appear in the essay as a run and make up much of it, or recur.
fn prompt_copied(a: &Analysis<'_>, question: &Analysis<'_>) -> bool {
    let qwords: Vec<&str> = (0..question.tokens.len())
        .filter(|&i| question.tokens[i].kind != TokenKind::Punct)
        .map(|i| question.tok_str(i))
        .collect();
    if qwords.len() < 4 {
        return false;
    }
    let ewords: Vec<usize> = (0..a.tokens.len())
        .filter(|&i| a.tokens[i].kind != TokenKind::Punct)
        .collect();
    if ewords.len() < qwords.len() {
        return false;
    }
    let mut occurrences = 0usize;
    let mut k = 0;
    while k + qwords.len() <= ewords.len() {
        let matched = qwords
            .iter()
            .enumerate()
            .all(|(j, w)| a.tok_str(ewords[k + j]).eq_ignore_ascii_case(w));
        if matched {
            occurrences += 1;
            k += qwords.len();
        } else {
            k += 1;
        }
    }
    let copied = occurrences * qwords.len();
    occurrences > 0 && (copied * 10 >= ewords.len() * 3 || occurrences >= 3)
}
