//! Text metrics: everything essayd derives from an essay's text when it is
//! written — word, character, sentence and paragraph counts, a page estimate,
//! Flesch–Kincaid readability, an "is this English?" signal and the content hash.
//!
//! [`measure`] is pure and total: it never panics on any `&str` and runs in
//! linear time (one pass over the characters, plus a short look at each
//! whitespace-separated token and one SHA-256 pass over the bytes), so it can sit
//! on the write path without limits of its own. Every rule is a heuristic tuned
//! for student essays in English; the rules are spelled out on each field.

use sha2::{Digest, Sha256};

/// Words on one double-spaced, 12 pt page: the convention essay sites use for
/// their "Pages" figure (the seed page declares 961 words = 4 pages).
pub const WORDS_PER_PAGE: u32 = 250;

/// Fewer words than this never `looks_english`: a handful of tokens is not
/// enough evidence either way, and one stopword would swing the ratio.
pub const MIN_WORDS_FOR_LANGUAGE: u32 = 5;

/// `looks_english` needs `english_score` at least this high. With ASCII-only
/// letters this means a stopword ratio of at least 0.15 (half of
/// [`STOPWORD_SATURATION`]): English prose sits at 0.35–0.55 with our list,
/// French, German and Spanish prose at 0.00–0.10 (their overlaps are words
/// like "a", "in", "so", "no"), so 0.15 leaves a wide margin on both sides.
/// The tests pin samples of each language on the right side.
pub const ENGLISH_THRESHOLD: f64 = 0.5;

/// Stopword ratio at which the stopword evidence counts as full (1.0): any
/// English prose reaches it, so longer or more formal essays are not penalised.
const STOPWORD_SATURATION: f64 = 0.3;

/// What essayd stores about an essay's text. Counts saturate at `u32::MAX`.
#[derive(Debug, Clone, PartialEq)]
pub struct TextMetrics {
    /// Whitespace-separated tokens containing at least one letter or digit:
    /// "Lenin’s", "well-known" and "1925-1945" are one word each, a lone "—" or
    /// "..." is none.
    pub words: u32,
    /// Unicode scalar values (`char`s) of the whole text, whitespace included.
    pub characters: u32,
    /// Sentences ended by `.`, `!`, `?` or `…` at the end of a token (closing
    /// quotes and brackets after them are fine). A run such as "?!" or "..."
    /// ends one sentence; a final sentence without terminal punctuation counts;
    /// a terminator only counts after at least one word. Not split on: titles
    /// and Latin abbreviations ("Mr.", "Dr.", "St.", "e.g.", "i.e.", "vs."),
    /// single capital initials ("J. Smith"), decimals ("3.5"). "etc.", "no.",
    /// "a.m."/"p.m." and other dotted acronyms ("U.S.") end a sentence only
    /// when the next word starts with a capital letter.
    pub sentences: u32,
    /// Blocks separated by one or more blank lines; when the text has no such
    /// separation but several lines, each non-blank line is one paragraph
    /// (essay-site pages put one paragraph per line).
    pub paragraphs: u32,
    /// `ceil(words / WORDS_PER_PAGE)`: 0 for no words, at least 1 otherwise.
    pub estimated_pages: u32,
    /// `words / sentences`, 0.0 when there are no sentences. Not rounded.
    pub average_sentence_words: f64,
    /// `0.39·(words/sentences) + 11.8·(syllables/words) − 15.59`, 0.0 when there
    /// are no words. Not rounded (the caller rounds). Can be negative for very
    /// simple text. Syllables: vowel groups (a e i o u y and accented forms)
    /// per letter run, a silent final "e" dropped ("make" 1, but "table" 2),
    /// at least 1 per word.
    pub flesch_kincaid_grade: f64,
    /// `words >= MIN_WORDS_FOR_LANGUAGE && english_score >= ENGLISH_THRESHOLD`.
    pub looks_english: bool,
    /// Evidence behind `looks_english`, in 0..=1:
    /// `min(1, stopword_ratio / 0.3) · ascii_letter_ratio`, where
    /// `stopword_ratio` is the share of words that are common English function
    /// words and `ascii_letter_ratio` the share of letters that are ASCII. Both
    /// must be high: stopwords alone are fooled by short words shared with other
    /// Latin-script languages, ASCII alone by any Latin-script text.
    pub english_score: f64,
    /// SHA-256 of the exact UTF-8 bytes, lowercase hex.
    pub content_sha256: String,
}

