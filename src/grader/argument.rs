//! Argument structure: the essay's thesis (its main claim) and where it is restated, the claims
//! that support it, the counter-arguments raised against it and the rebuttals that answer them,
//! each a clause of the text with the paragraph it sits in.
//!
//! Rules over the [`Analysis`], written from how persuasive and history essays are built, not from
//! any essay's wording: the thesis is the introduction's most committed sentence (a stance, a clear
//! judgement, its place at the end of the introduction) and is restated by the conclusion's; a
//! counter-argument is a concession ("although …", "admittedly …", "it is true that …") or a view
//! attributed to others ("some people argue that …", "critics claim …"), raised at the start of a
//! sentence or inside it; a rebuttal is the main clause that answers a concession, or the next
//! sentence of the paragraph that turns against it ("However, …"). Spans are clauses: the
//! connective, the stance frame ("I believe that") and the reason ("because …") are left out,
//! so that a span is the claim itself.

use super::lexicon::cue;
use super::signals::Structure;
use super::signals::claims::{CLEAR, Claims, NONE, VAGUE};
use super::signals::historians::Historiography;
use super::text::{Analysis, TokenKind, tf};

/// What a component does in the argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// The main claim (in the introduction, and its restatement in the conclusion).
    Thesis,
    /// A claim that argues for the thesis.
    Claim,
    /// A claim against the thesis, or a view the essay concedes.
    CounterArgument,
    /// The answer to a counter-argument.
    Rebuttal,
}

/// One component: a clause, by byte offsets into the essay.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub role: Role,
    pub start: usize,
    pub end: usize,
    /// The sentence it sits in.
    pub sentence: usize,
    /// The paragraph it sits in.
    pub paragraph: usize,
}

/// The components of one essay, in text order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArgumentStructure {
    pub components: Vec<Component>,
    /// Paragraphs where a point is turned against ("Yet the debt was not beyond its means")
    /// with a judgement, a denial or an evaluation: weighing without a counter-argument frame.
    pub weighed_paragraphs: Vec<usize>,
}

impl ArgumentStructure {
    pub fn of_role(&self, role: Role) -> impl Iterator<Item = &Component> {
        self.components.iter().filter(move |c| c.role == role)
    }

    pub fn count(&self, role: Role) -> usize {
        self.of_role(role).count()
    }

    /// Counter-arguments that are answered by a rebuttal in the same paragraph.
    pub fn answered_counters(&self) -> usize {
        let mut rebuttals: Vec<(usize, usize)> = self
            .of_role(Role::Rebuttal)
            .map(|r| (r.paragraph, r.sentence))
            .collect();
        rebuttals.sort_unstable();
        self.of_role(Role::CounterArgument)
            .filter(|c| {
                let k = rebuttals.partition_point(|&r| r < (c.paragraph, c.sentence));
                rebuttals.get(k).is_some_and(|&(p, _)| p == c.paragraph)
            })
            .count()
    }

    /// Distinct paragraphs holding a counter-argument.
    pub fn counter_paragraphs(&self) -> usize {
        let mut ps: Vec<usize> = self.of_role(Role::CounterArgument).map(|c| c.paragraph).collect();
        ps.dedup();
        ps.len()
    }
}

/// Is token `i` one of `words` (ASCII case-insensitive)? False past the end of the text.
fn word_is(a: &Analysis<'_>, i: usize, words: &[&str]) -> bool {
    let Some(t) = a.tokens.get(i) else {
        return false;
    };
    if !t.is_word() {
        return false;
    }
    // Called for most tokens of the introduction and conclusion: compare the length and the
    // first letter before the whole word.
    let w = &a.text.as_bytes()[t.start..t.end];
    let first = w[0].to_ascii_lowercase();
    words.iter().any(|x| {
        let x = x.as_bytes();
        x.len() == w.len() && x[0] == first && x.eq_ignore_ascii_case(w)
    })
}

/// Is token `i` one of these punctuation marks? False past the end of the text.
fn is_punct(a: &Analysis<'_>, i: usize, chars: &[char]) -> bool {
    a.tokens
        .get(i)
        .is_some_and(|t| t.kind == TokenKind::Punct && chars.contains(&t.ch))
}

/// Subordinators that open a concession ("Although X, Y": X is conceded, Y answers it).
const CONCESSIVE: &[&str] = &["although", "though", "albeit"];

