//! Normalisation: the words of an essay that fingerprinting sees, each mapped
//! back to its byte range in the original text.
//!
//! A word is a maximal run of alphanumeric characters, lowercased; an
//! apostrophe between two letters is dropped (`don't` and `dont` are the same
//! word), and everything else — punctuation, whitespace, line breaks, case —
//! only separates words, so reformatting a copied passage changes nothing.
//!
//! Text inside quotation marks is left out: quoting the same source is not
//! copying. Straight (`"`), curly (`“ ” „`) and angle (`« »`) double quotes are
//! recognised; single quotes are not, since `’` is far more often an
//! apostrophe. A straight quote that hugs the word before it and not the one
//! after it (`home." This`) only closes, and one that hugs the word after it
//! and not the one before only opens, so a stray mark cannot pair with the
//! next quotation's opening mark. A quotation counts only if it closes within
//! [`MAX_QUOTE_WORDS`] words: an unclosed or stray quote mark (an inch sign, a
//! typo) is treated as punctuation, so one odd `"` cannot hide the rest of an
//! essay. Words on either side of a quotation are in different *runs*, so no
//! k-gram spans a quotation.

use std::ops::Range;

use xxhash_rust::xxh3::xxh3_64;

/// The longest quotation, in words, that is left out. Longer "quotations"
/// count as the student's text: block quotes are rarely longer, and without a
/// cap a single unmatched mark could hide everything after it.
pub const MAX_QUOTE_WORDS: usize = 60;

/// How many quote marks a quotation may contain before its closing mark is
/// given up on (nested or stray marks), which bounds the scan for a closer.
const MAX_MARKS_INSIDE_QUOTE: usize = 8;

/// One normalised word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// xxh3 of the lowercased word: stable across runs and machines.
    pub hash: u64,
    /// Byte offset of the word's first character in the original text.
    pub start: usize,
    /// Byte offset just past the word's last character.
    pub end: usize,
    /// Words separated by a left-out quotation are in different runs.
    pub run: u32,
}

/// The words of a text outside quotations, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    pub words: Vec<Word>,
    /// Words left out because they were inside quotation marks.
    pub quoted_words: usize,
    /// The quotations left out, as byte ranges from the opening mark to the
    /// end of the closing one.
    pub quotations: Vec<Range<usize>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// `"` or the full-width `＂`: opens and closes.
    Straight,
    /// `“`: opens (and closes a German `„`).
    LeftCurly,
    /// `”`: closes.
    RightCurly,
    /// `„`: opens.
    Low,
    /// `«`: opens.
    LeftAngle,
    /// `»`: closes.
    RightAngle,
}

impl Mark {
    fn of(c: char) -> Option<Mark> {
        Some(match c {
            '"' | '\u{FF02}' => Mark::Straight,
            '\u{201C}' => Mark::LeftCurly,
            '\u{201D}' => Mark::RightCurly,
            '\u{201E}' => Mark::Low,
            '\u{00AB}' => Mark::LeftAngle,
            '\u{00BB}' => Mark::RightAngle,
            _ => return None,
        })
    }

    fn opens(self) -> bool {
        !matches!(self, Mark::RightCurly | Mark::RightAngle)
    }

    /// Whether `close` ends a quotation opened by `self`. Mixed straight and
    /// curly marks are accepted: texts pasted from several editors mix them.
    fn closed_by(self, close: Mark) -> bool {
        match self {
            Mark::Straight | Mark::LeftCurly => matches!(close, Mark::Straight | Mark::RightCurly),
            Mark::Low => matches!(close, Mark::LeftCurly | Mark::RightCurly | Mark::Straight),
            Mark::LeftAngle => close == Mark::RightAngle,
            Mark::RightCurly | Mark::RightAngle => false,
        }
    }
}

enum Token {
    Word {
        hash: u64,
        start: usize,
        end: usize,
    },
    Mark {
        mark: Mark,
        /// Byte offsets of the mark.
        at: usize,
        end: usize,
        can_open: bool,
        can_close: bool,
    },
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Splits `text` into words and quote marks.
fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 5 + 1);
    let mut lower = String::new();
    // (start, end) of the word being read.
    let mut word: Option<(usize, usize)> = None;
    let mut chars = text.char_indices().peekable();
    let finish = |word: &mut Option<(usize, usize)>, lower: &mut String, tokens: &mut Vec<Token>| {
        if let Some((start, end)) = word.take() {
            tokens.push(Token::Word {
                hash: xxh3_64(lower.as_bytes()),
                start,
                end,
            });
            lower.clear();
        }
    };
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() {
            let end = i + c.len_utf8();
            word = Some(word.map_or((i, end), |(s, _)| (s, end)));
            if c.is_ascii() {
                lower.push(c.to_ascii_lowercase());
            } else {
                lower.extend(c.to_lowercase());
            }
            continue;
        }
        if is_apostrophe(c) && word.is_some() && chars.peek().is_some_and(|&(_, next)| next.is_alphanumeric()) {
            continue;
        }
        finish(&mut word, &mut lower, &mut tokens);
        if let Some(mark) = Mark::of(c) {
            let (can_open, can_close) = if mark == Mark::Straight {
                let before = text[..i].chars().next_back().is_some_and(|b| !b.is_whitespace());
                let after = chars.peek().is_some_and(|&(_, a)| !a.is_whitespace());
                (after || !before, before || !after)
            } else {
                (mark.opens(), true)
            };
            tokens.push(Token::Mark {
                mark,
                at: i,
                end: i + c.len_utf8(),
                can_open,
                can_close,
            });
        }
    }
    finish(&mut word, &mut lower, &mut tokens);
    tokens
}

