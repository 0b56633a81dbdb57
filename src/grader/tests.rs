//! Behaviour of the whole grader: what a teacher would see for typical, gamed and broken
//! inputs, and properties that must hold for any text.

use proptest::prelude::*;

use super::*;

const REFORM_Q: &str = "To what extent was the Great Reform Act of 1832 a turning point in British politics?";

/// A sound essay on a question, with historians and evidence that appear nowhere in the dev set.
const REFORM_ESSAY: &str = "The Great Reform Act of 1832 was to a large extent a turning point in British politics, because it broke the principle that the franchise could never change, even though it left the landed aristocracy in control. This essay argues that its significance lay less in the number of new voters than in the precedent it set for further reform.

The Act added about 217,000 voters in England and Wales, raising the electorate to roughly 650,000 by 1833. Fifty-six rotten boroughs, such as Old Sarum, lost their seats, while new industrial towns like Manchester and Birmingham gained members for the first time. This shows that the geography of representation had begun to follow population. However, most working men remained without the vote, as the Chartists complained in the People's Charter of May 1838. Norman Gash argues that the old system of influence survived largely intact, and his study of elections after 1832 is persuasive on this point.

Eric Evans, by contrast, contends that the Act changed what politicians expected of Parliament, pointing to the Municipal Corporations Act of 1835 and the Poor Law Amendment Act of 1834. Evans's view is more convincing than Gash's because it explains why the Second Reform Act of 1867 followed within a generation. Although Gash is right that landed families still dominated the Commons, the precedent mattered more than the immediate results.

In conclusion, the Great Reform Act was largely a turning point, not because it created democracy but because it made further reform possible. Its limits were real, yet they were outweighed by the principle it conceded.";

fn rubric() -> Rubric {
    Rubric::history_default()
}

fn levels(g: &Grade) -> [u8; 4] {
    Criterion::ALL.map(|c| g.level(c))
}

fn assert_spans_valid(text: &str, g: &Grade) {
    for c in &g.criteria {
        assert!(c.level <= 5);
        assert!((0.0..=5.0).contains(&c.score), "{:?}", c);
        for s in &c.spans {
            assert!(s.start <= s.end && s.end <= text.len(), "{s:?}");
            assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end), "{s:?}");
        }
    }
    assert!((0.0..=1.0).contains(&g.confidence));
    assert!((0.0..=g.max_mark).contains(&g.total));
}

#[test]
fn a_sound_essay_earns_credit_on_every_criterion() {
    let g = grade(REFORM_ESSAY, REFORM_Q, &rubric()).unwrap();
    let [t, e, h, b] = levels(&g);
    assert!(t >= 3, "thesis {t}: {}", g.criteria[0].feedback);
    assert!(e >= 2, "evidence {e}");
    assert!(h >= 3, "historiography {h}");
    assert!(b >= 2, "balance {b}");
    assert!(g.flags.is_empty(), "{:?}", g.flags);
    assert_eq!(g.grader_version, GRADER_VERSION);
    assert_eq!(g.rubric_name, "history-default");
    assert_spans_valid(REFORM_ESSAY, &g);
}

#[test]
fn historians_are_found_by_pattern_not_by_list() {
    let g = grade(REFORM_ESSAY, REFORM_Q, &rubric()).unwrap();
    let h = g.criterion(Criterion::Historiography).unwrap();
    let named: Vec<&str> = h
        .spans
        .iter()
        .filter(|s| s.label == SpanLabel::Historian)
        .map(|s| &REFORM_ESSAY[s.start..s.end])
        .collect();
    assert!(named.contains(&"Norman Gash"), "{named:?}");
    assert!(named.contains(&"Eric Evans"), "{named:?}");
    assert!(
        !named
            .iter()
            .any(|n| n.contains("Manchester") || n.contains("Chartists"))
    );
}

#[test]
fn the_total_is_the_weighted_levels_and_the_band_follows() {
    let r = rubric();
    let g = grade(REFORM_ESSAY, REFORM_Q, &r).unwrap();
    let expected = r.total(levels(&g));
    assert!((g.total - expected).abs() < 0.01);
    assert_eq!(g.band, r.band_for(g.total).label);
    assert_eq!(g.max_mark, 20.0);
}

#[test]
fn repeating_an_essay_raises_no_level_and_is_flagged() {
    let once = grade(REFORM_ESSAY, REFORM_Q, &rubric()).unwrap();
    let thrice = format!("{REFORM_ESSAY}\n\n{REFORM_ESSAY}\n\n{REFORM_ESSAY}");
    let g = grade(&thrice, REFORM_Q, &rubric()).unwrap();
    for c in Criterion::ALL {
        assert!(
            g.level(c) <= once.level(c),
            "{c} rose from {} to {}",
            once.level(c),
            g.level(c)
        );
    }
    assert!(g.has_flag(Flag::Repetitive));
    assert!(g.needs_review);
}

