//! Historians and interpretations, found by pattern, never by a list of names:
//! a capitalised name before a reporting verb ("Haslam argues", "A. J. P. Taylor and Roberts
//! therefore present"), "according to X", a possessive before an interpretive noun or a quoted
//! phrase ("Tucker's case", "Taylor's 'war by timetable'"), "the historian X", "X, a revisionist
//! historian". Past-tense weak verbs ("Stalin thought") count only with more support, and a
//! name mentioned often but rarely with such cues is a historical actor, not a historian.

use super::super::lexicon::cue;
use super::super::text::{Analysis, TokenKind, tf};
use super::relevance::QuestionTerms;

#[derive(Debug, Clone, PartialEq)]
pub struct Historian {
    /// Lowercased surname, the identity of the historian within the essay.
    pub key: String,
    /// The fullest form of the name seen (for feedback).
    pub name: String,
    /// Byte spans of every mention (full name where given).
    pub mentions: Vec<(usize, usize)>,
    /// Sentences that mention the historian.
    pub sentences: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Historiography {
    pub historians: Vec<Historian>,
    /// "some historians say", "it is argued".
    pub vague: Vec<(usize, usize)>,
    /// Schools and debates: "revisionist", "the collective security school".
    pub schools: Vec<(usize, usize)>,
    /// Sentences that evaluate an interpretation, with the evaluative words' spans.
    pub evaluations: Vec<usize>,
    pub evaluation_spans: Vec<(usize, usize)>,
    /// Evaluations that rest on the historian's evidence, sources, method or context.
    pub method_evaluations: usize,
    /// Sentences that compare or contrast interpretations.
    pub comparisons: Vec<usize>,
    /// Quotations attributed to a named historian.
    pub attributed_quotes: usize,
    /// Token indices that belong to historians' names (sorted), so that evidence detection
    /// does not count them as named people.
    pub name_tokens: Vec<usize>,
    /// Sentences that mention any historian (sorted).
    pub sentences: Vec<usize>,
}

impl Historiography {
    pub fn is_name_token(&self, i: usize) -> bool {
        self.name_tokens.binary_search(&i).is_ok()
    }
    pub fn mentions_in(&self, s: usize) -> bool {
        self.sentences.binary_search(&s).is_ok()
    }
    /// Distinct historians mentioned in a sentence.
    pub fn count_in(&self, s: usize) -> usize {
        self.historians
            .iter()
            .filter(|h| h.sentences.binary_search(&s).is_ok())
            .count()
    }
}

struct Candidate {
    key: String,
    name: (usize, usize),
    name_tokens: usize,
    max_strength: f64,
    sum_strength: f64,
    cues: usize,
}

struct Finder<'x, 'a> {
    a: &'x Analysis<'a>,
    q: &'x QuestionTerms,
    cands: Vec<Candidate>,
}

impl Finder<'_, '_> {
    fn word(&self, i: usize) -> bool {
        self.a.tokens.get(i).is_some_and(|t| t.is_word())
    }

    fn lower_is(&self, i: usize, w: &str) -> bool {
        self.word(i) && self.a.tok_str(i).eq_ignore_ascii_case(w)
    }

    fn punct_is(&self, i: usize, c: char) -> bool {
        self.a
            .tokens
            .get(i)
            .is_some_and(|t| t.kind == TokenKind::Punct && t.ch == c)
    }

    /// A capitalised word that can be part of a person's name.
    fn name_word(&self, i: usize) -> bool {
        let Some(t) = self.a.tokens.get(i) else {
            return false;
        };
        if !t.is_word() || !t.flag(tf::CAP) || t.flag(tf::INITIAL) || t.flag(tf::ALL_CAPS) {
            return false;
        }
        // Placeholders and codes ("CAPS1", "B52") are not names.
        if self.a.tok_str(i).bytes().any(|b| b.is_ascii_digit()) {
            return false;
        }
        if t.has(
            cue::FUNC
                | cue::MONTH
                | cue::HIST_NOUN
                | cue::GENERIC_GROUP
                | cue::TITLE
                | cue::SCHOOL
                | cue::EVENT_NOUN
                | cue::PLACE_WORD
                | cue::CONCLUDE,
        ) {
            return false;
        }
        let base = self.a.base_str(i);
        if let Some(k) = self.q.term_of(base)
            && self.q.terms[k].proper
        {
            return false;
        }
        true
    }