/// Sentence openers that concede a point to the other side.
const CONCEDING: &[&str] = &["admittedly", "granted", "undeniably"];

/// Groups whose view an essay reports in order to answer it.
const OTHERS: &[&str] = &[
    "opponents",
    "critics",
    "proponents",
    "supporters",
    "advocates",
    "sceptics",
    "skeptics",
    "those",
    "others",
    "some",
    "many",
    "people",
    "someone",
    "one",
];

/// Adjectives that, after "it is", frame a conceded or asserted proposition ("it is true that").
const FRAME_ADJ: &[&str] = &[
    "true",
    "undeniable",
    "clear",
    "evident",
    "obvious",
    "certain",
    "undisputed",
    "arguable",
    "believed",
    "argued",
    "said",
    "claimed",
    "known",
    "felt",
    "accepted",
    "thought",
    "convinced",
    "sure",
    "confident",
    "seen",
    "shown",
    "proven",
    "me",
    "statement",
    "idea",
];

/// Openers that turn against what came before.
const TURN: &[&str] = &[
    "however",
    "but",
    "nevertheless",
    "nonetheless",
    "yet",
    "still",
    "despite",
    "conversely",
];

/// The first word token at or after `i`, before `end`.
fn next_word(a: &Analysis<'_>, mut i: usize, end: usize) -> Option<usize> {
    while i < end {
        if a.tokens[i].is_word() {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Skips an opening connective phrase ending in a comma ("In conclusion,", "On the other hand,",
/// "First of all,"): at most six words, opening with a function word, no capitalised name.
fn skip_connective(a: &Analysis<'_>, from: usize, to: usize) -> usize {
    let Some(first) = next_word(a, from, to) else {
        return from;
    };
    let concessive = word_is(a, first, CONCESSIVE) || word_is(a, first, &["even", "despite"]);
    if concessive || !a.tokens[first].has(cue::FUNC | cue::STOP | cue::CONCLUDE | cue::CONTRAST | cue::ORDINAL) {
        return from;
    }
    let mut words = 0;
    for i in first..to.min(first + 9) {
        let t = &a.tokens[i];
        if t.is_word() {
            words += 1;
            if i > first && t.flag(tf::CAP) && !word_is(a, i, &["i"]) {
                return from;
            }
        } else if is_punct(a, i, &[',']) {
            return if words <= 6 { i + 1 } else { from };
        } else if !is_punct(a, i, &['-', '\'', '’']) {
            return from;
        }
    }
    from
}

/// After a stance or report frame ("I firmly believe that", "it is true that", "some people
/// argue that"), the start of the proposition; `from` when there is no frame.
fn skip_frame(a: &Analysis<'_>, from: usize, to: usize) -> usize {
    let limit = to.min(from + 24);
    for i in from..limit {
        if !word_is(a, i, &["that"]) || i + 3 >= to {
            continue;
        }
        let prev = (from..i).rev().find(|&k| a.tokens[k].is_word());
        let Some(p) = prev else { continue };
        let pt = &a.tokens[p];
        let framed = pt.has(cue::REPORT_PRESENT | cue::REPORT_PAST_STRONG | cue::REPORT_PAST_WEAK)
            || word_is(a, p, FRAME_ADJ)
            || word_is(
                a,
                p,
                &[
                    "doubt", "opinion", "view", "belief", "fact", "seems", "mind", "feel", "is",
                ],
            )
            || a.tokens[from..=p].iter().any(|t| t.has(cue::STANCE));
        if framed {
            return i + 1;
        }
        return from;
    }
    // "I believe we should …", "In my opinion we should …", "As I am eager to …, I think I
    // would …".
    if let Some(st) = (from..limit).find(|&i| a.tokens[i].phrase_cues & cue::STANCE != 0) {
        let end = st + a.tokens[st].phrase_len.max(1) as usize;
        if end + 3 < to {
            return if is_punct(a, end, &[',']) { end + 1 } else { end };
        }
    }
    from
}

/// Cuts the reason off a claim ("X because Y" → "X") and trailing punctuation.
fn cut_reason(a: &Analysis<'_>, from: usize, to: usize) -> usize {
    let mut end = to;
    for i in from + 4..to {
        let after_comma = is_punct(a, i - 1, &[',']);
        // "I would prefer X and I think Y": the second first-person clause is a reason.
        if word_is(a, i, &["and"])
            && word_is(a, i + 1, &["i"])
            && i + 2 < to
            && a.tokens[i + 2].has(cue::REPORT_PRESENT)
        {
            end = if after_comma { i - 1 } else { i };
            break;
        }
        let for_reasons =
            word_is(a, i, &["for"]) && (i + 1..to.min(i + 4)).any(|k| word_is(a, k, &["reasons", "reason"]));
        let due_to = word_is(a, i, &["due"]) && word_is(a, i + 1, &["to"]);
        if word_is(a, i, &["because", "since"])
            || for_reasons
            || due_to
            || (after_comma && word_is(a, i, &["as", "while", "whereas", "so"]))
        {
            end = if is_punct(a, i - 1, &[',']) { i - 1 } else { i };
            break;
        }
    }
    while end > from + 1 && a.tokens[end - 1].kind == TokenKind::Punct && !is_punct(a, end - 1, &['"', '”', ')']) {
        end -= 1;
    }
    end
}

/// The clause of tokens `from..to` as a proposition: frame and reason left out.
fn proposition(a: &Analysis<'_>, from: usize, to: usize) -> (usize, usize) {
    let mut s = from;
    while s < to && a.tokens[s].kind == TokenKind::Punct {
        s += 1;
    }
    let s = skip_frame(a, after_inner_stance(a, s, to), to);
    let e = cut_reason(a, s, to);
    (s, e.max(s + 1).min(to))
}

/// "X, but I think Y", "X; nevertheless, in my own view, Y": when the writer's stance comes
/// after a comma or semicolon, the claim is what follows it.
fn after_inner_stance(a: &Analysis<'_>, from: usize, to: usize) -> usize {
    const VERBS: &[&str] = &[
        "think", "believe", "feel", "prefer", "agree", "affirm", "maintain", "contend", "argue",
    ];
    for i in (from + 3..to.saturating_sub(4)).rev() {
        let after_break = is_punct(a, i - 1, &[',', ';', ':'])
            || (i >= 2
                && is_punct(a, i - 2, &[',', ';'])
                && word_is(a, i - 1, &["but", "so", "and", "yet", "nevertheless", "however"]));
        if !after_break {
            continue;
        }
        if word_is(a, i, &["i"])
            && let Some(v) = (i + 1..to.min(i + 3)).find(|&k| word_is(a, k, VERBS))
        {
            // "I prefer to learn with a teacher": the preference is the claim itself.
            return if word_is(a, v, &["prefer"]) {
                i
            } else {
                v + 1 + usize::from(word_is(a, v + 1, &["that"]))
            };
        }
        if word_is(a, i, &["in"]) && word_is(a, i + 1, &["my"]) {
            let mut k = i + 2;
            if word_is(a, k, &["own"]) {
                k += 1;
            }
            if word_is(a, k, &["view", "opinion"]) {
                return k + 1 + usize::from(is_punct(a, k + 1, &[',']));
            }
        }
    }
    from
}

/// A concession inside the token range: (conceded clause, answering clause), as token ranges.
type Split = ((usize, usize), Option<(usize, usize)>);

fn concession(a: &Analysis<'_>, from: usize, to: usize) -> Option<Split> {
    // Every concessive opener is a contrast word ("although", "though", "despite") or "even"
    // or "albeit"; most sentences have none, and the cue test is cheaper than the word test.
    let maybe = a.tokens[from..to].iter().any(|t| {
        t.has(cue::CONTRAST)
            || (t.is_word() && matches!(t.end - t.start, 4 | 6) && {
                let w = &a.text[t.start..t.end];
                w.eq_ignore_ascii_case("even") || w.eq_ignore_ascii_case("albeit")
            })
    });
    if !maybe {
        return None;
    }
    // "From my point of view although X, Y": a short frame may precede the subordinator.
    let first = (from..to.min(from + 7))
        .find(|&i| word_is(a, i, CONCESSIVE) || (word_is(a, i, &["even"]) && word_is(a, i + 1, &["though", "if"])))
        .filter(|&i| !a.tokens[from..i].iter().any(|t| t.kind == TokenKind::Punct))
        .or_else(|| next_word(a, from, to))?;
    let opens = word_is(a, first, CONCESSIVE)
        || (word_is(a, first, &["even"]) && first + 1 < to && word_is(a, first + 1, &["though", "if", "when"]))
        || (word_is(a, first, &["despite"]) && (first + 1..to.min(first + 4)).any(|k| word_is(a, k, &["fact"])));
    if opens {
        let body = if word_is(a, first, &["even", "despite"]) {
            (first + 1..to)
                .find(|&k| word_is(a, k, &["though", "if", "when", "that"]))
                .map_or(first + 2, |k| k + 1)
        } else {
            first + 1
        };
        // The conceded clause runs to the first comma after three words.
        let comma = (body + 3..to).find(|&k| is_punct(a, k, &[',', ';']))?;
        let main = if comma + 3 < to { Some((comma + 1, to)) } else { None };
        return Some(((body, comma), main));
    }
    // "…, although X" / "…, even though X": the concession closes the sentence.
    for i in from + 4..to.saturating_sub(3) {
        if !is_punct(a, i - 1, &[',']) {
            continue;
        }
        let k = if word_is(a, i, &["even"]) && word_is(a, i + 1, &["though", "if"]) {
            i + 2
        } else if word_is(a, i, &["although", "though", "whilst", "albeit"]) {
            i + 1
        } else {
            continue;
        };
        return Some(((k, to), Some((from, i - 1))));
    }
    None
}

/// Does the clause report a view of others ("some people argue", "critics claim", "it could be
/// argued", "admittedly")?
fn attributed_to_others(a: &Analysis<'_>, from: usize, to: usize) -> bool {
    let Some(first) = next_word(a, from, to) else {
        return false;
    };
    if word_is(a, first, CONCEDING) || a.tokens[first].phrase_cues & cue::COUNTER != 0 {
        return true;
    }
    let limit = to.min(first + 10);
    // "It is true / undeniable that", "There is no doubt that".
    if word_is(a, first, &["it"]) && word_is(a, first + 1, &["is", "was"]) {
        let adj = if word_is(a, first + 2, &["also", "of"]) {
            first + 3
        } else {
            first + 2
        };
        if adj < to && word_is(a, adj, &["true", "undeniable", "undoubted", "arguable"]) {
            return true;
        }
    }
    if (first..limit).any(|i| a.tokens[i].has(cue::COUNTER)) {
        return true;
    }
    // A group of others with a reporting verb close after it. Most sentences report nobody:
    // look for the verb first, by its cue, before matching any group word.
    let verb_end = to.min(limit + 6);
    if !a.tokens[first..verb_end]
        .iter()
        .any(|t| t.has(cue::REPORT_PRESENT | cue::REPORT_PAST_STRONG))
    {
        return false;
    }
    for i in first..limit {
        if word_is(a, i, OTHERS) || a.tokens[i].has(cue::GENERIC_GROUP) {
            if word_is(a, i, &["one"]) && !word_is(a, i + 1, &["might", "could", "may", "can", "would"]) {
                continue;
            }
            let verb = (i + 1..to.min(i + 6)).find(|&k| {
                a.tokens[k].has(cue::REPORT_PRESENT | cue::REPORT_PAST_STRONG)
                    || word_is(
                        a,
                        k,
                        &["argue", "believe", "think", "claim", "say", "feel", "hold", "insist"],
                    )
            });
            if let Some(v) = verb
                && !(i..v).any(|k| word_is(a, k, &["i", "we", "my"]))
            {
                return true;
            }
        }
    }
    false
}

fn turns_against(a: &Analysis<'_>, from: usize, to: usize) -> bool {
    let Some(first) = next_word(a, from, to) else {
        return false;
    };
    word_is(a, first, TURN)
        || a.tokens[first].phrase_cues & cue::CONTRAST != 0
        || (word_is(a, first, &["on"]) && word_is(a, first + 1, &["the"]) && word_is(a, first + 2, &["contrary"]))
}

/// A sentence that judges rather than narrates: a claim, a denial, an evaluation or weighing.
fn judged(a: &Analysis<'_>, s: usize, claims: &Claims) -> bool {
    let sent = &a.sentences[s];
    let _ = claims;
    sent.has(cue::NEGATION | cue::EVAL | cue::WEIGH)
}

/// Does the next sentence of the paragraph turn against sentence `s`, or concede it only to
/// deny it ("That may be true …; it is irrelevant")?
fn answered_next(a: &Analysis<'_>, s: usize) -> bool {
    let Some(n) = (s + 1..a.sentences.len()).find(|&i| !a.sentences[i].duplicate) else {
        return false;
    };
    let next = &a.sentences[n];
    if next.paragraph != a.sentences[s].paragraph {
        return false;
    }
    let (from, to) = (next.tok_start, next.tok_end);
    let conceding = (from..to.min(from + 6)).any(|i| {
        word_is(a, i, &["may", "might"]) && word_is(a, i + 1, &["be"]) && word_is(a, i + 2, &["true", "right", "so"])
    });
    turns_against(a, from, to) || conceding || a.tokens[from..to.min(from + 8)].iter().any(|t| t.has(cue::EVAL))
}

/// "I strongly believe", "I do think", "as far as I am concerned", "personally": the writer
/// taking a side in the first person.
fn first_person_stance(a: &Analysis<'_>, s: usize) -> bool {
    const VERBS: &[&str] = &[
        "believe",
        "think",
        "agree",
        "disagree",
        "feel",
        "support",
        "affirm",
        "argue",
        "contend",
        "maintain",
        "hold",
        "prefer",
        "convinced",
        "opine",
        "concluded",
        "conclude",
        "side",
    ];
    let sent = &a.sentences[s];
    (sent.tok_start..sent.tok_end).any(|i| {
        (word_is(a, i, &["i", "we"])
            && (i + 1..sent.tok_end.min(i + 4)).any(|k| word_is(a, k, VERBS))
            && !(i + 1..sent.tok_end.min(i + 4))
                .any(|k| word_is(a, k, &["not", "don't", "do"]) && word_is(a, k + 1, &["know"])))
            || (word_is(a, i, &["personally"]))
            || (word_is(a, i, &["concerned"]) && i >= 3 && word_is(a, i - 3, &["as", "far"]))
            || (word_is(a, i, &["my"])
                && word_is(
                    a,
                    i + 1,
                    &["opinion", "view", "viewpoint", "belief", "stance", "position", "point"],
                ))
            || (word_is(a, i, &["to"]) && word_is(a, i + 1, &["me"]) && is_punct(a, i + 2, &[',']))
    })
}

/// "I agree with this statement", "I hold this belief", "some reasons can support my view": a
/// sentence about a claim rather than the claim.
fn refers_to_a_claim_elsewhere(a: &Analysis<'_>, s: usize) -> bool {
    const CLAIM_NOUNS: &[&str] = &[
        "statement",
        "view",
        "viewpoint",
        "opinion",
        "idea",
        "belief",
        "recommendation",
        "trend",
        "notion",
        "claim",
    ];
    let sent = &a.sentences[s];
    let has_that = (sent.tok_start..sent.tok_end).any(|i| word_is(a, i, &["that"]));
    (sent.tok_start..sent.tok_end).any(|i| {
        (word_is(a, i, &["this", "these", "that"]) && word_is(a, i + 1, CLAIM_NOUNS) && !has_that)
            || (word_is(a, i, &["reasons", "reason"])
                && (sent.tok_start..sent.tok_end).any(|k| word_is(a, k, &["my", "this"])))
    })
}

/// "I will analyse both views", "for the following reasons": a sentence about the essay's plan,
/// not its claim.
fn announces_plan(a: &Analysis<'_>, s: usize) -> bool {
    let sent = &a.sentences[s];
    (sent.tok_start..sent.tok_end).any(|i| {
        (word_is(a, i, &["will", "shall", "like", "going"])
            && i > sent.tok_start
            && (sent.tok_start..i).any(|k| word_is(a, k, &["i", "essay", "we"]))
            && (i + 1..sent.tok_end.min(i + 3)).any(|k| {
                word_is(
                    a,
                    k,
                    &[
                        "analyse", "analyze", "discuss", "explore", "examine", "consider", "look", "give", "outline",
                        "explain", "present", "first",
                    ],
                )
            }))
            || (word_is(a, i, &["following"]) && word_is(a, i + 1, &["reasons", "points", "arguments"]))
    })
}

/// Does a later sentence of `s`'s paragraph open by turning against what came before?
fn turned_later(a: &Analysis<'_>, s: usize) -> bool {
    let p = a.sentences[s].paragraph;
    a.paragraph_sentences(p)
        .find(|&x| x > s)
        .is_some_and(|x| turns_against(a, a.sentences[x].tok_start, a.sentences[x].tok_end))
}

/// The introduction's thesis sentence: the most committed sentence, preferring the end of the
/// introduction where students put it.
fn pick_thesis(a: &Analysis<'_>, sents: &[usize], claims: &Claims, in_conclusion: bool) -> Option<usize> {
    let n = sents.len();
    let mut best: Option<(f64, usize)> = None;
    for (k, &s) in sents.iter().enumerate() {
        let sent = &a.sentences[s];
        if sent.question || sent.duplicate || sent.words < 4 {
            continue;
        }
        let mut score = match claims.strength[s] {
            CLEAR => 2.5,
            VAGUE => 1.0,
            _ => 0.0,
        };
        if sent.has(cue::STANCE) || first_person_stance(a, s) {
            score += 4.0;
        }
        if attributed_to_others(a, sent.tok_start, sent.tok_end) {
            score -= 3.0;
        }
        if announces_plan(a, s) {
            score -= 3.0;
        }
        // "I disagree with this statement": the stance points at a claim made elsewhere.
        if refers_to_a_claim_elsewhere(a, s) {
            score -= 2.5;
        }
        // A conclusion's verdict is drawn: "Therefore, parents should …".
        if in_conclusion && word_is(a, sent.tok_start, &["therefore", "thus", "hence", "so", "consequently"]) {
            score += 1.5;
        }
        let pos = if n > 1 { k as f64 / (n - 1) as f64 } else { 1.0 };
        if in_conclusion {
            score += 1.5 * (1.0 - pos);
            if a.tokens[sent.tok_start].has(cue::CONCLUDE) || word_is(a, sent.tok_start, &["in", "to"]) && k == 0 {
                score += 1.0;
            }
        } else {
            score += 1.5 * pos;
        }
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, s));
        }
    }
    best.filter(|&(sc, _)| sc > 0.5 || claims.strength.iter().all(|&x| x == NONE))
        .map(|(_, s)| s)
}

/// Finds the argument structure of an analysed essay.
pub fn analyse(a: &Analysis<'_>, st: &Structure, claims: &Claims, h: &Historiography) -> ArgumentStructure {
    let mut out = ArgumentStructure::default();
    let push = |out: &mut ArgumentStructure, role: Role, s: usize, (from, to): (usize, usize)| {
        if from >= to {
            return;
        }
        let (ts, te) = proposition(a, from, to);
        if te <= ts || (ts..te).filter(|&i| a.tokens[i].is_word()).count() < 3 {
            return;
        }
        out.components.push(Component {
            role,
            start: a.tokens[ts].start,
            end: a.tokens[te - 1].end,
            sentence: s,
            paragraph: a.sentences[s].paragraph,
        });
    };
    let several = a.live_paragraphs.len() >= 3;
    let thesis = pick_thesis(a, &st.intro, claims, false);
    let restated = if several {
        pick_thesis(a, &st.conclusion, claims, true)
    } else {
        None
    };
    // Looked up per sentence: a flag per paragraph keeps long texts linear.
    let mut is_body = vec![false; a.paragraphs.len()];
    for &p in &st.body {
        is_body[p] = true;
    }
    let mut prev_counter: Option<(usize, usize)> = None; // (sentence, paragraph)
    for (s, sent) in a.live_sentences() {
        let from = skip_connective(a, sent.tok_start, sent.tok_end);
        let to = sent.tok_end;
        let is_thesis = Some(s) == thesis || Some(s) == restated;
        let first_of_para = a.paragraphs[sent.paragraph].sent_start == s;
        let in_body = several && is_body[sent.paragraph];
        // An introduction sets out the debate before taking a side; what it reports of others
        // is background, not a counter-argument the essay answers.
        let in_intro = several && a.live_paragraphs.first() == Some(&sent.paragraph);
        // Inside a body paragraph, a concession after its opening sentence concedes a detail of
        // the paragraph's own point (a premise), not a claim against the thesis.
        let may_counter = !in_intro && (!in_body || first_of_para);
        let mut countered = false;
        if let Some((conceded, main)) = concession(a, from, to) {
            if may_counter {
                push(&mut out, Role::CounterArgument, s, conceded);
                countered = true;
            }
            if let Some(m) = main {
                push(&mut out, if is_thesis { Role::Thesis } else { Role::Rebuttal }, s, m);
            }
        } else if !is_thesis
            && may_counter
            && (attributed_to_others(a, sent.tok_start, to)
                || (from != sent.tok_start && attributed_to_others(a, from, to)))
            && !sent.question
        {
            push(&mut out, Role::CounterArgument, s, (from, to));
            countered = true;
        } else if is_thesis {
            push(&mut out, Role::Thesis, s, (from, to));
        } else if in_body && first_of_para && turned_later(a, s) {
            // A paragraph that opens with a point and then turns on it ("However, …") opens
            // with the view it answers.
            push(&mut out, Role::CounterArgument, s, (from, to));
            countered = true;
        } else if !in_intro && h.mentions_in(s) && answered_next(a, s) {
            // A historian's reading that the next sentence turns against ("That may be true of
            // his intentions; it is irrelevant to …") is a counter-argument.
            push(&mut out, Role::CounterArgument, s, (from, to));
            countered = true;
        } else if let Some((ps, pp)) = prev_counter
            && pp == sent.paragraph
            && s > ps
            && turns_against(a, sent.tok_start, to)
        {
            push(&mut out, Role::Rebuttal, s, (from, to));
            prev_counter = None;
        } else if in_body && (first_of_para || claims.strength[s] == CLEAR) {
            push(&mut out, Role::Claim, s, (from, to));
        }
        if countered {
            prev_counter = Some((s, sent.paragraph));
        }
        if in_body && !first_of_para && turns_against(a, sent.tok_start, to) && judged(a, s, claims) {
            out.weighed_paragraphs.push(sent.paragraph);
        }
    }
    for c in &out.components {
        if c.role == Role::Rebuttal {
            out.weighed_paragraphs.push(c.paragraph);
        }
    }
    out.weighed_paragraphs.sort_unstable();
    out.weighed_paragraphs.dedup();
    out.components.sort_by_key(|c| (c.start, c.end));
    out
}

#[cfg(test)]
mod tests {
    use super::super::signals::Signals;
    use super::*;

    fn structure(text: &str, question: &str) -> (Vec<(Role, String)>, ArgumentStructure) {
        let a = Analysis::new(text);
        let q = Analysis::new(question);
        let s = Signals::detect(&a, &q);
        let v = s
            .argument_structure
            .components
            .iter()
            .map(|c| (c.role, text[c.start..c.end].to_string()))
            .collect();
        (v, s.argument_structure)
    }

    #[test]
    fn the_thesis_is_the_claim_without_its_stance_frame() {
        let text = "Schools face a choice. Many say competition helps. From this point of view, I firmly believe that schools should teach cooperation before competition.\n\nFirst, cooperation teaches children to listen to others. It also builds trust.\n\nIn conclusion, I am convinced that cooperation matters more than competition in primary school.";
        let (v, _) = structure(text, "Should students be taught to compete or to cooperate?");
        assert!(
            v.contains(&(
                Role::Thesis,
                "schools should teach cooperation before competition".to_string()
            )),
            "{v:?}"
        );
    }

    #[test]
    fn a_concession_inside_a_sentence_is_a_counter_argument_answered_by_its_main_clause() {
        let text = "Intro sentence that says something. I believe that the railways mattered most to the economy.\n\nAlthough the canals carried much coal before 1830, the railways soon carried far more of it. Trade grew fast.\n\nSome historians argue that the railways were overrated. However, their own figures show that freight costs fell by half.\n\nIn conclusion, the railways mattered most.";
        let (v, st) = structure(text, "How far did the railways matter most?");
        assert!(
            v.contains(&(
                Role::CounterArgument,
                "the canals carried much coal before 1830".to_string()
            )),
            "{v:?}"
        );
        assert!(
            v.contains(&(Role::Rebuttal, "the railways soon carried far more of it".to_string())),
            "{v:?}"
        );
        assert!(
            v.contains(&(Role::CounterArgument, "the railways were overrated".to_string())),
            "{v:?}"
        );
        assert!(
            v.contains(&(Role::Rebuttal, "freight costs fell by half".to_string())),
            "{v:?}"
        );
        assert_eq!(st.answered_counters(), 2);
        assert_eq!(st.counter_paragraphs(), 2);
        // Each component records its paragraph.
        assert!(
            st.of_role(Role::CounterArgument)
                .all(|c| c.paragraph == 1 || c.paragraph == 2)
        );
    }
}
