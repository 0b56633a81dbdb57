//! One analysis pass over an essay: tokens, sentences and paragraphs, each with byte offsets
//! into the original text, plus the cues of every word (from [`lexicon`](super::lexicon)).
//!
//! Offsets are byte offsets and always fall on char boundaries, because every boundary is taken
//! from `char_indices`. Repeated sentences are marked here, once, so that every detector can
//! ignore them: repeating an essay must not add signals.

use super::lexicon::{self, cue};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    Number,
    Punct,
}

/// Token flags.
pub mod tf {
    /// First letter is uppercase.
    pub const CAP: u8 = 1 << 0;
    /// Every letter is uppercase (and there are at least two).
    pub const ALL_CAPS: u8 = 1 << 1;
    /// Ends in 's or ’s (possessive); `base_end` excludes the suffix.
    pub const POSSESSIVE: u8 = 1 << 2;
    /// First token of its sentence.
    pub const SENT_START: u8 = 1 << 3;
    /// A single uppercase letter (an initial, as in "A. J. P. Taylor").
    pub const INITIAL: u8 = 1 << 4;
    /// A number followed by "s" (a decade: 1930s).
    pub const DECADE: u8 = 1 << 5;
    /// A number with an ordinal suffix (20th).
    pub const ORDINAL_NUM: u8 = 1 << 6;
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// End of the word without a possessive suffix.
    pub base_end: usize,
    pub kind: TokenKind,
    pub flags: u8,
    /// Newlines in the whitespace before the token (capped at 2).
    pub newlines_before: u8,
    /// For punctuation, the character; '\0' otherwise.
    pub ch: char,
    /// Cues of the word (lexicon) and of phrases that start at this token.
    pub cues: u64,
    /// Cues of phrases starting here only.
    pub phrase_cues: u64,
    /// Number of tokens of the longest phrase starting here (0 when none).
    pub phrase_len: u8,
}

impl Token {
    pub fn is_word(&self) -> bool {
        self.kind == TokenKind::Word
    }
    pub fn has(&self, c: u64) -> bool {
        self.cues & c != 0
    }
    pub fn flag(&self, f: u8) -> bool {
        self.flags & f != 0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    /// Token index range.
    pub tok_start: usize,
    pub tok_end: usize,
    pub paragraph: usize,
    pub words: usize,
    /// Union of the cues of its tokens.
    pub cues: u64,
    /// Ends with a question mark.
    pub question: bool,
    /// The same words already appeared in an earlier sentence.
    pub duplicate: bool,
}

impl Sentence {
    pub fn has(&self, c: u64) -> bool {
        self.cues & c != 0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    pub start: usize,
    pub end: usize,
    /// Sentence index range.
    pub sent_start: usize,
    pub sent_end: usize,
    /// Every sentence is a duplicate of an earlier one.
    pub duplicate: bool,
}

/// The analysed text.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis<'a> {
    pub text: &'a str,
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
    pub paragraphs: Vec<Paragraph>,
    /// Indices of the paragraphs that are not wholly repeated, in order.
    pub live_paragraphs: Vec<usize>,
    /// Word tokens outside repeated sentences.
    pub live_words: usize,
    /// Word tokens in the whole text.
    pub total_words: usize,
}

impl<'a> Analysis<'a> {
    pub fn new(text: &'a str) -> Analysis<'a> {
        let mut phrase_starts = Vec::new();
        let mut tokens = tokenize(text, &mut phrase_starts);
        mark_phrases(text, &mut tokens, &phrase_starts);
        let (mut sentences, paragraphs) = segment(text, &mut tokens);
        refine_cues(text, &mut tokens, &mut sentences);
        let mut a = Analysis {
            text,
            tokens,
            sentences,
            paragraphs,
            live_paragraphs: Vec::new(),
            live_words: 0,
            total_words: 0,
        };
        a.mark_duplicates();
        a
    }

    pub fn tok_str(&self, i: usize) -> &'a str {
        let t = &self.tokens[i];
        &self.text[t.start..t.end]
    }

    /// The word without a possessive suffix.
    pub fn base_str(&self, i: usize) -> &'a str {
        let t = &self.tokens[i];
        &self.text[t.start..t.base_end]
    }