    fn initial(&self, i: usize) -> bool {
        self.a.tokens.get(i).is_some_and(|t| t.flag(tf::INITIAL)) && self.punct_is(i + 1, '.')
    }

    /// Start of the name whose last word is `end` (inclusive).
    fn name_ending_at(&self, end: usize) -> Option<usize> {
        if !self.name_word(end) {
            return None;
        }
        let mut s = end;
        let mut len = 1;
        while s > 0 && len < 6 {
            let p = s - 1;
            if self.name_word(p) && !self.a.tokens[p].flag(tf::POSSESSIVE) {
                s = p;
            } else if p > 0
                && ((self.punct_is(p, '.') && self.initial(p - 1))
                    || (self.word(p)
                        && self.a.tokens[p].has(cue::PARTICLE)
                        && !self.a.tokens[p].flag(tf::CAP)
                        && self.name_word(p - 1)))
            {
                // An initial ("A. J. P.") or a particle ("de", "von") before the surname.
                s = p - 1;
            } else {
                break;
            }
            len += 1;
        }
        Some(s)
    }

    /// End (exclusive) of the name starting at `start`.
    fn name_starting_at(&self, start: usize) -> Option<usize> {
        let mut i = start;
        let mut last_word = None;
        let mut len = 0;
        while len < 6 {
            if self.initial(i) {
                i += 2;
            } else if self.name_word(i) {
                last_word = Some(i);
                let poss = self.a.tokens[i].flag(tf::POSSESSIVE);
                i += 1;
                if poss {
                    break;
                }
            } else if last_word.is_some()
                && self.word(i)
                && self.a.tokens[i].has(cue::PARTICLE)
                && !self.a.tokens[i].flag(tf::CAP)
                && self.name_word(i + 1)
            {
                i += 1;
            } else {
                break;
            }
            len += 1;
        }
        last_word.map(|w| w + 1)
    }

    fn add(&mut self, start: usize, end_incl: usize, strength: f64) {
        let a = self.a;
        let key = a.base_str(end_incl).to_lowercase();
        let span = (a.tokens[start].start, a.tokens[end_incl].base_end);
        let words = (start..=end_incl).filter(|&i| a.tokens[i].is_word()).count();
        let has_initials = (start..=end_incl).any(|i| a.tokens[i].flag(tf::INITIAL));
        let strength = strength + if has_initials { 0.5 } else { 0.0 };
        match self.cands.iter_mut().find(|c| c.key == key) {
            Some(c) => {
                c.max_strength = c.max_strength.max(strength);
                c.sum_strength += strength;
                c.cues += 1;
                if words > c.name_tokens {
                    c.name = span;
                    c.name_tokens = words;
                }
            }
            None => self.cands.push(Candidate {
                key,
                name: span,
                name_tokens: words,
                max_strength: strength,
                sum_strength: strength,
                cues: 1,
            }),
        }
    }

    /// Adds the name ending at `end` and any names coordinated before it ("X, Y and Z").
    fn add_subjects(&mut self, end: usize, strength: f64, plural_verb: bool) {
        let Some(mut s) = self.name_ending_at(end) else {
            return;
        };
        let mut names = vec![(s, end)];
        // "X, Y and Z argue": names joined by "and" or a comma (", and" opens a new clause).
        while s >= 2 && (self.lower_is(s - 1, "and") || self.punct_is(s - 1, ',')) {
            let e = s - 2;
            if self.punct_is(e, ',') || self.a.tokens[e].flag(tf::POSSESSIVE) {
                break;
            }
            match self.name_ending_at(e) {
                Some(ns) => {
                    names.push((ns, e));
                    s = ns;
                }
                None => break,
            }
        }
        // One name with a plural verb is a plural noun ("Studies show", "Kids say").
        if plural_verb && names.len() == 1 {
            return;
        }
        for (st, en) in names {
            self.add(st, en, strength);
        }
    }

    /// Adds the names listed from `start` on ("historians such as X, Y and Z").
    fn add_list(&mut self, mut start: usize, strength: f64) {
        for _ in 0..8 {
            let Some(end) = self.name_starting_at(start) else {
                return;
            };
            self.add(start, end - 1, strength);
            let mut n = end;
            if self.punct_is(n, ',') {
                n += 1;
            }
            if self.lower_is(n, "and") {
                n += 1;
            }
            if n == end {
                return;
            }
            start = n;
        }
    }