/// Computes all [`TextMetrics`] of `text`. Never panics; linear time.
pub fn measure(text: &str) -> TextMetrics {
    let mut tally = Tally::default();
    let mut characters: u64 = 0;
    let mut letters: u64 = 0;
    let mut ascii_letters: u64 = 0;

    // Paragraph state: blocks are runs of non-blank lines split by blank ones.
    let mut nonblank_lines: u64 = 0;
    let mut blocks: u64 = 0;
    let mut line_has_content = false;
    let mut blank_since_content = false;

    let mut token_start: Option<usize> = None;
    for (i, ch) in text.char_indices() {
        characters += 1;
        if ch.is_alphabetic() {
            letters += 1;
            if ch.is_ascii_alphabetic() {
                ascii_letters += 1;
            }
        }
        if ch.is_whitespace() {
            if let Some(start) = token_start.take() {
                tally.token(&text[start..i]);
            }
            if ch == '\n' {
                if !line_has_content && nonblank_lines > 0 {
                    blank_since_content = true;
                }
                line_has_content = false;
            }
        } else {
            if token_start.is_none() {
                token_start = Some(i);
            }
            if !line_has_content {
                line_has_content = true;
                nonblank_lines += 1;
                if blocks == 0 || blank_since_content {
                    blocks += 1;
                    blank_since_content = false;
                }
            }
        }
    }
    if let Some(start) = token_start {
        tally.token(&text[start..]);
    }
    // A last sentence without terminal punctuation still counts.
    if tally.words_since_terminal {
        tally.sentences += 1;
    }

    let paragraphs = if blocks >= 2 { blocks } else { nonblank_lines };
    let words = saturate(tally.words);
    let sentences = saturate(tally.sentences);

    let (average_sentence_words, flesch_kincaid_grade) = if tally.words == 0 {
        (0.0, 0.0)
    } else {
        // words > 0 implies sentences >= 1 (the final-sentence rule above).
        let per_sentence = tally.words as f64 / tally.sentences.max(1) as f64;
        let per_word = tally.syllables as f64 / tally.words as f64;
        (per_sentence, 0.39 * per_sentence + 11.8 * per_word - 15.59)
    };

    let english_score = if tally.words == 0 || letters == 0 {
        0.0
    } else {
        let stopword_ratio = tally.stopwords as f64 / tally.words as f64;
        let ascii_ratio = ascii_letters as f64 / letters as f64;
        (stopword_ratio / STOPWORD_SATURATION).min(1.0) * ascii_ratio
    };

    TextMetrics {
        words,
        characters: saturate(characters),
        sentences,
        paragraphs: saturate(paragraphs),
        estimated_pages: words.div_ceil(WORDS_PER_PAGE),
        average_sentence_words,
        flesch_kincaid_grade,
        looks_english: words >= MIN_WORDS_FOR_LANGUAGE && english_score >= ENGLISH_THRESHOLD,
        english_score,
        content_sha256: content_sha256(text),
    }
}