    pub fn sentence_text(&self, s: usize) -> &'a str {
        let s = &self.sentences[s];
        &self.text[s.start..s.end]
    }

    /// Sentences that are not repeats, in order.
    pub fn live_sentences(&self) -> impl Iterator<Item = (usize, &Sentence)> {
        self.sentences.iter().enumerate().filter(|(_, s)| !s.duplicate)
    }

    /// Live sentence indices of a paragraph.
    pub fn paragraph_sentences(&self, p: usize) -> impl Iterator<Item = usize> + '_ {
        let para = &self.paragraphs[p];
        (para.sent_start..para.sent_end).filter(|&s| !self.sentences[s].duplicate)
    }

    fn mark_duplicates(&mut self) {
        // Sorted fingerprints of the sentences seen so far; a sorted Vec keeps the result
        // independent of any hashing seed.
        let mut seen: Vec<u64> = Vec::new();
        let mut fresh: Vec<u64> = Vec::new();
        for s in 0..self.sentences.len() {
            let (h, words) = self.fingerprint(s);
            let dup = words >= 4 && (seen.binary_search(&h).is_ok() || fresh.contains(&h));
            if words >= 4 && !dup {
                fresh.push(h);
                // Merge in batches so that long texts stay linear-logarithmic.
                if fresh.len() >= 64 {
                    seen.append(&mut fresh);
                    seen.sort_unstable();
                }
            }
            self.sentences[s].duplicate = dup;
        }
        for p in &mut self.paragraphs {
            p.duplicate = (p.sent_start..p.sent_end).all(|s| self.sentences[s].duplicate);
        }
        self.live_paragraphs = (0..self.paragraphs.len())
            .filter(|&p| !self.paragraphs[p].duplicate)
            .collect();
        self.total_words = self.tokens.iter().filter(|t| t.is_word()).count();
        self.live_words = self.live_sentences().map(|(_, s)| s.words).sum::<usize>();
    }

    /// FNV-1a over the lowercased letters and digits of a sentence, and its word count.
    fn fingerprint(&self, s: usize) -> (u64, usize) {
        let sent = &self.sentences[s];
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for t in &self.tokens[sent.tok_start..sent.tok_end] {
            if t.kind == TokenKind::Punct {
                continue;
            }
            for c in self.text[t.start..t.end].chars() {
                for l in c.to_lowercase() {
                    let mut b = [0u8; 4];
                    for &x in l.encode_utf8(&mut b).as_bytes() {
                        h ^= u64::from(x);
                        h = h.wrapping_mul(0x0100_0000_01b3);
                    }
                }
            }
            h ^= 0x20;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        (h, sent.words)
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

fn is_word_joiner(c: char) -> bool {
    c == '-' || c == '‐' || is_apostrophe(c)
}

/// Tokens, and (token, lexicon entry) for every word that may start a phrase.
fn tokenize(text: &str, phrase_starts: &mut Vec<(usize, lexicon::Entry)>) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 5 + 1);
    let mut chars = text.char_indices().peekable();
    let mut newlines: u8 = 0;
    let mut buf = [0u8; 32];
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() || c.is_control() {
            if c == '\n' {
                newlines = newlines.saturating_add(1).min(2);
            }
            continue;
        }
        let mut tok = Token {
            start: i,
            end: i + c.len_utf8(),
            base_end: 0,
            kind: TokenKind::Punct,
            flags: 0,
            newlines_before: newlines,
            ch: '\0',
            cues: 0,
            phrase_cues: 0,
            phrase_len: 0,
        };
        newlines = 0;
        if c.is_alphabetic() {
            tok.kind = TokenKind::Word;
            let mut upper = usize::from(c.is_uppercase());
            let mut letters = 1usize;
            loop {
                match chars.peek().copied() {
                    Some((j, d)) if d.is_alphanumeric() => {
                        tok.end = j + d.len_utf8();
                        letters += 1;
                        upper += usize::from(d.is_uppercase());
                        chars.next();
                    }
                    Some((j, d)) if is_word_joiner(d) => {
                        // Only joins when a letter follows ("Kai-shek", "Stalin's").
                        let after = text[j + d.len_utf8()..].chars().next();
                        if after.is_some_and(|a| a.is_alphabetic()) {
                            tok.end = j + d.len_utf8();
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    _ => break,
                }
            }
            tok.base_end = tok.end;
            let word = &text[tok.start..tok.end];
            if word.ends_with("'s") || word.ends_with("'S") {
                tok.flags |= tf::POSSESSIVE;
                tok.base_end = tok.end - 2;
            } else if word.ends_with("’s") {
                tok.flags |= tf::POSSESSIVE;
                tok.base_end = tok.end - "’s".len();
            }
            if c.is_uppercase() {
                tok.flags |= tf::CAP;
                if letters == 1 {
                    tok.flags |= tf::INITIAL;
                } else if upper == letters {
                    tok.flags |= tf::ALL_CAPS;
                }
            }
            if let Some(lower) = lexicon::lower_ascii(&text[tok.start..tok.base_end], &mut buf) {
                let e = lexicon::entry(lower);
                tok.cues = e.cues;
                if e.phrase_end > e.phrase_start {
                    // Phrases are matched on the whole word ("others'" is not "others").
                    let whole = if tok.base_end == tok.end {
                        e
                    } else {
                        lexicon::lower_ascii(&text[tok.start..tok.end], &mut buf)
                            .map(lexicon::entry)
                            .unwrap_or_default()
                    };
                    if whole.phrase_end > whole.phrase_start {
                        phrase_starts.push((tokens.len(), whole));
                    }
                }
            }
        } else if c.is_ascii_digit() {
            tok.kind = TokenKind::Number;
            loop {
                match chars.peek().copied() {
                    Some((j, d)) if d.is_ascii_digit() => {
                        tok.end = j + 1;
                        chars.next();
                    }
                    Some((j, d)) if d == ',' || d == '.' => {
                        let after = text[j + 1..].chars().next();
                        if after.is_some_and(|a| a.is_ascii_digit()) {
                            tok.end = j + 1;
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    _ => break,
                }
            }
            // Suffixes: 1930s, 20th, 1st.
            let rest = &text[tok.end..];
            let suffix_len = suffix_len(rest);
            if suffix_len > 0 {
                let suffix = &rest[..suffix_len];
                if suffix.eq_ignore_ascii_case("s") {
                    tok.flags |= tf::DECADE;
                } else {
                    tok.flags |= tf::ORDINAL_NUM;
                }
                tok.end += suffix_len;
                while chars.peek().is_some_and(|&(j, _)| j < tok.end) {
                    chars.next();
                }
            }
            tok.base_end = tok.end;
        } else {
            tok.ch = c;
            tok.base_end = tok.end;
        }
        tokens.push(tok);
    }
    tokens
}

/// Length of a decade or ordinal suffix at the start of `rest` ("s", "th", "st", "nd", "rd"),
/// only when no further letter follows.
fn suffix_len(rest: &str) -> usize {
    for s in ["th", "st", "nd", "rd", "s"] {
        if rest.len() >= s.len() && rest.is_char_boundary(s.len()) && rest[..s.len()].eq_ignore_ascii_case(s) {
            let after = rest[s.len()..].chars().next();
            if !after.is_some_and(|a| a.is_alphanumeric()) {
                return s.len();
            }
        }
    }
    0
}

fn mark_phrases(text: &str, tokens: &mut [Token], starts: &[(usize, lexicon::Entry)]) {
    for &(i, e) in starts {
        let mut cues = 0;
        let mut longest = 0u8;
        for (_, rest, bits) in lexicon::phrases_of(e) {
            if i + rest.len() >= tokens.len() {
                continue;
            }
            let matched = rest.iter().enumerate().all(|(k, w)| {
                let t = &tokens[i + 1 + k];
                t.is_word() && text[t.start..t.end].eq_ignore_ascii_case(w)
            });
            if matched {
                cues |= bits;
                longest = longest.max(rest.len() as u8 + 1);
            }
        }
        tokens[i].phrase_cues = cues;
        tokens[i].cues |= cues;
        tokens[i].phrase_len = longest;
    }
}

/// "while" and "yet" are contrastive only in some positions: "While X, Y", ", while",
/// "Yet ...", ", yet", "and yet"; not "while Germany fought in the west" or "not yet".
fn refine_cues(text: &str, tokens: &mut [Token], sentences: &mut [Sentence]) {
    for i in 0..tokens.len() {
        let t = &tokens[i];
        if !t.is_word() || t.phrase_cues & cue::CONTRAST != 0 || !t.has(cue::CONTRAST) {
            continue;
        }
        let w = &text[t.start..t.end];
        let is_while = w.eq_ignore_ascii_case("while") || w.eq_ignore_ascii_case("whilst");
        let is_yet = w.eq_ignore_ascii_case("yet");
        if !is_while && !is_yet {
            continue;
        }
        let prev = i.checked_sub(1).map(|p| &tokens[p]);
        let after_comma = prev.is_some_and(|p| p.kind == TokenKind::Punct && matches!(p.ch, ',' | ';' | '–' | '—'));
        let after_and = prev.is_some_and(|p| {
            p.is_word() && {
                let pw = &text[p.start..p.end];
                pw.eq_ignore_ascii_case("and") || pw.eq_ignore_ascii_case("but")
            }
        });
        let contrastive = t.flag(tf::SENT_START) || after_comma || (is_yet && after_and);
        if !contrastive {
            tokens[i].cues &= !(cue::CONTRAST | cue::QUALIFY);
        }
    }
    for s in sentences.iter_mut() {
        s.cues = tokens[s.tok_start..s.tok_end].iter().fold(0, |acc, t| acc | t.cues);
    }
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？')
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '’' | '”' | ')' | ']' | '»')
}

fn segment(text: &str, tokens: &mut [Token]) -> (Vec<Sentence>, Vec<Paragraph>) {
    let single_breaks = single_line_breaks_are_paragraphs(tokens);
    let para_break = |t: &Token| {
        if single_breaks {
            t.newlines_before >= 1
        } else {
            t.newlines_before >= 2
        }
    };
    let mut sentences: Vec<Sentence> = Vec::new();
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut sent_start_tok = 0usize;
    let mut para_start_sent = 0usize;

    let n = tokens.len();
    let mut i = 0;
    while i < n {
        // Does a sentence end after token i (possibly after closing quotes/brackets)?
        let t = &tokens[i];
        let mut end_here = false;
        let mut last = i;
        if t.kind == TokenKind::Punct && is_sentence_end(t.ch) {
            while last + 1 < n
                && tokens[last + 1].kind == TokenKind::Punct
                && (is_sentence_end(tokens[last + 1].ch) || is_closer(tokens[last + 1].ch))
                && tokens[last + 1].newlines_before == 0
                && tokens[last + 1].start == tokens[last].end
            {
                last += 1;
            }
            end_here = match tokens.get(last + 1) {
                None => true,
                Some(next) => {
                    let spaced = next.start > tokens[last].end;
                    let next_lower = next.is_word() && !next.flag(tf::CAP);
                    let abbreviation = t.ch == '.' && i > 0 && is_abbreviation(text, &tokens[i - 1]);
                    para_break(next) || (spaced && !next_lower && !abbreviation)
                }
            };
        }
        let next_breaks_para = tokens.get(last + 1).is_some_and(&para_break);
        let next_is_line = tokens.get(last + 1).is_some_and(|nx| nx.newlines_before >= 1);
        if end_here || next_breaks_para || last + 1 == n || (next_is_line && ends_line_sentence(t)) {
            push_sentence(text, tokens, &mut sentences, sent_start_tok, last + 1, paragraphs.len());
            sent_start_tok = last + 1;
            if last + 1 == n || next_breaks_para {
                push_paragraph(&mut paragraphs, &sentences, para_start_sent);
                para_start_sent = sentences.len();
            }
        }
        i = last + 1;
    }
    (sentences, paragraphs)
}

/// Do single line breaks separate paragraphs? Always when the text has no blank line. With
/// blank lines too, only when most single breaks follow the end of a sentence: a blank line
/// after the title and single breaks after that (as many LMS text boxes send it) is paragraphs;
/// lines hard-wrapped mid-sentence are not.
fn single_line_breaks_are_paragraphs(tokens: &[Token]) -> bool {
    if !tokens.iter().any(|t| t.newlines_before >= 2) {
        return true;
    }
    let mut single = 0usize;
    let mut after_sentence_end = 0usize;
    for k in 1..tokens.len() {
        if tokens[k].newlines_before == 1 {
            single += 1;
            let prev = &tokens[k - 1];
            if prev.kind == TokenKind::Punct && (is_sentence_end(prev.ch) || is_closer(prev.ch)) {
                after_sentence_end += 1;
            }
        }
    }
    single > 0 && after_sentence_end * 3 >= single * 2
}

/// Inside a paragraph, a line break ends a sentence only after sentence-final punctuation.
fn ends_line_sentence(t: &Token) -> bool {
    t.kind == TokenKind::Punct && is_sentence_end(t.ch)
}

fn is_abbreviation(text: &str, prev: &Token) -> bool {
    if prev.flag(tf::INITIAL) {
        return true;
    }
    prev.is_word() && prev.has(cue::ABBREV) && text[prev.start..prev.end].len() <= 5 && {
        // "St." and "Dr." are abbreviations; "no." only before a number, handled loosely.
        true
    }
}

fn push_sentence(
    text: &str,
    tokens: &mut [Token],
    sentences: &mut Vec<Sentence>,
    from: usize,
    to: usize,
    paragraph: usize,
) {
    if from >= to {
        return;
    }
    let _ = text;
    tokens[from].flags |= tf::SENT_START;
    let mut cues = 0;
    let mut words = 0;
    for t in &tokens[from..to] {
        cues |= t.cues;
        if t.is_word() {
            words += 1;
        }
    }
    // Skip leading opening quotes for the sentence-start flag of the first word.
    if let Some(w) = tokens[from..to].iter().position(|t| t.kind != TokenKind::Punct) {
        tokens[from + w].flags |= tf::SENT_START;
    }
    let question = tokens[from..to]
        .iter()
        .rev()
        .find(|t| !(t.kind == TokenKind::Punct && is_closer(t.ch)))
        .is_some_and(|t| t.ch == '?');
    sentences.push(Sentence {
        start: tokens[from].start,
        end: tokens[to - 1].end,
        tok_start: from,
        tok_end: to,
        paragraph,
        words,
        cues,
        question,
        duplicate: false,
    });
}

fn push_paragraph(paragraphs: &mut Vec<Paragraph>, sentences: &[Sentence], from: usize) {
    if from >= sentences.len() {
        return;
    }
    paragraphs.push(Paragraph {
        start: sentences[from].start,
        end: sentences[sentences.len() - 1].end,
        sent_start: from,
        sent_end: sentences.len(),
        duplicate: false,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_paragraphs_on_blank_lines_and_sentences_on_full_stops() {
        let a = Analysis::new("One two three. Four five six.\n\nSeven eight nine?");
        assert_eq!(a.paragraphs.len(), 2);
        assert_eq!(a.sentences.len(), 3);
        assert_eq!(a.sentence_text(0), "One two three.");
        assert!(a.sentences[2].question);
        assert_eq!(a.sentences[2].paragraph, 1);
    }

    #[test]
    fn single_newlines_are_paragraphs_when_no_blank_line_is_used() {
        let a = Analysis::new("First paragraph here.\nSecond paragraph here.");
        assert_eq!(a.paragraphs.len(), 2);
    }

    #[test]
    fn a_blank_line_after_the_title_and_single_breaks_after_it_are_all_paragraphs() {
        let text = "Why did it fall?\n\nThe war destroyed it. It split the allies.\nThe army dissolved in July.\nIn conclusion, the war did it.";
        let a = Analysis::new(text);
        assert_eq!(a.paragraphs.len(), 4);
        assert_eq!(a.sentences[a.paragraphs[2].sent_start].paragraph, 2);
        // Lines wrapped mid-sentence are one paragraph.
        let wrapped =
            "Title\n\nThe war destroyed the government\nbecause it split the allies.\n\nThe army dissolved\nin July.";
        assert_eq!(Analysis::new(wrapped).paragraphs.len(), 3);
    }

    #[test]
    fn initials_do_not_end_sentences() {
        let a = Analysis::new("The historian A. J. P. Taylor said so. Then it ended.");
        assert_eq!(a.sentences.len(), 2);
        assert!(a.sentence_text(0).ends_with("said so."));
    }

    #[test]
    fn words_keep_hyphens_and_possessives() {
        let a = Analysis::new("Chiang Kai-shek met Stalin’s envoy in the 1930s, on 22 June.");
        let words: Vec<&str> = (0..a.tokens.len()).map(|i| a.tok_str(i)).collect();
        assert!(words.contains(&"Kai-shek"));
        assert!(words.contains(&"Stalin’s"));
        assert!(words.contains(&"1930s"));
        let i = words.iter().position(|w| *w == "Stalin’s").unwrap();
        assert_eq!(a.base_str(i), "Stalin");
    }

    #[test]
    fn repeated_sentences_are_marked_once() {
        let para = "Stalin signed the pact in 1939 with Hitler. It bought time for the army.";
        let text = format!("{para}\n\n{para}\n\n{para}");
        let a = Analysis::new(&text);
        assert_eq!(a.sentences.iter().filter(|s| !s.duplicate).count(), 2);
        assert_eq!(a.live_paragraphs, vec![0]);
        assert_eq!(a.live_words * 3, a.total_words);
    }

    #[test]
    fn phrases_attach_to_their_first_token() {
        let a = Analysis::new("On the other hand, it failed.");
        assert!(a.tokens[0].has(cue::CONTRAST));
        assert_eq!(a.tokens[0].phrase_len, 4);
    }
}