    /// The subject name before a reporting verb at `v`, skipping adverbs, auxiliaries and a
    /// parenthetical ("Roberts, in Stalin's Wars, credits").
    fn subject_before(&self, v: usize, sent_start: usize) -> Option<(usize, bool)> {
        let mut j = v.checked_sub(1)?;
        let mut perfect = false;
        let mut skipped = 0;
        while j > sent_start
            && skipped < 3
            && self.word(j)
            && !self.a.tokens[j].flag(tf::CAP)
            && self.a.tokens[j].has(cue::NAME_SKIP)
        {
            if self.lower_is(j, "has") || self.lower_is(j, "have") {
                perfect = true;
            }
            j -= 1;
            skipped += 1;
        }
        if self.punct_is(j, ',') {
            // Parenthetical: find the opening comma within a few tokens.
            let lo = j.saturating_sub(10).max(sent_start);
            let mut k = j;
            while k > lo {
                k -= 1;
                if self.punct_is(k, ',') {
                    let inner_lower = self
                        .a
                        .tokens
                        .get(k + 1)
                        .is_some_and(|t| t.is_word() && !t.flag(tf::CAP));
                    if k > 0 && self.name_word(k - 1) && inner_lower {
                        return Some((k - 1, perfect));
                    }
                    return None;
                }
            }
            return None;
        }
        if j < sent_start || self.a.tokens[j].flag(tf::POSSESSIVE) || !self.name_word(j) {
            return None;
        }
        // The name must be a subject, not the object of a verb or preposition
        // ("promised Vienna support", "of French support").
        let start = self.name_ending_at(j)?;
        if start > sent_start && !self.subject_can_follow(start - 1) {
            return None;
        }
        Some((j, perfect))
    }