/// The hex SHA-256 of a text, as stored essays carry it (`content_sha256`):
/// clients that match a file against stored essays hash it here too.
pub fn content_sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn saturate(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Running counts over tokens. u64 so that no input can overflow them.
#[derive(Default)]
struct Tally {
    words: u64,
    syllables: u64,
    stopwords: u64,
    sentences: u64,
    /// A word was seen since the last counted sentence end: a terminator only
    /// counts after a word, which is what makes "?!" or ". . ." count once.
    words_since_terminal: bool,
    /// The last terminator was a weak abbreviation ("etc."): it ends the
    /// sentence only if the next word starts with a capital.
    pending_weak: bool,
}

impl Tally {
    fn token(&mut self, token: &str) {
        if let Some(word) = analyse_word(token) {
            if self.pending_weak && word.starts_upper {
                self.sentences += 1;
                self.words_since_terminal = false;
            }
            self.pending_weak = false;
            self.words += 1;
            self.syllables += u64::from(word.syllables);
            self.stopwords += u64::from(word.stopword);
            self.words_since_terminal = true;
        }
        match sentence_end(token) {
            End::No | End::Abbreviation => {}
            End::Sentence => {
                if self.words_since_terminal {
                    self.sentences += 1;
                    self.words_since_terminal = false;
                }
                self.pending_weak = false;
            }
            End::WeakAbbreviation => self.pending_weak = true,
        }
    }
}

struct WordInfo {
    syllables: u32,
    stopword: bool,
    starts_upper: bool,
}

/// Syllables, stopword-ness and capitalisation of one whitespace-free token, or
/// `None` if it has no letter or digit (and so is not a word).
fn analyse_word(token: &str) -> Option<WordInfo> {
    let mut first_alnum: Option<char> = None;
    let mut syllables: u32 = 0;
    let mut run = LetterRun::default();
    // Lowercase ASCII form for the stopword lookup; the longest stopword is 10
    // bytes, so anything longer, non-ASCII or with inner punctuation is not one.
    let mut buf = [0u8; 12];
    let mut len = 0usize;
    let mut could_be_stopword = true;
    let mut punct_after_alnum = false;

    for ch in token.chars() {
        let alnum = ch.is_alphanumeric();
        if alnum && first_alnum.is_none() {
            first_alnum = Some(ch);
        }
        if ch.is_alphabetic() {
            run.push(lowercase(ch));
        } else if !is_apostrophe(ch) {
            // Apostrophes do not split a run ("they're" is one run, 1 syllable);
            // hyphens, digits and other marks do ("well-known" is two).
            syllables = syllables.saturating_add(run.finish());
        }

        if ch.is_ascii_alphanumeric() || is_apostrophe(ch) {
            if punct_after_alnum && ch.is_ascii_alphanumeric() {
                could_be_stopword = false; // "a.m", "e.g", "well-known"
            }
            if len < buf.len() {
                buf[len] = if is_apostrophe(ch) {
                    b'\''
                } else {
                    ch.to_ascii_lowercase() as u8
                };
                len += 1;
            } else {
                could_be_stopword = false;
            }
        } else if alnum {
            could_be_stopword = false; // non-ASCII letter or digit
        } else if first_alnum.is_some() {
            punct_after_alnum = true;
        }
    }
    syllables = syllables.saturating_add(run.finish());

    let first = first_alnum?;
    let stopword = could_be_stopword
        && std::str::from_utf8(&buf[..len])
            .map(|w| w.trim_matches('\''))
            .is_ok_and(|w| STOPWORDS.binary_search(&w).is_ok());
    Some(WordInfo {
        syllables: syllables.max(1),
        stopword,
        starts_upper: first.is_uppercase(),
    })
}

/// Vowel-group counter for one run of letters.
#[derive(Default)]
struct LetterRun {
    groups: u32,
    prev_vowel: bool,
    /// Last three letters, most recent first; '\0' when the run is shorter.
    last: [char; 3],
}

impl LetterRun {
    fn push(&mut self, c: char) {
        let vowel = is_vowel(c);
        if vowel && !self.prev_vowel {
            self.groups = self.groups.saturating_add(1);
        }
        self.prev_vowel = vowel;
        self.last = [c, self.last[0], self.last[1]];
    }

    /// Syllables of the run, then resets it.
    fn finish(&mut self) -> u32 {
        let [c0, c1, c2] = self.last;
        let is_consonant = |c: char| c != '\0' && !is_vowel(c);
        // Silent final e after a consonant ("make", "there"), except the
        // consonant + "le" ending that is its own syllable ("table", "simple").
        let silent_e = self.groups > 1 && c0 == 'e' && is_consonant(c1) && !(c1 == 'l' && is_consonant(c2));
        let n = self.groups - u32::from(silent_e);
        *self = LetterRun::default();
        n
    }
}

fn lowercase(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'a' | 'e'
            | 'i'
            | 'o'
            | 'u'
            | 'y'
            | 'à'..='æ'
            | 'è'..='ï'
            | 'ò'..='ö'
            | 'ø'..='ü'
            | 'ý'
            | 'ÿ'
            | 'œ'
    )
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ')
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '‽')
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | '»' | '›' | ')' | ']' | '}' | '*' | '_')
}

fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '‘' | '„' | '«' | '‹' | '(' | '[' | '{' | '*' | '_'
    )
}

enum End {
    No,
    Sentence,
    /// Never ends a sentence ("Mr.", "e.g.", "J.").
    Abbreviation,
    /// Ends one only if the next word is capitalised ("etc.", "U.S.").
    WeakAbbreviation,
}

/// Whether this token ends a sentence. Only the token's end is looked at, so
/// "3.5" or "www.example.com" never split.
fn sentence_end(token: &str) -> End {
    let body = token.trim_end_matches(is_closer);
    let core = body.trim_end_matches(is_terminal);
    let run = &body[core.len()..];
    if run.is_empty() {
        return End::No;
    }
    // "!", "?" and "..." are unambiguous; only a single "." can be an abbreviation.
    if run != "." {
        return End::Sentence;
    }
    abbreviation(core.trim_start_matches(is_opener))
}

/// Never end a sentence: what follows them is part of the same sentence.
const STRONG_ABBREVIATIONS: &[&str] = &[
    "approx", "capt", "cf", "col", "dr", "e.g", "fig", "gen", "hon", "i.e", "jr", "lt", "mr", "mrs", "ms", "mt",
    "prof", "rev", "sgt", "sr", "st", "viz", "vs",
];

/// Often end a sentence too ("... and so on, etc."), so decided by the next word.
const WEAK_ABBREVIATIONS: &[&str] = &["al", "co", "etc", "inc", "ltd", "no", "pp", "vol"];

fn abbreviation(core: &str) -> End {
    let mut chars = core.chars();
    match (chars.next(), chars.next()) {
        (None, _) => return End::Sentence,
        // A single capital initial: "J. Smith".
        (Some(c), None) if c.is_uppercase() => return End::Abbreviation,
        _ => {}
    }
    let mut buf = [0u8; 8];
    if core.len() > buf.len() || !core.is_ascii() {
        return End::Sentence;
    }
    for (b, c) in buf.iter_mut().zip(core.bytes()) {
        *b = c.to_ascii_lowercase();
    }
    let lower = std::str::from_utf8(&buf[..core.len()]).unwrap_or_default();
    if STRONG_ABBREVIATIONS.contains(&lower) {
        return End::Abbreviation;
    }
    if WEAK_ABBREVIATIONS.contains(&lower) {
        return End::WeakAbbreviation;
    }
    // Dotted acronyms: "U.S", "a.m", "Ph.D" — short letter groups between dots.
    let mut parts = 0;
    let dotted = lower.split('.').all(|p| {
        parts += 1;
        (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic())
    });
    if dotted && parts >= 2 {
        End::WeakAbbreviation
    } else {
        End::Sentence
    }
}

