//! Specific evidence: dates and date ranges, named people, places, events and policies,
//! figures and quotations; how densely they occur per paragraph; and whether explanation follows
//! them ("this shows", "as a result", "which meant").
//!
//! Names are capitalised word sequences, not entries in a list. A name the essay repeats
//! constantly (the main actors, the countries of the question) counts for less than a name used
//! once as a precise detail, and a name that is only the question's own terms counts for nothing.

use super::super::SpanLabel;
use super::super::lexicon::cue;
use super::super::text::{Analysis, TokenKind, tf};
use super::Structure;
use super::claims::{Claims, NONE};
use super::historians::{Historiography, is_open_quote};
use super::relevance::{QuestionTerms, year_value};

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub start: usize,
    pub end: usize,
    pub label: SpanLabel,
    pub weight: f64,
    pub sentence: usize,
    /// A full date (day or month with year), a figure, or a multi-word event or name.
    pub precise: bool,
    key: u64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Specifics {
    pub items: Vec<Item>,
    /// Weighted count of distinct items.
    pub points: f64,
    /// Points per 100 live words.
    pub density: f64,
    /// Distinct dates (not counting the question's own years).
    pub dates: usize,
    pub precise: usize,
    /// Precise items per 100 live words.
    pub precise_density: f64,
    /// Evidence sentences that argue, or sit next to a sentence that does.
    pub linked_sentences: usize,
    /// Share of live sentences that argue.
    pub argued_share: f64,
    /// Sentences carrying evidence, and those of them explained.
    pub evidence_sentences: usize,
    pub explained_sentences: usize,
    /// Share of body paragraphs with at least two points of evidence.
    pub paragraph_coverage: f64,
    /// Sentences that explain evidence.
    pub explanation_spans: Vec<(usize, usize)>,
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in s.chars().flat_map(char::to_lowercase) {
        let mut b = [0u8; 4];
        for &x in c.encode_utf8(&mut b).as_bytes() {
            h ^= u64::from(x);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn is_dash(a: &Analysis<'_>, i: usize) -> bool {
    a.tokens
        .get(i)
        .is_some_and(|t| t.kind == TokenKind::Punct && matches!(t.ch, '-' | '–' | '—'))
}

fn number_value(s: &str) -> Option<u64> {
    let mut v: u64 = 0;
    for b in s.bytes() {
        match b {
            b'0'..=b'9' => v = v.saturating_mul(10).saturating_add(u64::from(b - b'0')),
            b',' => {}
            _ => return None,
        }
    }
    Some(v)
}

struct Ctx<'x, 'a> {
    a: &'x Analysis<'a>,
    q: &'x QuestionTerms,
    h: &'x Historiography,
    /// Lowercase-name hashes seen capitalised mid-sentence, with counts (sorted by hash).
    caps: Vec<(u64, u32)>,
}

impl Ctx<'_, '_> {
    fn cap_count(&self, key: u64) -> u32 {
        match self.caps.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => self.caps[i].1,
            Err(_) => 0,
        }
    }

    fn month(&self, i: usize) -> bool {
        self.a
            .tokens
            .get(i)
            .is_some_and(|t| t.is_word() && t.flag(tf::CAP) && t.has(cue::MONTH))
    }

    fn number(&self, i: usize) -> Option<u64> {
        let t = self.a.tokens.get(i)?;
        if t.kind != TokenKind::Number || t.flags & (tf::DECADE | tf::ORDINAL_NUM) != 0 {
            return None;
        }
        number_value(self.a.tok_str(i))
    }

    fn year(&self, i: usize) -> Option<u32> {
        let t = self.a.tokens.get(i)?;
        if t.kind != TokenKind::Number {
            return None;
        }
        year_value(self.a.tok_str(i))
    }

    fn name_word(&self, i: usize) -> bool {
        let Some(t) = self.a.tokens.get(i) else {
            return false;
        };
        t.is_word()
            && t.flag(tf::CAP)
            && !t.has(cue::FUNC | cue::MONTH | cue::HIST_NOUN | cue::GENERIC_GROUP | cue::CONCLUDE)
            && !self.h.is_name_token(i)
    }

    fn question_year(&self, y: u32) -> bool {
        self.q.years.is_some_and(|(lo, hi)| y == lo || y == hi)
    }
}

/// A sentence that argues: it judges, weighs, contrasts, evaluates or gives a reason.
pub fn argues(a: &Analysis<'_>, s: usize, claims: &Claims, h: &Historiography) -> bool {
    let sent = &a.sentences[s];
    claims.strength[s] > NONE
        || h.mentions_in(s)
        || sent.has(cue::WEIGH | cue::EVAL | cue::CONTRAST | cue::COUNTER | cue::REASON)
        || a.tokens[sent.tok_start..sent.tok_end]
            .iter()
            .any(|t| t.phrase_cues & cue::EXPLAIN != 0)
}

pub fn detect(a: &Analysis<'_>, q: &QuestionTerms, st: &Structure, h: &Historiography, claims: &Claims) -> Specifics {
    let mut caps: Vec<(u64, u32)> = Vec::new();
    for (_, s) in a.live_sentences() {
        for i in s.tok_start..s.tok_end {
            let t = &a.tokens[i];
            if t.is_word() && t.flag(tf::CAP) && !t.has(cue::FUNC) {
                caps.push((fnv(a.base_str(i)), u32::from(!t.flag(tf::SENT_START))));
            }
        }
    }
    caps.sort_unstable();
    // Merge: count of capitalised uses; keep only words also seen mid-sentence.
    let mut merged: Vec<(u64, u32)> = Vec::new();
    let mut mid_seen: Vec<bool> = Vec::new();
    for (k, mid) in caps {
        match merged.last_mut() {
            Some(last) if last.0 == k => {
                last.1 += 1;
                if mid == 1 {
                    *mid_seen.last_mut().expect("pushed with merged") = true;
                }
            }
            _ => {
                merged.push((k, 1));
                mid_seen.push(mid == 1);
            }
        }
    }
    let caps: Vec<(u64, u32)> = merged
        .into_iter()
        .zip(mid_seen)
        .filter(|(_, m)| *m)
        .map(|(x, _)| x)
        .collect();
    let cx = Ctx { a, q, h, caps };

    let mut items: Vec<Item> = Vec::new();
    for (si, s) in a.live_sentences() {
        let mut i = s.tok_start;
        while i < s.tok_end {
            let t = &a.tokens[i];
            let next = match t.kind {
                TokenKind::Number => number_item(&cx, si, i, s.tok_end, &mut items),
                TokenKind::Word => word_item(&cx, si, i, s.tok_end, &mut items),
                TokenKind::Punct => {
                    if is_open_quote(a, i) {
                        quote_item(&cx, si, i, &mut items);
                    }
                    i + 1
                }
            };
            i = next.max(i + 1);
        }
    }

    // Distinct points.
    let mut keyed: Vec<(u64, f64, bool, SpanLabel)> = items
        .iter()
        .map(|it| (it.key, it.weight, it.precise, it.label))
        .collect();
    keyed.sort_by(|x, y| x.0.cmp(&y.0).then(y.1.total_cmp(&x.1)));
    keyed.dedup_by_key(|x| x.0);
    let points: f64 = keyed.iter().map(|x| x.1).sum();
    let precise = keyed.iter().filter(|x| x.2).count();
    let dates = keyed.iter().filter(|x| x.3 == SpanLabel::Date && x.1 >= 0.5).count();

    // Evidence sentences and their explanation.
    let mut per_sentence = vec![0.0f64; a.sentences.len()];
    for it in &items {
        per_sentence[it.sentence] += it.weight;
    }
    let live: Vec<usize> = a.live_sentences().map(|(i, _)| i).collect();
    let mut evidence_sentences = 0;
    let mut explained_sentences = 0;
    let mut linked_sentences = 0;
    let mut explanation_spans = Vec::new();
    let arg: Vec<bool> = (0..a.sentences.len())
        .map(|s| !a.sentences[s].duplicate && argues(a, s, claims, h))
        .collect();
    for (k, &s) in live.iter().enumerate() {
        if per_sentence[s] < 1.0 {
            continue;
        }
        evidence_sentences += 1;
        let sent = &a.sentences[s];
        let same_para = |x: &usize| a.sentences[*x].paragraph == sent.paragraph;
        let neighbour_argues = live.get(k + 1).filter(|x| same_para(x)).is_some_and(|&x| arg[x])
            || k.checked_sub(1)
                .and_then(|p| live.get(p))
                .filter(|x| same_para(x))
                .is_some_and(|&x| arg[x]);
        if arg[s] || neighbour_argues {
            linked_sentences += 1;
        }
        let here = sent.has(cue::EXPLAIN);
        let next = live
            .get(k + 1)
            .filter(|&&n| a.sentences[n].paragraph == sent.paragraph && a.sentences[n].has(cue::EXPLAIN));
        if here {
            explained_sentences += 1;
            explanation_spans.push((sent.start, sent.end));
        } else if let Some(&n) = next {
            explained_sentences += 1;
            explanation_spans.push((a.sentences[n].start, a.sentences[n].end));
        }
    }
    explanation_spans.sort_unstable();
    explanation_spans.dedup();

    let body: &[usize] = &st.body;
    let body_covered = body
        .iter()
        .filter(|&&p| {
            let sum: f64 = a.paragraph_sentences(p).map(|s| per_sentence[s]).sum();
            sum >= 2.0
        })
        .count();
    let paragraph_coverage = if body.is_empty() {
        0.0
    } else {
        body_covered as f64 / body.len() as f64
    };
    let density = if a.live_words == 0 {
        0.0
    } else {
        points * 100.0 / a.live_words as f64
    };
    // Bare years ("in 1938") are specific but less precise than "September 1938".
    let bare_dates = keyed
        .iter()
        .filter(|x| x.3 == SpanLabel::Date && x.1 >= 1.0 && !x.2)
        .count();
    let precise_density = if a.live_words == 0 {
        0.0
    } else {
        (precise as f64 + 0.5 * bare_dates as f64) * 100.0 / a.live_words as f64
    };
    let argued_share = if live.is_empty() {
        0.0
    } else {
        live.iter().filter(|&&s| arg[s]).count() as f64 / live.len() as f64
    };
    Specifics {
        items,
        points,
        density,
        dates,
        precise,
        precise_density,
        evidence_sentences,
        explained_sentences,
        linked_sentences,
        argued_share,
        paragraph_coverage,
        explanation_spans,
    }
}

/// Records the item spanning tokens `from..=to_incl`.
fn push(
    cx: &Ctx<'_, '_>,
    items: &mut Vec<Item>,
    si: usize,
    (from, to_incl): (usize, usize),
    label: SpanLabel,
    weight: f64,
    precise: bool,
) {
    let a = cx.a;
    let start = a.tokens[from].start;
    let end = a.tokens[to_incl].base_end.max(start);
    items.push(Item {
        start,
        end,
        label,
        weight,
        sentence: si,
        precise,
        key: fnv(&a.text[start..end]),
    });
}

/// Dates and figures starting at a number. Returns the next token to look at.
fn number_item(cx: &Ctx<'_, '_>, si: usize, i: usize, end: usize, items: &mut Vec<Item>) -> usize {
    let a = cx.a;
    let t = &a.tokens[i];
    if t.flag(tf::DECADE) {
        push(cx, items, si, (i, i), SpanLabel::Date, 1.0, false);
        return i + 1;
    }
    if t.flag(tf::ORDINAL_NUM) {
        if i + 1 < end && a.tok_str(i + 1).eq_ignore_ascii_case("century") {
            push(cx, items, si, (i, i + 1), SpanLabel::Date, 0.5, false);
            return i + 2;
        }
        return i + 1;
    }
    if let Some(y) = cx.year(i) {
        let mut last = i;
        if i + 2 < end && is_dash(a, i + 1) && cx.number(i + 2).is_some() {
            last = i + 2;
        }
        let echo = cx.question_year(y) && (last == i || cx.year(last).is_some_and(|z| cx.question_year(z)));
        let weight = if echo { 0.2 } else { 1.0 };
        push(cx, items, si, (i, last), SpanLabel::Date, weight, false);
        return last + 1;
    }
    let value = cx.number(i);
    // Day (or day range) + month (+ year): "23 August 1939", "5–6 July".
    let mut j = i;
    if value.is_some_and(|v| (1..=31).contains(&v)) {
        if is_dash(a, j + 1) && cx.number(j + 2).is_some_and(|v| v <= 31) {
            j += 2;
        }
        if j + 1 < end && cx.month(j + 1) {
            let mut last = j + 1;
            if last + 1 < end && cx.year(last + 1).is_some() {
                last += 1;
            }
            push(cx, items, si, (i, last), SpanLabel::Date, 1.0, true);
            return last + 1;
        }
    }
    let Some(v) = value else {
        return i + 1;
    };
    let magnitude = a
        .tokens
        .get(i + 1)
        .is_some_and(|n| (n.is_word() && n.has(cue::MAGNITUDE)) || (n.kind == TokenKind::Punct && n.ch == '%'));
    let text = a.tok_str(i);
    if magnitude || text.contains(',') || v >= 100 {
        let last = if magnitude && i + 1 < end { i + 1 } else { i };
        push(cx, items, si, (i, last), SpanLabel::Figure, 1.0, true);
        return last + 1;
    }
    if v >= 2 {
        push(cx, items, si, (i, i), SpanLabel::Figure, 0.5, false);
    }
    i + 1
}

/// Months, number words with magnitudes, and capitalised names starting at a word.
fn word_item(cx: &Ctx<'_, '_>, si: usize, i: usize, end: usize, items: &mut Vec<Item>) -> usize {
    let a = cx.a;
    let t = &a.tokens[i];
    if t.has(cue::NUMBER_WORD)
        && !t.flag(tf::CAP)
        && i + 1 < end
        && a.tokens[i + 1].is_word()
        && a.tokens[i + 1].has(cue::MAGNITUDE)
        && !a.tok_str(i + 1).eq_ignore_ascii_case("per")
    {
        push(cx, items, si, (i, i + 1), SpanLabel::Figure, 1.0, true);
        return i + 2;
    }
    if cx.month(i) && !t.flag(tf::SENT_START) {
        // "May 1935", "June 22", or a month alone.
        if i + 1 < end && cx.year(i + 1).is_some() {
            push(cx, items, si, (i, i + 1), SpanLabel::Date, 1.0, true);
            return i + 2;
        }
        if i + 1 < end && cx.number(i + 1).is_some_and(|v| (1..=31).contains(&v)) {
            push(cx, items, si, (i, i + 1), SpanLabel::Date, 1.0, true);
            return i + 2;
        }
        push(cx, items, si, (i, i), SpanLabel::Date, 0.5, false);
        return i + 1;
    }
    if !cx.name_word(i) {
        return i + 1;
    }
    // A capitalised sequence, joined by "of", "of the" and particles.
    let mut last = i;
    let mut j = i + 1;
    let mut words = 1;
    while j < end && words < 6 && !a.tokens[last].flag(tf::POSSESSIVE) {
        if cx.name_word(j) || (a.tokens[j].flag(tf::INITIAL) && a.tokens[j].is_word()) {
            last = j;
            j += 1;
            words += 1;
        } else if a.tokens[j].is_word()
            && !a.tokens[j].flag(tf::CAP)
            && (a.tok_str(j) == "of" || a.tokens[j].has(cue::PARTICLE))
        {
            let mut k = j + 1;
            if k < end && a.tok_str(k) == "the" {
                k += 1;
            }
            if k < end && cx.name_word(k) {
                last = k;
                j = k + 1;
                words += 1;
            } else {
                break;
            }
        } else if is_dash(a, j) && j + 1 < end && cx.name_word(j + 1) && a.tokens[j].start == a.tokens[j - 1].end {
            last = j + 1;
            j += 2;
            words += 1;
        } else {
            break;
        }
    }
    let multi = last > i;
    // A lone capitalised word opening a sentence is only a name if used capitalised elsewhere.
    let key = fnv(a.base_str(i));
    let count = cx.cap_count(key);
    if !multi && t.flag(tf::SENT_START) && count == 0 {
        return last + 1;
    }
    let mut any_event = false;
    let mut any_place = false;
    let mut all_question = true;
    for k in i..=last {
        let tk = &a.tokens[k];
        if !tk.is_word() || !tk.flag(tf::CAP) {
            continue;
        }
        any_event |= tk.has(cue::EVENT_NOUN);
        any_place |= tk.has(cue::PLACE_WORD);
        let is_q = a.tokens[k].has(cue::EVENT_NOUN | cue::GENERIC_TOPIC)
            || cx.q.term_of(a.base_str(k)).is_some_and(|x| cx.q.terms[x].proper);
        if !is_q {
            all_question = false;
        }
    }
    if all_question {
        return last + 1;
    }
    let after_place_prep =
        i > 0 && a.tokens[i - 1].is_word() && !a.tokens[i - 1].flag(tf::CAP) && a.tokens[i - 1].has(cue::PLACE_PREP);
    // People rarely take the article ("the Depression", "the Reichstag", "the Bolsheviks"), and
    // words of movements and peoples ("Bolshevik", "Marxist", "Japanese") are not people.
    let after_article = i > 0 && a.tokens[i - 1].is_word() && a.tok_str(i - 1).eq_ignore_ascii_case("the");
    let group_word = !multi && {
        let w = a.base_str(i);
        ["ism", "ist", "ists", "ik", "iks", "ese", "ish"].iter().any(|x| {
            w.len() > x.len() && w.is_char_boundary(w.len() - x.len()) && w[w.len() - x.len()..].eq_ignore_ascii_case(x)
        })
    };
    let label = if any_event || (!multi && t.flag(tf::ALL_CAPS)) || (after_article && !t.has(cue::TITLE)) || group_word
    {
        SpanLabel::Event
    } else if t.has(cue::TITLE) {
        SpanLabel::NamedPerson
    } else if any_place || after_place_prep {
        SpanLabel::Place
    } else {
        SpanLabel::NamedPerson
    };
    let frequent = count >= 4;
    let weight = if multi || any_event || t.has(cue::TITLE) {
        if frequent { 0.5 } else { 1.0 }
    } else if t.flag(tf::ALL_CAPS) || count > 2 {
        0.25
    } else {
        0.5
    };
    push(cx, items, si, (i, last), label, weight, multi && !frequent);
    last + 1
}

/// A quotation opening at `i`, closed within the next 150 tokens.
fn quote_item(cx: &Ctx<'_, '_>, si: usize, i: usize, items: &mut Vec<Item>) {
    let a = cx.a;
    let open = a.tokens[i].ch;
    let hi = (i + 150).min(a.tokens.len());
    for k in i + 1..hi {
        let t = &a.tokens[k];
        if t.kind != TokenKind::Punct {
            continue;
        }
        let closes = match open {
            '“' => t.ch == '”',
            '‘' => t.ch == '’',
            '«' => t.ch == '»',
            '"' => t.ch == '"',
            '\'' => t.ch == '\'' || t.ch == '’',
            _ => false,
        };
        if closes && a.tokens[k - 1].end == t.start {
            let words = (i + 1..k).filter(|&x| a.tokens[x].is_word()).count();
            if words == 0 {
                return;
            }
            let weight = if words >= 4 { 1.0 } else { 0.5 };
            push(cx, items, si, (i, k), SpanLabel::Quotation, weight, words >= 4);
            return;
        }
    }
}