/// Where the quotation opened by the mark at `open` closes, if it closes
/// within the caps.
fn closing_mark(tokens: &[Token], open: usize, mark: Mark) -> Option<usize> {
    let mut words = 0;
    let mut marks = 0;
    for (j, token) in tokens.iter().enumerate().skip(open + 1) {
        match token {
            Token::Word { .. } => {
                words += 1;
                if words > MAX_QUOTE_WORDS {
                    return None;
                }
            }
            Token::Mark {
                mark: m,
                can_close: true,
                ..
            } if mark.closed_by(*m) => return Some(j),
            Token::Mark { .. } => {
                marks += 1;
                if marks > MAX_MARKS_INSIDE_QUOTE {
                    return None;
                }
            }
        }
    }
    None
}

/// The words of `text` outside quotations. Never panics; every offset is on
/// a char boundary of `text`.
pub fn normalize(text: &str) -> Normalized {
    let tokens = tokenize(text);
    let mut out = Normalized {
        words: Vec::with_capacity(tokens.len()),
        quoted_words: 0,
        quotations: Vec::new(),
    };
    let mut run = 0u32;
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i] {
            Token::Word { hash, start, end } => out.words.push(Word { hash, start, end, run }),
            Token::Mark {
                mark,
                at,
                can_open: true,
                ..
            } => {
                if let Some(close) = closing_mark(&tokens, i, mark) {
                    if let Token::Mark { end, .. } = tokens[close] {
                        out.quotations.push(at..end);
                    }
                    let inside = tokens[i + 1..close]
                        .iter()
                        .filter(|t| matches!(t, Token::Word { .. }))
                        .count();
                    if inside > 0 {
                        out.quoted_words += inside;
                        run += 1;
                    }
                    i = close;
                }
            }
            Token::Mark { .. } => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        normalize(text).words.iter().map(|w| &text[w.start..w.end]).collect()
    }

    fn hashes(text: &str) -> Vec<u64> {
        normalize(text).words.iter().map(|w| w.hash).collect()
    }

    #[test]
    fn case_punctuation_and_spacing_do_not_change_the_words() {
        assert_eq!(
            hashes("The cyclist, tired -- and thirsty!"),
            hashes("the   CYCLIST\ntired and\tthirsty")
        );
    }

    #[test]
    fn an_apostrophe_inside_a_word_is_dropped() {
        assert_eq!(hashes("don't stop"), hashes("dont stop"));
        assert_eq!(hashes("don\u{2019}t stop"), hashes("dont stop"));
        assert_eq!(words("'tis the students' work"), ["tis", "the", "students", "work"]);
    }

    #[test]
    fn offsets_point_at_the_original_words() {
        let text = "Café «au lait» — naïve Ünïcödé, 42nd!";
        assert_eq!(words(text), ["Café", "naïve", "Ünïcödé", "42nd"]);
    }

    #[test]
    fn quoted_text_is_left_out_and_splits_runs() {
        let n = normalize(r#"He said "the road was long and hot" and then stopped"#);
        assert_eq!(n.quoted_words, 6);
        assert_eq!(n.words.len(), 5);
        assert_eq!(n.words[1].run, 0);
        assert_eq!(n.words[2].run, 1);
    }

    #[test]
    fn curly_and_mixed_quotes_are_recognised() {
        assert_eq!(words("a “b c” d"), ["a", "d"]);
        assert_eq!(words("a “b c\" d"), ["a", "d"]);
        assert_eq!(words("a „b c“ d"), ["a", "d"]);
        assert_eq!(words("a «b c» d"), ["a", "d"]);
    }

    #[test]
    fn an_unclosed_quote_hides_nothing() {
        assert_eq!(words("a 12\" ruler and more"), ["a", "12", "ruler", "and", "more"]);
        assert_eq!(words("a ” b"), ["a", "b"]);
    }

    #[test]
    fn a_closing_straight_quote_never_opens_a_quotation() {
        // A passage cut out of a quotation: its stray closing mark must not
        // pair with the opening mark of the next quotation.
        assert_eq!(
            words(r#"warm home." This means much "the backdrop" to me"#),
            ["warm", "home", "This", "means", "much", "to", "me"]
        );
        assert_eq!(words(r#"said " spaced out " here"#), ["said", "here"]);
    }

    #[test]
    fn a_quotation_longer_than_the_cap_counts_as_text() {
        let long = vec!["word"; MAX_QUOTE_WORDS + 1].join(" ");
        let text = format!("start \"{long}\" end");
        assert_eq!(normalize(&text).words.len(), MAX_QUOTE_WORDS + 3);
        let short = vec!["word"; MAX_QUOTE_WORDS].join(" ");
        let text = format!("start \"{short}\" end");
        assert_eq!(normalize(&text).words.len(), 2);
    }
}