    /// Whether a subject can follow token `p`: punctuation, a conjunction or connective, a
    /// coordinated name, or a word that introduces a historian ("historian", "revisionist").
    fn subject_can_follow(&self, p: usize) -> bool {
        let t = &self.a.tokens[p];
        if !t.is_word() {
            return true;
        }
        if t.flag(tf::CAP) || t.has(cue::HIST_NOUN | cue::SCHOOL) {
            return true;
        }
        const PREPOSITIONS: &[&str] = &[
            "of", "to", "for", "with", "by", "from", "in", "on", "at", "into", "onto", "against", "about", "over",
            "under", "between", "among", "towards", "toward", "upon", "via", "the", "a", "an",
        ];
        let w = self.a.tok_str(p);
        if PREPOSITIONS.iter().any(|x| w.eq_ignore_ascii_case(x)) {
            return false;
        }
        t.has(cue::STOP | cue::FUNC | cue::CONTRAST)
    }
}

pub fn detect(a: &Analysis<'_>, q: &QuestionTerms) -> Historiography {
    let mut f = Finder {
        a,
        q,
        cands: Vec::new(),
    };
    let mut out = Historiography::default();
    let mut quote_after_verb = 0usize;

    for (_, s) in a.live_sentences() {
        for i in s.tok_start..s.tok_end {
            let t = &a.tokens[i];
            if !t.is_word() {
                continue;
            }
            // Name + reporting verb.
            if !t.flag(tf::CAP)
                && t.has(cue::REPORT_PRESENT | cue::REPORT_PAST_STRONG | cue::REPORT_PAST_WEAK)
                && let Some((end, perfect)) = f.subject_before(i, s.tok_start)
            {
                let mut strength = if t.has(cue::REPORT_PRESENT) {
                    2.0
                } else if t.has(cue::REPORT_PAST_STRONG) {
                    1.0
                } else {
                    0.5
                };
                if perfect && !t.has(cue::REPORT_PRESENT) {
                    strength = 2.0;
                }
                let plural_verb = t.has(cue::REPORT_PRESENT) && !perfect && !a.tok_str(i).ends_with(['s', 'S']);
                f.add_subjects(end, strength, plural_verb);
                if (i + 1..(i + 4).min(s.tok_end)).any(|k| a.tokens[k].kind == TokenKind::Punct && is_open_quote(a, k))
                {
                    // An attributed quotation is a second cue for the same name.
                    f.add_subjects(end, strength, plural_verb);
                    quote_after_verb += 1;
                }
            }
            // "Taylor, in The Origins of the Second World War, offers …": a name, then a book
            // between commas, then the verb.
            if !t.flag(tf::CAP)
                && (t.has(cue::REPORT_PRESENT | cue::REPORT_PAST_STRONG)
                    || f.lower_is(i, "offers")
                    || f.lower_is(i, "offered"))
                && i >= s.tok_start + 4
                && f.punct_is(i - 1, ',')
                && let Some(open) = (i.saturating_sub(14).max(s.tok_start + 1)..i - 1)
                    .rev()
                    .find(|&k| f.punct_is(k, ','))
                && f.lower_is(open + 1, "in")
                && a.tokens.get(open + 2).is_some_and(|x| x.flag(tf::CAP))
                && f.name_word(open - 1)
                && let Some(st) = f.name_ending_at(open - 1)
            {
                f.add(st, open - 1, 2.0);
            }
            // "according to X"
            if f.lower_is(i, "according") && f.lower_is(i + 1, "to") && i + 2 < s.tok_end {
                f.add_list(i + 2, 2.0);
            }
            // "X's view", "X's 'phrase'", "X's The Title"
            if t.flag(tf::POSSESSIVE)
                && f.name_word(i)
                && let Some(start) = f.name_ending_at(i)
            {
                let multi = start < i;
                let next = i + 1;
                // "Hobsbawm's reading", "Kershaw's interpretation": nouns only scholarship takes.
                let scholarly = f.word(next)
                    && [
                        "reading",
                        "interpretation",
                        "thesis",
                        "analysis",
                        "historiography",
                        "scholarship",
                    ]
                    .iter()
                    .any(|w| f.lower_is(next, w));
                let strength = if f.word(next) && a.tokens[next].has(cue::INTERP_NOUN) {
                    if multi || scholarly { 2.0 } else { 1.5 }
                } else if a.tokens.get(next).is_some_and(|n| n.kind == TokenKind::Punct) && is_open_quote(a, next) {
                    1.5
                } else if f.lower_is(next, "the")
                    && a.tokens[next].flag(tf::CAP)
                    && f.word(next + 1)
                    && a.tokens[next + 1].flag(tf::CAP)
                {
                    2.0
                } else {
                    0.0
                };
                if strength > 0.0 {
                    f.add(start, i, strength);
                }
            }
            // "the historian X", "historians such as X and Y"
            if t.has(cue::HIST_NOUN) {
                let mut n = i + 1;
                if f.lower_is(n, "such") && f.lower_is(n + 1, "as") {
                    n += 2;
                } else if f.lower_is(n, "like") || f.lower_is(n, "including") {
                    n += 1;
                }
                if f.punct_is(n, ',') {
                    n += 1;
                }
                if n < s.tok_end {
                    f.add_list(n, 2.0);
                }
                // "X, a revisionist historian" / "X is one of the leading historians"
                let lo = i.saturating_sub(8).max(s.tok_start);
                for k in (lo..i.saturating_sub(2)).rev() {
                    let linked = f.punct_is(k + 1, ',') || f.lower_is(k + 1, "is") || f.lower_is(k + 1, "was");
                    let article = ["a", "an", "the", "one"].iter().any(|w| f.lower_is(k + 2, w));
                    let modifiers = (k + 3..i)
                        .all(|m| a.tokens[m].is_word() && !a.tokens[m].flag(tf::CAP) || a.tokens[m].has(cue::SCHOOL));
                    if f.name_word(k) && !a.tokens[k].flag(tf::POSSESSIVE) && linked && article && modifiers {
                        if let Some(st) = f.name_ending_at(k) {
                            f.add(st, k, 2.0);
                        }
                        break;
                    }
                }
            }
            // "the X school"
            if f.lower_is(i, "school")
                && i > s.tok_start
                && f.name_word(i - 1)
                && let Some(st) = f.name_ending_at(i - 1)
            {
                f.add(st, i - 1, 2.0);
            }
        }
    }

    // Accept candidates, then find every mention.
    let cands = std::mem::take(&mut f.cands);
    for c in cands {
        let multi = c.name_tokens >= 2;
        let accepted = c.max_strength >= 2.0 || c.sum_strength >= 2.0 || (multi && c.sum_strength >= 1.0);
        if !accepted {
            continue;
        }
        let mut h = Historian {
            key: c.key.clone(),
            name: a.text[c.name.0..c.name.1].to_string(),
            mentions: Vec::new(),
            sentences: Vec::new(),
        };
        let mut toks: Vec<usize> = Vec::new();
        let mut mid_sentence = false;
        for (si, s) in a.live_sentences() {
            for i in s.tok_start..s.tok_end {
                let t = &a.tokens[i];
                if t.is_word()
                    && t.flag(tf::CAP)
                    && a.base_str(i).chars().flat_map(char::to_lowercase).eq(c.key.chars())
                {
                    let st = f.name_ending_at(i).unwrap_or(i);
                    mid_sentence |= !a.tokens[st].flag(tf::SENT_START);
                    h.mentions.push((a.tokens[st].start, t.base_end));
                    toks.extend(st..=i);
                    if h.sentences.last() != Some(&si) {
                        h.sentences.push(si);
                    }
                }
            }
        }
        // A name mentioned often but seldom as a source of views is a historical actor.
        if h.mentions.len() >= 4 && c.cues * 3 < h.mentions.len() {
            continue;
        }
        if h.mentions.is_empty() {
            continue;
        }
        // A lone capitalised word only ever seen opening a sentence may be a common noun
        // ("Research shows"): it needs a second cue.
        if !multi && !mid_sentence && c.cues < 2 {
            continue;
        }
        out.name_tokens.extend(toks);
        out.historians.push(h);
    }
    out.name_tokens.sort_unstable();
    out.name_tokens.dedup();
    out.sentences = out
        .historians
        .iter()
        .flat_map(|h| h.sentences.iter().copied())
        .collect();
    out.sentences.sort_unstable();
    out.sentences.dedup();
    out.attributed_quotes = if out.historians.is_empty() { 0 } else { quote_after_verb };

    // Vague attributions and schools.
    for (_, s) in a.live_sentences() {
        let mut covered_until = 0;
        for i in s.tok_start..s.tok_end {
            let t = &a.tokens[i];
            if !t.is_word() {
                continue;
            }
            if t.phrase_cues & cue::VAGUE_ATTR != 0 && i >= covered_until {
                let mut end = (i + t.phrase_len as usize).min(s.tok_end) - 1;
                // "Some historians argue": take the reporting verb too.
                if end + 1 < s.tok_end
                    && a.tokens[end + 1].is_word()
                    && !a.tokens[end + 1].flag(tf::CAP)
                    && a.tokens[end + 1].has(cue::REPORT_PRESENT | cue::REPORT_PAST_STRONG | cue::REPORT_PAST_WEAK)
                {
                    end += 1;
                }
                out.vague.push((t.start, a.tokens[end].end));
                covered_until = end + 1;
            } else if i >= covered_until
                && t.has(cue::HIST_NOUN)
                && a.tok_str(i).ends_with(['s', 'S'])
                && !out.is_name_token(i + 1)
                && !out.is_name_token(i + 3)
            {
                out.vague.push((t.start, t.end));
            }
            if t.has(cue::SCHOOL) {
                let end = if t.phrase_cues & cue::SCHOOL != 0 {
                    (i + t.phrase_len as usize).min(s.tok_end) - 1
                } else {
                    i
                };
                out.schools.push((t.start, a.tokens[end].end));
            }
            if f.lower_is(i, "school") && i > s.tok_start && a.tokens[i - 1].is_word() {
                let st = if i >= 2 && a.tokens[i - 2].is_word() {
                    i - 2
                } else {
                    i - 1
                };
                out.schools.push((a.tokens[st].start, t.end));
            }
        }
    }
    out.schools.sort_unstable();
    out.schools.dedup();

    // Evaluations and comparisons of interpretations.
    if !out.historians.is_empty() {
        // Distinct historians per paragraph, counted once.
        let mut para_historians = vec![0usize; a.paragraphs.len()];
        for h in &out.historians {
            let mut paras: Vec<usize> = h.sentences.iter().map(|&x| a.sentences[x].paragraph).collect();
            paras.dedup();
            for p in paras {
                para_historians[p] += 1;
            }
        }
        let mut prev: Option<(usize, usize)> = None; // (sentence, paragraph) mentioning a historian
        for (si, s) in a.live_sentences() {
            let mentions = out.mentions_in(si);
            let refers = mentions
                || prev.is_some_and(|(_, p)| p == s.paragraph)
                    && (s.tok_start..s.tok_end).any(|i| is_back_reference(a, i));
            if refers && s.has(cue::EVAL | cue::EVAL_COMPARATIVE) {
                out.evaluations.push(si);
                if s.has(cue::EVAL_METHOD) {
                    out.method_evaluations += 1;
                }
                for i in s.tok_start..s.tok_end {
                    let t = &a.tokens[i];
                    if t.has(cue::EVAL | cue::EVAL_COMPARATIVE) {
                        let end = if t.phrase_cues & cue::EVAL != 0 {
                            (i + t.phrase_len as usize).min(s.tok_end) - 1
                        } else {
                            i
                        };
                        out.evaluation_spans.push((t.start, a.tokens[end].end));
                    }
                }
            }
            if mentions {
                let n = out.count_in(si);
                let contrastive = s.has(cue::CONTRAST | cue::CONTRAST_WEAK | cue::COMPARE);
                let para_historians = para_historians[s.paragraph];
                let compares = (n >= 2 && contrastive)
                    || (n == 1 && s.has(cue::COMPARE))
                    || (n == 1 && s.has(cue::CONTRAST) && para_historians >= 2);
                if compares {
                    out.comparisons.push(si);
                }
                prev = Some((si, s.paragraph));
            }
        }
    }
    out
}

/// Pronouns and demonstratives that point back to the interpretation just described.
fn is_back_reference(a: &Analysis<'_>, i: usize) -> bool {
    let t = &a.tokens[i];
    t.is_word()
        && ["he", "she", "his", "her", "their", "they", "this", "these", "such"]
            .iter()
            .any(|w| a.tok_str(i).eq_ignore_ascii_case(w))
}

/// An opening quotation mark: a quote character followed directly by a word or number.
pub fn is_open_quote(a: &Analysis<'_>, k: usize) -> bool {
    let t = &a.tokens[k];
    if t.kind != TokenKind::Punct {
        return false;
    }
    let opening = match t.ch {
        '“' | '‘' | '«' => true,
        '"' | '\'' => k == 0 || a.tokens[k - 1].end < t.start || a.tokens[k - 1].kind == TokenKind::Punct,
        _ => false,
    };
    opening
        && a.tokens
            .get(k + 1)
            .is_some_and(|n| n.start == t.end && n.kind != TokenKind::Punct)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        let a = Analysis::new(text);
        let q = QuestionTerms::default();
        detect(&a, &q).historians.into_iter().map(|h| h.key).collect()
    }