/// Common English function words, lowercase, sorted (binary-searched; a test
/// checks the order). Chosen to be frequent in any English prose; words that are
/// also very common in French, German or Spanish ("de", "la", "die", "que")
/// are naturally absent, which is what makes the ratio discriminate.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "although",
    "am",
    "among",
    "an",
    "and",
    "any",
    "are",
    "aren't",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "can't",
    "could",
    "did",
    "didn't",
    "do",
    "does",
    "doesn't",
    "doing",
    "don't",
    "down",
    "during",
    "each",
    "either",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "i",
    "i'm",
    "if",
    "in",
    "into",
    "is",
    "isn't",
    "it",
    "it's",
    "its",
    "itself",
    "just",
    "least",
    "less",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "neither",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "shall",
    "she",
    "should",
    "since",
    "so",
    "some",
    "such",
    "than",
    "that",
    "that's",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "there's",
    "therefore",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "was",
    "wasn't",
    "we",
    "were",
    "weren't",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "won't",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EPS: f64 = 1e-9;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < EPS
    }

    #[test]
    fn empty_text_is_all_zero() {
        let m = measure("");
        assert_eq!(
            (m.words, m.characters, m.sentences, m.paragraphs, m.estimated_pages),
            (0, 0, 0, 0, 0)
        );
        assert_eq!(m.average_sentence_words, 0.0);
        assert_eq!(m.flesch_kincaid_grade, 0.0);
        assert_eq!(m.english_score, 0.0);
        assert!(!m.looks_english);
        assert_eq!(
            m.content_sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn whitespace_only_text_has_no_words_or_paragraphs() {
        let m = measure("  \n\t\r\n \n");
        assert_eq!((m.words, m.sentences, m.paragraphs), (0, 0, 0));
        assert_eq!(m.characters, 8);
    }

    #[test]
    fn simple_sentence_by_hand() {
        // 6 one-syllable words, 1 sentence, 23 chars; stopwords: the, on, the.
        let m = measure("The cat sat on the mat.");
        assert_eq!(m.words, 6);
        assert_eq!(m.characters, 23);
        assert_eq!(m.sentences, 1);
        assert_eq!(m.paragraphs, 1);
        assert_eq!(m.estimated_pages, 1);
        assert!(close(m.average_sentence_words, 6.0));
        // 0.39·6 + 11.8·1 − 15.59
        assert!(close(m.flesch_kincaid_grade, -1.45));
        assert!(close(m.english_score, 1.0));
        assert!(m.looks_english);
    }

    #[test]
    fn sha256_is_of_exact_bytes() {
        assert_eq!(
            measure("abc").content_sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // A trailing newline is content too.
        assert_ne!(measure("abc\n").content_sha256, measure("abc").content_sha256);
    }

    #[test]
    fn characters_are_scalar_values_not_bytes() {
        let m = measure("héllo 世界");
        assert_eq!(m.characters, 8);
        assert_eq!(m.words, 2);
    }

    #[test]
    fn hyphenated_apostrophe_and_numeric_tokens_are_one_word_each() {
        // Words: Lenin’s, well-known, 1925-1945, policy, a, “test” — the dash,
        // ellipsis and "!!" carry no letter or digit.
        let m = measure("Lenin’s well-known 1925-1945 policy — a “test” ... !!");
        assert_eq!(m.words, 6);
        assert_eq!(m.sentences, 1);
    }

    #[test]
    fn abbreviations_initials_and_decimals_do_not_split() {
        // 1: "Mr. ... Day."  2: "J. Smith ... Monday."  3: "Really?!"  4: "Yes..."
        let text = "Mr. Smith met Dr. Jones at 3.5 p.m. on St. Patrick's Day. \
                    J. Smith agreed, e.g. on Monday. Really?! Yes...";
        let m = measure(text);
        assert_eq!(m.words, 20);
        assert_eq!(m.sentences, 4);
        assert!(close(m.average_sentence_words, 5.0));
    }

    #[test]
    fn final_sentence_without_terminal_counts() {
        let m = measure("Hello world. This has no end");
        assert_eq!((m.words, m.sentences), (6, 2));
    }

    #[test]
    fn punctuation_runs_count_once() {
        assert_eq!(measure("What?! No... Really?!?").sentences, 3);
        // Spaced-out runs too: a terminator only counts after a word.
        assert_eq!(measure("Wait . . . what ? !").sentences, 2);
        assert_eq!(measure("?! ...").sentences, 0);
    }

    #[test]
    fn weak_abbreviations_split_only_before_a_capital() {
        // 1: "...pears, etc."  2: "Then we left."  3: "...etc. and birds."
        let text = "We bought apples, pears, etc. Then we left. \
                    We saw cats, dogs, etc. and birds.";
        assert_eq!(measure(text).sentences, 3);
        assert_eq!(measure("He left the U.S. in May.").sentences, 1);
        assert_eq!(measure("She lives in the U.S. Her son does not.").sentences, 2);
    }

    #[test]
    fn closing_quotes_and_brackets_after_terminal() {
        assert_eq!(measure("He said “stop.” Then he left “for good”.").sentences, 2);
        assert_eq!(measure("(It was late.) We went home!").sentences, 2);
    }

    #[test]
    fn paragraphs_by_blank_lines() {
        assert_eq!(measure("One.\n\nTwo.\n\n\nThree.").paragraphs, 3);
        assert_eq!(measure("A.\nB.\n\nC.").paragraphs, 2);
        assert_eq!(measure("One.\r\n\r\nTwo.").paragraphs, 2);
        assert_eq!(measure("One.\n   \t\nTwo.").paragraphs, 2);
        assert_eq!(measure("\n\n  \nOnly.\n\n").paragraphs, 1);
    }

    #[test]
    fn paragraphs_one_per_line_without_blank_lines() {
        assert_eq!(measure("Line one.\nLine two.\nLine three.").paragraphs, 3);
        assert_eq!(measure("Line one.\r\nLine two.\r\n").paragraphs, 2);
        assert_eq!(measure("\nLine one.\nLine two.\n\n").paragraphs, 2);
    }

    #[test]
    fn estimated_pages_round_up_at_250_words() {
        let pages = |n: usize| measure(&"word ".repeat(n)).estimated_pages;
        assert_eq!(pages(0), 0);
        assert_eq!(pages(1), 1);
        assert_eq!(pages(250), 1);
        assert_eq!(pages(251), 2);
        assert_eq!(pages(961), 4); // the seed page's declared figures
    }

    #[test]
    fn syllables_by_hand() {
        let syl = |w: &str| analyse_word(w).map(|i| i.syllables);
        assert_eq!(syl("the"), Some(1));
        assert_eq!(syl("make"), Some(1)); // silent e
        assert_eq!(syl("there"), Some(1));
        assert_eq!(syl("table"), Some(2)); // consonant + le
        assert_eq!(syl("whale"), Some(1));
        assert_eq!(syl("agree"), Some(2)); // e after a vowel is not silent
        assert_eq!(syl("they're"), Some(1)); // apostrophe does not split
        assert_eq!(syl("Lenin’s"), Some(2));
        assert_eq!(syl("well-known"), Some(2));
        assert_eq!(syl("rhythm"), Some(1)); // y is a vowel
        assert_eq!(syl("1930"), Some(1)); // minimum 1
        assert_eq!(syl("café"), Some(2));
        assert_eq!(syl("—"), None);
    }

    #[test]
    fn flesch_kincaid_by_hand() {
        // The(1) table(2) is(1) simple(2). We(1) agree(2) to(1) make(1) a(1) cake(1).
        // 10 words, 2 sentences, 13 syllables: 0.39·5 + 11.8·1.3 − 15.59 = 1.70
        let m = measure("The table is simple. We agree to make a cake.");
        assert_eq!((m.words, m.sentences), (10, 2));
        assert!(close(m.flesch_kincaid_grade, 1.70), "{}", m.flesch_kincaid_grade);
    }

    #[test]
    fn stopwords_are_sorted_unique_lowercase() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOPWORDS.iter().all(|w| w.len() <= 12 && *w == w.to_lowercase()));
        assert!((140..=200).contains(&STOPWORDS.len()));
    }

    #[test]
    fn stopword_matching_strips_edge_punctuation_only() {
        let stop = |w: &str| analyse_word(w).is_some_and(|i| i.stopword);
        assert!(stop("The"));
        assert!(stop("“Our"));
        assert!(stop("it’s"));
        assert!(stop("(however,"));
        assert!(!stop("a.m."));
        assert!(!stop("thé"));
        assert!(!stop("theirselves"));
    }

    const ENGLISH: &str = "Stalin was different to others in the Bolshevik party. \
        Others such as Trotsky wanted to spark a world revolution so that it would \
        spread and grow. Stalin instead opted for the policy of socialism in one \
        country, because he thought that communism must first reach its full \
        potential in Russia.";
    const ENGLISH_FORMAL: &str = "Collective security, negotiated through bilateral \
        treaties, characterised Soviet diplomacy throughout the early 1930s; \
        Litvinov championed membership of the League of Nations.";
    const FRENCH: &str = "La politique étrangère soviétique entre 1925 et 1945 est \
        jugée de façon positive et négative par les historiens. Après la mort de \
        Lénine en 1924, le cours de cette politique a changé, et beaucoup pensent \
        que plusieurs événements clés ont modifié l'histoire de la Russie.";
    const GERMAN: &str = "Die sowjetische Außenpolitik unter Stalin wird von \
        Historikern sowohl positiv als auch negativ bewertet. Nach dem Tod Lenins im \
        Jahr 1924 änderte sich der Kurs, und es gab viele wichtige Ereignisse, die \
        den Verlauf der russischen Geschichte veränderten. Was wollte Stalin also?";
    const SPANISH: &str = "La política exterior soviética entre 1925 y 1945 bajo \
        Stalin es vista por los historiadores de manera positiva y negativa. Tras la \
        muerte de Lenin en 1924, el rumbo de la política cambió y hubo muchos \
        acontecimientos clave que no se pueden ignorar a la hora de estudiarla.";
    const CHINESE: &str = "斯大林 时期 的 苏联 外交 政策 在 历史学家 中 评价 不一 。\
        列宁 去世 后 ， 苏联 外交 政策 的 方向 有所 改变 。";
    const ARABIC: &str = "ينظر المؤرخون إلى السياسة الخارجية السوفيتية في الفترة \
        من 1925 إلى 1945 بطرق إيجابية وسلبية على حد سواء.";
    const RANDOM: &str = "xkq zvbt plorm wejf qqa bnrt ywx fghj klmn a trpq zzv \
        hjkl mnbv cxz qwrt yp";
    const NUMBERS: &str = "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20";

    #[test]
    fn english_prose_looks_english() {
        for text in [ENGLISH, ENGLISH_FORMAL] {
            let m = measure(text);
            assert!(m.looks_english, "score {} for {text}", m.english_score);
        }
        // Typical prose saturates the stopword evidence.
        assert!(measure(ENGLISH).english_score > 0.99);
    }

    #[test]
    fn other_languages_and_noise_do_not_look_english() {
        for text in [FRENCH, GERMAN, SPANISH, CHINESE, ARABIC, RANDOM, NUMBERS] {
            let m = measure(text);
            assert!(m.words >= MIN_WORDS_FOR_LANGUAGE, "{text}");
            assert!(!m.looks_english, "score {} for {text}", m.english_score);
            // Well below the threshold, not just under it.
            assert!(m.english_score < 0.35, "score {} for {text}", m.english_score);
        }
    }

    #[test]
    fn too_few_words_never_look_english() {
        let m = measure("The cat sat.");
        assert!(m.english_score > ENGLISH_THRESHOLD);
        assert!(!m.looks_english);
    }

    /// The seed page's essay text (after its six header lines) is only a
    /// preview of the 961-word essay the header declares.
    #[test]
    fn seed_page_text_is_a_short_preview() {
        let page = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/seed/soviet-foreign-policy-1925-1945.txt"
        ));
        let (_, text) = page
            .split_once("Date Submitted:")
            .and_then(|(_, rest)| rest.split_once('\n'))
            .expect("seed page has a Date Submitted header");
        let m = measure(text);
        // Cross-checked with Python's str.split(); sentences counted by hand.
        assert_eq!(m.words, 328);
        assert!(m.words < 961 / 2);
        assert_eq!(m.estimated_pages, 2);
        assert_eq!(m.sentences, 17);
        assert_eq!(m.paragraphs, 5);
        assert!(m.looks_english);
        assert!(m.flesch_kincaid_grade > 8.0 && m.flesch_kincaid_grade < 20.0);
    }

    proptest! {
        #[test]
        fn never_panics_and_invariants_hold(text in any::<String>()) {
            check_invariants(&text);
        }

        #[test]
        fn invariants_on_prose_like_text(
            text in "([A-Za-z]{1,8}|[.!?]{1,3}|[ \n\r\t]|[’'\"“”()-]|Mr\\.|e\\.g\\.|3\\.5|é|世){0,80}"
        ) {
            check_invariants(&text);
        }
    }

    fn check_invariants(text: &str) {
        let m = measure(text);
        assert_eq!(m.characters as usize, text.chars().count());
        assert!(m.words <= m.characters);
        assert!(m.sentences <= m.words);
        assert_eq!(m.words > 0, m.sentences > 0);
        assert!(m.paragraphs as usize <= text.split('\n').count());
        assert_eq!(m.estimated_pages, m.words.div_ceil(WORDS_PER_PAGE));
        assert!(m.flesch_kincaid_grade.is_finite());
        assert!(m.average_sentence_words.is_finite());
        assert!((0.0..=1.0).contains(&m.english_score));
        assert!(!m.looks_english || m.words >= MIN_WORDS_FOR_LANGUAGE);
        assert_eq!(m.content_sha256.len(), 64);
    }
}