#[test]
fn keyword_salad_scores_at_most_one_and_is_flagged() {
    let salad = "Reform Act 1832. However, Old Sarum, Manchester, Birmingham 1833. Furthermore, Chartists, People's Charter 1838, Poor Law 1834, Municipal Corporations Act 1835.\n\nNorman Gash argues. Eric Evans, by contrast. Revisionist, orthodox, Marxist. Historians disagree.\n\nTo a large extent, to a limited extent, ultimately, more significant than, outweighs. Although, whereas, conversely, this shows, as a result, therefore. 217,000 voters, 650,000, 1867, 1884.\n\nIn conclusion, turning point, however, ultimately, Grey, Wellington, Peel, Russell, 1830, 1831, 1832. This essay argues.";
    let g = grade(salad, REFORM_Q, &rubric()).unwrap();
    for c in Criterion::ALL {
        assert!(g.level(c) <= 1, "{c} = {}", g.level(c));
    }
    assert!(g.has_flag(Flag::KeywordStuffing), "{:?}", g.flags);
}

#[test]
fn a_good_essay_on_another_question_is_off_topic() {
    let q = "How successful was Soviet foreign policy in the years 1925–1945?";
    let g = grade(REFORM_ESSAY, q, &rubric()).unwrap();
    assert!(g.level(Criterion::Thesis) <= 1);
    assert!(g.has_flag(Flag::OffTopic));
    assert!(g.needs_review);
}

#[test]
fn the_prompt_pasted_back_is_flagged() {
    let text = format!("{REFORM_Q} {REFORM_Q}\n\n{REFORM_Q} I do not know.");
    let g = grade(&text, REFORM_Q, &rubric()).unwrap();
    assert!(g.has_flag(Flag::PromptCopied), "{:?}", g.flags);
    assert!(g.level(Criterion::Thesis) <= 1);
}

#[test]
fn another_language_is_flagged_not_english() {
    let text = "Die Reform von 1832 war ein Wendepunkt in der britischen Politik, weil sie das Wahlrecht veränderte. Viele Historiker meinen, dass die Aristokratie trotzdem die Macht behielt. Die Chartisten forderten später weitere Reformen, und das Parlament reagierte erst 1867 mit einer zweiten Reform. Deshalb war die Reform nur teilweise ein Wendepunkt.";
    let g = grade(text, REFORM_Q, &rubric()).unwrap();
    assert!(g.has_flag(Flag::NotEnglish), "{:?}", g.flags);
    assert!(g.needs_review);
}

#[test]
fn a_very_short_answer_is_flagged_for_review() {
    let g = grade("The Reform Act of 1832 was a turning point.", REFORM_Q, &rubric()).unwrap();
    assert!(g.has_flag(Flag::TooShort));
    assert!(g.needs_review);
    assert!(g.confidence <= 0.4);
}

#[test]
fn texts_without_words_or_too_large_are_refused() {
    assert_eq!(grade("", REFORM_Q, &rubric()), Err(GradeError::EmptyText));
    assert_eq!(grade(" \n\t ", REFORM_Q, &rubric()), Err(GradeError::EmptyText));
    assert_eq!(grade("?!... — …", REFORM_Q, &rubric()), Err(GradeError::EmptyText));
    let big = "a".repeat(MAX_TEXT_BYTES + 1);
    assert!(matches!(
        grade(&big, REFORM_Q, &rubric()),
        Err(GradeError::TooLong { .. })
    ));
    let mut bad = rubric();
    bad.max_mark = 0.0;
    let err = grade(REFORM_ESSAY, REFORM_Q, &bad).unwrap_err();
    assert!(matches!(err, GradeError::InvalidRubric(RubricError::BadMaxMark(_))));
    assert!(err.to_string().contains("maximum mark"));
}

#[test]
fn an_empty_question_still_grades_without_an_off_topic_flag() {
    let g = grade(REFORM_ESSAY, "", &rubric()).unwrap();
    assert!(!g.has_flag(Flag::OffTopic));
}