    #[test]
    fn a_name_before_a_reporting_verb_is_a_historian() {
        assert_eq!(names("Jane Doe argues that the treaty failed."), vec!["doe"]);
        assert_eq!(names("Kowalski suggests that “nothing changed”."), vec!["kowalski"]);
    }

    #[test]
    fn coordinated_and_parenthetical_subjects_are_found() {
        let mut got =
            names("Ann Lee, Bo Chan and Cy Ortiz see a genuine strategy. Lee, in her book, credits the king.");
        got.sort();
        assert_eq!(got, vec!["chan", "lee", "ortiz"]);
    }

    #[test]
    fn initials_mark_a_writer_even_with_a_weak_verb() {
        assert_eq!(names("E. H. Carr thought the policy was defensive."), vec!["carr"]);
    }

    #[test]
    fn actors_with_weak_verbs_are_not_historians() {
        assert!(names("Stalin thought the army was weak. Moltke said war was coming.").is_empty());
    }

    #[test]
    fn plural_nouns_and_placeholders_are_not_historians() {
        assert!(names("Studies show that computers help. Research shows more. Kids say so.").is_empty());
        assert!(names("Then CAPS1 says that it is fine.").is_empty());
    }

    #[test]
    fn vague_groups_are_not_named_historians() {
        let a = Analysis::new("Some Historians argue that it failed. Many historians disagree.");
        let h = detect(&a, &QuestionTerms::default());
        assert!(h.historians.is_empty());
        assert!(!h.vague.is_empty());
    }

    #[test]
    fn possessive_views_and_according_to_count() {
        assert_eq!(
            names("According to Maria Brandt, the war was avoidable."),
            vec!["brandt"]
        );
        assert_eq!(names("Anna Weber's view neglects the archives."), vec!["weber"]);
    }
}
