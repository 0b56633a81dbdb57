//! The teacher's sentences: one or two per criterion, saying what the essay does and the next
//! step to improve it, naming what the grader found (the unanswered question, the historians).

use super::criteria::Judgement;
use super::flags::Flag;
use super::lexicon::cue;
use super::signals::Signals;
use super::text::Analysis;
use super::{Criterion, CriterionGrade};

/// The last clause of a long sentence (where its question sits), at most about `max` chars,
/// with an ellipsis when cut.
fn tail(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    // Start after the last comma within reach, else at a word boundary.
    let cut = s.char_indices().nth(n - max).map_or(0, |(i, _)| i);
    let start = s[..s.len()]
        .char_indices()
        .filter(|&(i, c)| i >= cut && (c == ',' || c == ' '))
        .map(|(i, c)| i + c.len_utf8())
        .next()
        .unwrap_or(cut);
    let rest = s[start..].trim_start();
    format!("…{rest}")
}

fn list(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

pub fn criterion(c: Criterion, j: Judgement, a: &Analysis<'_>, s: &Signals, flags: &[Flag]) -> String {
    if flags.contains(&Flag::OffTopic) {
        return match c {
            Criterion::Thesis => "This essay does not address the question set: reread the question and build your argument around its key terms.".to_string(),
            _ => "No credit can be given here because the essay answers a different question; use this knowledge where it is relevant.".to_string(),
        };
    }
    if flags.contains(&Flag::KeywordStuffing) {
        return match c {
            Criterion::Thesis | Criterion::Balance => "A list of keywords makes no argument: write full sentences that state and defend a judgement.".to_string(),
            _ => "Names and dates listed without sentences cannot earn credit: use each one in a sentence that explains what it shows.".to_string(),
        };
    }
    match c {
        Criterion::Thesis => thesis(j, a, s),
        Criterion::Evidence => evidence(j, s),
        Criterion::Historiography => historiography(j, s),
        Criterion::Balance => balance(j),
    }
}

fn thesis(j: Judgement, a: &Analysis<'_>, s: &Signals) -> String {
    let c = &s.claims;
    match j.level {
        0 => "There is no claim that answers the question: state in your introduction how far you agree, and why.".to_string(),
        1 => {
            if let Some(&q) = c.unanswered.first() {
                format!(
                    "You ask \u{201c}{}\u{201d} but never answer it: replace the question with your own judgement and return to it in the conclusion.",
                    tail(a.sentence_text(q), 60)
                )
            } else {
                "You state the topic but not your answer: add a sentence to the introduction that gives your judgement on the question.".to_string()
            }
        }
        2 => match c.thesis_sentence {
            Some(t) => {
                // Name a hedge only when the sentence has one.
                let sent = &a.sentences[t];
                let hedge = (sent.tok_start..sent.tok_end)
                    .find(|&i| a.tokens[i].has(cue::DEGREE_WEAK))
                    .map(|i| a.tok_str(i));
                match hedge {
                    Some(h) => format!(
                        "Your claim \u{201c}{}\u{201d} is hedged (\u{201c}{h}\u{201d}): commit to a clear judgement on the question and say what it rests on.",
                        tail(a.sentence_text(t), 80)
                    ),
                    None => format!(
                        "Your claim \u{201c}{}\u{201d} does not yet answer the question clearly: say how far you agree, using the question's own terms, and what your judgement rests on.",
                        tail(a.sentence_text(t), 80)
                    ),
                }
            }
            None => "Your claim is vague: commit to a clear judgement on the question and say what it rests on.".to_string(),
        },
        3 => match c.thesis_sentence {
            Some(t) => format!(
                "You give a clear answer to the question (\u{201c}{}\u{201d}); now set out the factors or criteria your essay will weigh so the reader can follow your line of reasoning.",
                tail(a.sentence_text(t), 80)
            ),
            None => "You give a clear answer to the question; now set out the factors or criteria your essay will weigh so the reader can follow your line of reasoning.".to_string(),
        },
        4 => "A clear claim with a line of reasoning; to reach the top level, qualify it and carry the same judgement through each paragraph to the conclusion.".to_string(),
        _ => "A qualified, sustained thesis resolved consistently in the conclusion: keep linking each paragraph's mini-judgement back to it.".to_string(),
    }
}

fn evidence(j: Judgement, s: &Signals) -> String {
    let e = &s.specifics;
    match j.level {
        0 => "There is no historical detail: support each point with specific dates, people, events or figures.".to_string(),
        1 => "Your points are general assertions: add precise evidence such as dates, named people, treaties or statistics to back each one.".to_string(),
        2 => format!(
            "You include some specific detail ({} distinct dates), but it is thin or listed: use evidence in every paragraph and explain what each piece shows.",
            e.dates
        ),
        3 => "A range of specific evidence supports most paragraphs; select the most telling details and explain how each one proves your point (\u{201c}this shows\u{201d}, \u{201c}as a result\u{201d}).".to_string(),
        4 => "Precise, well-chosen evidence is explained and linked to your argument; make it more extensive and weave it into the analysis in every paragraph.".to_string(),
        _ => "Extensive, precise evidence is integrated into the analysis throughout: keep checking that each detail earns its place in the argument.".to_string(),
    }
}

fn historiography(j: Judgement, s: &Signals) -> String {
    let h = &s.historians;
    let names: Vec<String> = h.historians.iter().take(4).map(|x| x.name.clone()).collect();
    match j.level {
        0 => "You do not mention any historian's interpretation: bring in at least one named historian and say what they argue.".to_string(),
        1 => "You refer to historians only vaguely (\u{201c}some historians say\u{201d}): name the historians and explain their interpretations.".to_string(),
        2 => {
            if names.is_empty() {
                "You name a school of interpretation; name its historians and describe what each argues.".to_string()
            } else {
                format!(
                    "You cite one historian ({}); add other named interpretations and compare them with this one.",
                    list(&names)
                )
            }
        }
        3 => format!(
            "You describe several historians' views ({}); now compare them and use the comparison to support your own argument.",
            list(&names)
        ),
        4 => "You compare interpretations and use them in your argument; to reach the top level, evaluate them on their evidence, method or context.".to_string(),
        _ => format!(
            "You evaluate interpretations critically ({}) and build them into your judgement: keep weighing the evidence each one rests on.",
            list(&names)
        ),
    }
}

fn balance(j: Judgement) -> String {
    match j.level {
        0 => "The essay presents only one side: raise the strongest counter-argument and explain why you reject or accept it.".to_string(),
        1 => "Another view is mentioned only in passing: develop the counter-argument and answer it with evidence.".to_string(),
        2 => "You set out both sides, but in separate blocks: weigh them against each other (\u{201c}however\u{201d}, \u{201c}this outweighs\u{201d}) rather than listing them.".to_string(),
        3 => "You raise counter-arguments and answer them; weigh the factors against each other in every paragraph, not just once.".to_string(),
        4 => "Sustained weighing with reasoned rebuttal; to reach the top level, reach a nuanced overall judgement that resolves the weighing in the conclusion.".to_string(),
        _ => "A nuanced, qualified judgement weighed throughout: keep every concession tied to your final verdict.".to_string(),
    }
}

/// One or two sentences on the whole essay.
pub fn summary(criteria: &[CriterionGrade], flags: &[Flag], _s: &Signals) -> String {
    if !flags.is_empty() {
        let names: Vec<String> = flags.iter().map(|f| f.as_str().replace('_', " ")).collect();
        return format!(
            "Flagged for review ({}): a teacher should confirm this mark.",
            names.join(", ")
        );
    }
    let best = criteria
        .iter()
        .max_by_key(|g| (g.level, std::cmp::Reverse(g.criterion)));
    let worst = criteria.iter().min_by_key(|g| (g.level, g.criterion));
    match (best, worst) {
        (Some(b), Some(w)) if b.level > w.level => format!(
            "Strongest on {} (level {}), weakest on {} (level {}): start improving there.",
            b.criterion, b.level, w.criterion, w.level
        ),
        (Some(b), _) => format!("Even across the criteria at level {}.", b.level),
        _ => String::new(),
    }
}