#[test]
fn grading_is_deterministic() {
    let a = grade(REFORM_ESSAY, REFORM_Q, &rubric()).unwrap();
    let b = grade(REFORM_ESSAY, REFORM_Q, &rubric()).unwrap();
    assert_eq!(a, b);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

#[test]
fn weights_and_bands_of_a_custom_rubric_are_used() {
    let mut r = rubric();
    r.name = "evidence-heavy".into();
    r.version = 7;
    r.weights = [0.0, 1.0, 0.0, 0.0];
    r.max_mark = 10.0;
    r.bands = vec![
        Band {
            label: "Fail".into(),
            min_mark: 0.0,
        },
        Band {
            label: "Pass".into(),
            min_mark: 5.0,
        },
    ];
    let g = grade(REFORM_ESSAY, REFORM_Q, &r).unwrap();
    assert!((g.total - f64::from(g.level(Criterion::Evidence)) * 2.0).abs() < 0.01);
    assert_eq!((g.rubric_name.as_str(), g.rubric_version), ("evidence-heavy", 7));
    assert_eq!(g.band, if g.total >= 5.0 { "Pass" } else { "Fail" });
}

#[test]
fn names_are_snake_case() {
    assert_eq!(Criterion::Historiography.as_str(), "historiography");
    assert_eq!(SpanLabel::VagueAttribution.as_str(), "vague_attribution");
    assert_eq!(SpanLabel::SchoolOfInterpretation.as_str(), "school_of_interpretation");
    assert_eq!(Flag::KeywordStuffing.as_str(), "keyword_stuffing");
    assert_eq!(Flag::parse("prompt_copied"), Some(Flag::PromptCopied));
}

/// The seed essay from a real essay site: its own header lines removed.
fn seed_essay() -> Option<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seed/soviet-foreign-policy-1925-1945.txt"
    );
    let raw = match std::fs::read_to_string(path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("skipping seed test: cannot read {path}: {e}");
            return None;
        }
    };
    const HEADERS: [&str; 6] = [
        "Submitted by:",
        "Views:",
        "Words:",
        "Pages:",
        "Category:",
        "Date Submitted:",
    ];
    Some(
        raw.lines()
            .filter(|l| !HEADERS.iter().any(|h| l.starts_with(h)))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

#[test]
fn the_seed_essay_is_graded_as_a_teacher_would() {
    let Some(text) = seed_essay() else { return };
    assert!(!text.contains("Submitted by:"));
    let q = "How successful was Soviet foreign policy in the years 1925–1945?";
    let g = grade(&text, q, &rubric()).unwrap();
    assert_spans_valid(&text, &g);

    // Thesis: the only stance is a question left unanswered.
    let thesis = g.criterion(Criterion::Thesis).unwrap();
    assert!((1..=2).contains(&thesis.level), "thesis {}", thesis.level);
    assert!(
        thesis.feedback.contains("but was this the case?"),
        "{}",
        thesis.feedback
    );
    assert!(
        thesis
            .spans
            .iter()
            .any(|s| s.label == SpanLabel::UnansweredQuestion
                && text[s.start..s.end].ends_with("but was this the case?"))
    );

    // Historiography: exactly one named historian; "Some Historians argue" is vague.
    let h = g.criterion(Criterion::Historiography).unwrap();
    let named: Vec<&str> = h
        .spans
        .iter()
        .filter(|s| s.label == SpanLabel::Historian)
        .map(|s| &text[s.start..s.end])
        .collect();
    assert_eq!(named, vec!["Chris Korin"]);
    assert!(h.spans.iter().any(|s| s.label == SpanLabel::VagueAttribution
        && text[s.start..s.end].eq_ignore_ascii_case("Some Historians argue")));
    assert_eq!(h.level, 2);

    // Evidence: the dates, each with a span.
    let e = g.criterion(Criterion::Evidence).unwrap();
    let dates: Vec<&str> = e
        .spans
        .iter()
        .filter(|s| s.label == SpanLabel::Date)
        .map(|s| &text[s.start..s.end])
        .collect();
    for d in ["1924", "December 1933", "1938", "1935"] {
        assert!(dates.iter().any(|x| x.contains(d)), "{d} not in {dates:?}");
    }
}

#[test]
fn edge_case_texts_never_panic() {
    let q = REFORM_Q;
    let cases: Vec<String> = vec![
        String::new(),
        "a".repeat(1 << 20),
        "é".repeat(1 << 19),
        "🙂".repeat(10_000),
        "ال".repeat(5_000) + " مرحبا بالعالم. " + &"שלום עולם ".repeat(500),
        "\u{0}\u{1}\u{7}\u{1b}[31m\r\n\u{feff}\u{200b}".repeat(1_000),
        "!?.,;:—–-'\"“”‘’()[]{}".repeat(2_000),
        "word ".repeat(20_000),
        "The Act of 1832, argued Gash, changed politics; Evans argues otherwise. ".repeat(1_400),
        "x".repeat(100_000) + " " + &"y".repeat(10),
        "'".repeat(5_000) + "A. B. C. D. E. " + &"’s ".repeat(3_000),
        "1832–1867 1,000,000 22 June 1941 the 1930s 20th century ".repeat(500),
    ];
    for text in &cases {
        match grade(text, q, &rubric()) {
            Ok(g) => assert_spans_valid(text, &g),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}

fn essay_like() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("the"),
        Just("however"),
        Just("Historians"),
        Just("argues"),
        Just("Gash"),
        Just("Evans"),
        Just("A."),
        Just("J."),
        Just("1832"),
        Just("May"),
        Just("22"),
        Just("this shows"),
        Just("in conclusion,"),
        Just("but was this the case?"),
        Just("Treaty of Paris"),
        Just("“"),
        Just("”"),
        Just("'"),
        Just("’s"),
        Just("."),
        Just(","),
        Just("\n\n"),
        Just("\n"),
        Just("–"),
        Just("Ünïcödé"),
        Just("🙂"),
        Just("to a large extent"),
        Just("according to"),
        Just("X's view"),
        Just("was"),
        Just("successful"),
        Just("revisionist"),
        Just("school"),
        Just("million"),
    ];
    prop::collection::vec(word, 0..400).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn any_text_grades_or_errs_with_valid_spans(text in any::<String>(), q in any::<String>()) {
        match grade(&text, &q, &rubric()) {
            Ok(g) => assert_spans_valid(&text, &g),
            Err(e) => {
                let expected = matches!(e, GradeError::EmptyText | GradeError::TooLong { .. });
                prop_assert!(expected, "unexpected error {:?}", e);
            }
        }
    }

    /// What the fuzz target `grader` checks, on bytes read as UTF-8 the lossy way (U+FFFD is three
    /// bytes, a test of char boundaries) and on essay-like text: spans in text order, the total,
    /// band and review flag following from the levels, and the same grade twice.
    #[test]
    fn any_bytes_grade_consistently_and_deterministically(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..600),
            essay_like().prop_map(String::into_bytes),
        ],
        q in any::<String>(),
    ) {
        let text = String::from_utf8_lossy(&bytes);
        let r = rubric();
        let first = grade(&text, &q, &r);
        prop_assert_eq!(&first, &grade(&text, &q, &r));
        if let Ok(g) = first {
            assert_spans_valid(&text, &g);
            for c in &g.criteria {
                prop_assert!(c.spans.windows(2).all(|w| w[0].start <= w[1].start), "{:?}", c.spans);
                prop_assert!(f64::from(c.level) <= c.score && c.score < f64::from(c.level) + 1.0, "{:?}", c);
            }
            prop_assert_eq!(g.total, (r.total(levels(&g)) * 100.0).round() / 100.0);
            prop_assert_eq!(&g.band, &r.band_for(g.total).label);
            prop_assert_eq!(g.needs_review, g.confidence < r.review_threshold || !g.flags.is_empty());
        }
    }

    #[test]
    fn essay_like_text_grades_with_valid_spans(text in essay_like()) {
        match grade(&text, REFORM_Q, &rubric()) {
            Ok(g) => {
                assert_spans_valid(&text, &g);
                let again = grade(&text, REFORM_Q, &rubric()).unwrap();
                prop_assert_eq!(g, again);
            }
            Err(e) => prop_assert_eq!(e, GradeError::EmptyText),
        }
    }

    #[test]
    fn repeating_text_never_raises_a_level(text in essay_like()) {
        if let Ok(once) = grade(&text, REFORM_Q, &rubric()) {
            let twice = format!("{text}\n\n{text}");
            let g = grade(&twice, REFORM_Q, &rubric()).unwrap();
            for c in Criterion::ALL {
                prop_assert!(g.level(c) <= once.level(c), "{} rose: {} -> {}", c, once.level(c), g.level(c));
            }
        }
    }
}

fn span_texts<'a>(text: &'a str, g: &Grade, label: SpanLabel) -> Vec<&'a str> {
    g.criteria
        .iter()
        .flat_map(|c| c.spans.iter())
        .filter(|s| s.label == label)
        .map(|s| &text[s.start..s.end])
        .collect()
}

#[test]
fn a_blunt_negated_thesis_in_the_first_sentence_is_a_clear_claim() {
    let q = "Why did the Weimar Republic collapse in 1933?";
    let text = "The Depression destroyed the Weimar Republic; the treaty of Versailles did not. Mass unemployment after 1929 turned voters to the extremes, and the parties of the centre could not agree on how to pay for relief.\n\nIn March 1930 the grand coalition of Hermann Müller fell over unemployment insurance. Brüning then governed by decree, and his cuts deepened the slump. By July 1932 the Nazis won 37 per cent of the vote.\n\nIt is often argued that the constitution itself was to blame. Yet Article 48 had saved the Republic in 1923; what changed after 1930 was the economy, not the constitution.\n\nIn conclusion, the Depression destroyed the Weimar Republic, because it drove voters to the extremes.";
    let g = grade(text, q, &rubric()).unwrap();
    assert!(g.level(Criterion::Thesis) >= 3, "{:?}", g.criterion(Criterion::Thesis));
    let thesis = span_texts(text, &g, SpanLabel::Thesis);
    assert!(
        thesis.iter().any(|t| t.starts_with("The Depression destroyed")),
        "{thesis:?}"
    );
    // The Depression, the Reichstag and the Bolsheviks are not people.
    let people = span_texts(text, &g, SpanLabel::NamedPerson);
    assert!(!people.iter().any(|p| p.contains("Depression")), "{people:?}");
    assert!(people.iter().any(|p| p.contains("Müller")), "{people:?}");
}

#[test]
fn every_grade_carries_its_argument_structure_as_labelled_spans() {
    let q = "How far did the railways transform the British economy before 1870?";
    let text = "Britain industrialised before the railways. I believe that the railways transformed the economy after 1840.\n\nAlthough the canals carried much coal before 1830, the railways soon carried far more of it. Freight rates fell by half between 1840 and 1870.\n\nSome historians argue that the railways were overrated. However, their own figures show that freight costs fell sharply.\n\nIn conclusion, the railways transformed the economy after 1840.";
    let g = grade(text, q, &rubric()).unwrap();
    let thesis = span_texts(text, &g, SpanLabel::Thesis);
    assert!(
        thesis.contains(&"the railways transformed the economy after 1840"),
        "{thesis:?}"
    );
    let counters = span_texts(text, &g, SpanLabel::CounterArgument);
    assert!(
        counters.contains(&"the canals carried much coal before 1830"),
        "{counters:?}"
    );
    assert!(counters.contains(&"the railways were overrated"), "{counters:?}");
    let rebuttals = span_texts(text, &g, SpanLabel::Rebuttal);
    assert!(
        rebuttals.contains(&"the railways soon carried far more of it"),
        "{rebuttals:?}"
    );
    assert!(rebuttals.contains(&"freight costs fell sharply"), "{rebuttals:?}");
}

#[test]
fn historians_introduced_in_unfamiliar_ways_are_found() {
    let q = "How far was the New Deal a success?";
    for (text, name) in [
        (
            "For the decade as a whole, Hobsbawm's reading stresses the collapse of world trade in 1931.",
            "Hobsbawm",
        ),
        (
            "The Marxist historian Eric Foner treats the New Deal as a rescue of capitalism.",
            "Foner",
        ),
        (
            "As Kershaw has shown, the regime depended on consent as well as terror.",
            "Kershaw",
        ),
        (
            "In 1961 Taylor, in The Origins of the Second World War, offers a very different account of 1939.",
            "Taylor",
        ),
    ] {
        let g = grade(text, q, &rubric()).unwrap();
        let found = span_texts(text, &g, SpanLabel::Historian);
        assert!(found.iter().any(|h| h.contains(name)), "{text}: {found:?}");
    }
    // Capitalised non-people are not historians or people.
    let text = "The Reichstag passed the law in 1933, and the Bolshevik party seized power in 1917.";
    let g = grade(text, q, &rubric()).unwrap();
    assert!(span_texts(text, &g, SpanLabel::Historian).is_empty());
    let people = span_texts(text, &g, SpanLabel::NamedPerson);
    assert!(people.is_empty(), "{people:?}");
}

#[test]
fn thesis_feedback_quotes_the_claim_and_names_only_the_hedges_it_uses() {
    let q = "How successful was Soviet foreign policy in the years 1925-1945?";
    let text = "Soviet foreign policy was partly successful in these years.\n\nStalin signed a pact with Hitler in August 1939 and gained eastern Poland.\n\nIn the end the policy was partly successful.";
    let g = grade(text, q, &rubric()).unwrap();
    let t = g.criterion(Criterion::Thesis).unwrap();
    assert_eq!(t.level, 2, "{t:?}");
    assert!(
        t.feedback.contains("Soviet foreign policy was partly successful"),
        "{}",
        t.feedback
    );
    assert!(t.feedback.contains("\u{201c}partly\u{201d}"), "{}", t.feedback);
    assert!(!t.feedback.contains("in some ways"), "{}", t.feedback);
}
