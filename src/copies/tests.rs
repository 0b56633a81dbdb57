use std::collections::HashMap;

use super::*;

/// A made-up essay: `sentences` sentences of 8–15 pseudo-words from a
/// vocabulary of ~1,900, so that two essays of different seeds share no
/// 4-gram by chance.
pub(crate) fn essay(seed: u64, sentences: usize) -> String {
    const SYLLABLES: [&str; 12] = ["ka", "lo", "mi", "ne", "ru", "sa", "te", "vi", "zo", "pa", "de", "fi"];
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut out = String::new();
    for _ in 0..sentences {
        let len = 8 + next(8);
        for i in 0..len {
            let syllables = 2 + next(2);
            let mut word: String = (0..syllables).map(|_| SYLLABLES[next(12) as usize]).collect();
            if i == 0 {
                word[..1].make_ascii_uppercase();
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&word);
        }
        out.push('.');
    }
    out
}

fn id(n: u8) -> EssayKey {
    [n; 16]
}

/// An index and the texts of its essays, for `find_similar`.
struct Corpus {
    index: MemoryFingerprintIndex,
    texts: HashMap<EssayKey, String>,
}

impl Corpus {
    fn new() -> Self {
        Self {
            index: MemoryFingerprintIndex::new(),
            texts: HashMap::new(),
        }
    }

    fn add(&mut self, tenant: &str, essay: EssayKey, text: &str) {
        self.index.insert(tenant, &essay, &fingerprint(text)).unwrap();
        self.texts.insert(essay, text.to_owned());
    }

    fn similar(&self, tenant: &str, text: &str, exclude: Option<EssayKey>) -> Vec<SimilarEssay> {
        find_similar(
            &self.index,
            tenant,
            text,
            exclude.as_ref(),
            &SearchOptions::default(),
            |e| Ok::<_, IndexError>(self.texts.get(e).cloned()),
        )
        .unwrap()
    }
}

#[test]
fn fingerprints_survive_their_byte_encoding() {
    let fp = fingerprint(&essay(1, 30));
    assert!(fp.marks().len() > 50);
    let bytes = fp.to_bytes();
    assert_eq!(Fingerprints::from_bytes(&bytes).unwrap(), fp);
    assert!(bytes.len() < fp.marks().len() * 10 + 16);
    assert!(fp.is_current());
}

#[test]
fn damaged_fingerprint_bytes_are_refused() {
    let bytes = fingerprint(&essay(2, 5)).to_bytes();
    assert!(Fingerprints::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Fingerprints::from_bytes(&longer).is_err());
    let mut other_version = bytes.clone();
    other_version[0] = 99;
    assert!(Fingerprints::from_bytes(&other_version).is_err());
    assert!(Fingerprints::from_bytes(&[]).is_err());
    // A count larger than the input can hold is refused before allocating.
    assert!(Fingerprints::from_bytes(&[1, 4, 4, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
}

#[test]
fn two_essays_sharing_only_a_quotation_do_not_match() {
    let source = essay(100, 3);
    let a = format!("{} As the author writes, \"{source}\" {}", essay(1, 6), essay(2, 6));
    let b = format!("{} The text says “{source}” and {}", essay(3, 6), essay(4, 6));
    assert!(compare(&a, &b, &fingerprint(&b)).is_none());

    let mut corpus = Corpus::new();
    corpus.add("school", id(1), &a);
    corpus.add("school", id(2), &b);
    assert!(corpus.similar("school", &a, Some(id(1))).is_empty());

    // The same words outside quotation marks are a copied passage.
    let c = format!("{} As the author writes, {source} {}", essay(5, 6), essay(6, 6));
    let d = format!("{} The text says {source} and {}", essay(7, 6), essay(8, 6));
    assert!(compare(&c, &d, &fingerprint(&d)).is_some());
}

/// B's sentences 2..6, with every 12th word replaced, inserted into A after
/// its third sentence. Returns (planted text, the inserted byte range, the
/// byte range of the source passage in B).
fn plant(a: &str, b: &str) -> (String, std::ops::Range<usize>, std::ops::Range<usize>) {
    let a_cut = a.match_indices('.').nth(2).unwrap().0 + 1;
    let b_start = b.match_indices('.').nth(1).unwrap().0 + 2;
    let b_end = b.match_indices('.').nth(6).unwrap().0 + 1;
    let passage: Vec<String> = b[b_start..b_end]
        .split(' ')
        .enumerate()
        .map(|(i, w)| if i % 12 == 11 { format!("zzq{i}") } else { w.to_owned() })
        .collect();
    let passage = passage.join(" ");
    let text = format!("{} {} {}", &a[..a_cut], passage, &a[a_cut + 1..]);
    let start = a_cut + 1;
    (text, start..start + passage.len(), b_start..b_end)
}

#[test]
fn a_planted_passage_is_found_with_spans_in_both_texts() {
    let a = essay(10, 12);
    let b = essay(11, 12);
    let (planted, inserted, source) = plant(&a, &b);

    let mut corpus = Corpus::new();
    corpus.add("school", id(1), &b);
    corpus.add("school", id(2), &essay(12, 12));
    let found = corpus.similar("school", &planted, None);
    assert_eq!(found.len(), 1);
    let m = &found[0];
    assert_eq!(m.essay, id(1));

    let words = |t: &str| normalize(t).words.len();
    let truth = words(&planted[inserted.clone()]) as f64 / words(&planted) as f64;
    assert!((m.coverage - truth).abs() < 0.02, "{} vs {truth}", m.coverage);

    assert_eq!(m.passages.len(), 1);
    let p = &m.passages[0];
    // The spans start at the passage's first word in both texts, end within
    // it, and hold the same words but for the replaced ones.
    assert_eq!(p.query.start, inserted.start);
    assert_eq!(p.candidate.start, source.start);
    assert!(p.query.end <= inserted.end && p.candidate.end <= source.end);
    let in_query: Vec<&str> = planted[p.query.clone()].split(' ').collect();
    let in_source: Vec<&str> = b[p.candidate.clone()].split(' ').collect();
    assert_eq!(in_query.len(), in_source.len());
    assert!(in_query.len() * 10 > words(&planted[inserted.clone()]) * 9);
    for (q, c) in in_query.iter().zip(&in_source) {
        assert!(q == c || q.starts_with("zzq"), "{q} vs {c}");
    }
}

#[test]
fn reformatting_a_copy_does_not_hide_it() {
    let original = essay(20, 10);
    let reformatted: String = original
        .split(". ")
        .map(|s| s.to_uppercase())
        .collect::<Vec<_>>()
        .join("!\n\n  ")
        .replace(' ', "  ,");
    let m = compare(&reformatted, &original, &fingerprint(&original)).unwrap();
    assert!(m.coverage > 0.99, "{}", m.coverage);
}

#[test]
fn unrelated_essays_do_not_match() {
    let mut corpus = Corpus::new();
    for n in 0..20 {
        corpus.add("school", id(n), &essay(u64::from(n) + 200, 12));
    }
    assert!(corpus.similar("school", &essay(300, 12), None).is_empty());
}

#[test]
fn a_passage_held_by_many_essays_is_no_evidence() {
    // Sixty essays reuse a passage of the reading without quotation marks.
    let reading = essay(400, 2);
    let mut corpus = Corpus::new();
    for n in 0..60u8 {
        let text = format!(
            "{} {reading} {}",
            essay(500 + u64::from(n), 5),
            essay(600 + u64::from(n), 5)
        );
        corpus.add("school", id(n), &text);
    }
    let query = format!("{} {reading} {}", essay(700, 5), essay(701, 5));
    assert!(corpus.similar("school", &query, None).is_empty());
}

#[test]
fn removing_an_essay_leaves_nothing_in_the_index() {
    let index = MemoryFingerprintIndex::new();
    let fp = fingerprint(&essay(30, 10));
    index.insert("school", &id(1), &fp).unwrap();
    index.insert("school", &id(2), &fingerprint(&essay(31, 10))).unwrap();
    assert!(index.remove("school", &id(1)).unwrap());
    assert!(!index.remove("school", &id(1)).unwrap());
    assert!(index.fingerprints("school", &id(1)).unwrap().is_none());
    let left = index.candidates("school", &fp.hashes(), None, 50).unwrap();
    assert!(left.essays.is_empty());
    assert!(index.remove("school", &id(2)).unwrap());
    assert_eq!(index.posting_count("school"), 0);
}

#[test]
fn another_tenants_essays_are_never_candidates() {
    let text = essay(40, 10);
    let mut corpus = Corpus::new();
    corpus.add("school-a", id(1), &text);
    assert!(corpus.similar("school-b", &text, None).is_empty());
    assert_eq!(corpus.similar("school-a", &text, None).len(), 1);
}

#[test]
fn fingerprints_of_another_k_are_not_compared() {
    let text = essay(50, 10);
    let other = fingerprint_with(&text, Scheme { k: 6, w: 4 });
    assert!(!other.is_current());
    assert!(compare(&text, &text, &other).is_none());
    assert!(compare(&text, &text, &fingerprint(&text)).is_some());
}

/// Essays sharing a reading many of them copy (weak evidence), some with
/// passages of 1 to 6 sentences of another essay planted (strong evidence).
fn mixed_corpus(n: u8) -> Vec<(EssayKey, String)> {
    let reading = essay(900, 3);
    (0..n)
        .map(|i| {
            let own = essay(1000 + u64::from(i), 8);
            let mut text = if i % 3 == 0 { format!("{own} {reading}") } else { own };
            if i % 4 == 1 {
                let source = essay(1000 + u64::from(i / 2), 8);
                let sentences: Vec<&str> = source.split_inclusive('.').collect();
                let take = 1 + usize::from(i) % 6;
                text = format!("{text} {}", sentences[1..1 + take].concat());
            }
            (id(i), text)
        })
        .collect()
}

#[test]
fn a_snapshot_gives_the_candidates_the_index_gives_until_the_index_changes() {
    let index = MemoryFingerprintIndex::new();
    // 60 essays hold the reading: more than max_postings (50) of them.
    let corpus = mixed_corpus(180);
    for (key, text) in &corpus {
        index.insert("school", key, &fingerprint(text)).unwrap();
    }
    index.insert("elsewhere", &id(250), &fingerprint(&corpus[0].1)).unwrap();
    let snapshot = PostingsSnapshot::load(&index, "school", DEFAULT_MAX_POSTINGS, usize::MAX)
        .unwrap()
        .unwrap();
    assert_eq!(snapshot.version(), index.version());
    // The reading's hashes keep only enough holders to tell "too many".
    assert!(!snapshot.is_empty() && snapshot.len() < index.posting_count("school"));
    let sorted = |mut c: Candidates| {
        c.essays.sort_unstable_by_key(|c| c.essay);
        c
    };
    let over = snapshot.over(&index);
    for (key, text) in corpus.iter().step_by(7) {
        let hashes = Query::winnowed(text, Scheme::DEFAULT, 2).hashes();
        for exclude in [None, Some(key)] {
            for max in [DEFAULT_MAX_POSTINGS, 3] {
                let want = sorted(index.candidates("school", &hashes, exclude, max).unwrap());
                assert_eq!(sorted(snapshot.candidates(&hashes, exclude, max)), want);
                assert_eq!(sorted(over.candidates("school", &hashes, exclude, max).unwrap()), want);
            }
        }
    }
    // Each essay's fingerprints, as the index holds them; other tenants'
    // from the index.
    for (key, _) in &corpus {
        let want = index.fingerprints("school", key).unwrap();
        assert!(want.is_some());
        assert_eq!(snapshot.fingerprints(key), want.as_ref());
        assert_eq!(over.fingerprints("school", key).unwrap(), want);
    }
    assert_eq!(snapshot.fingerprints(&id(250)), None);
    assert_eq!(
        over.fingerprints("elsewhere", &id(250)).unwrap(),
        index.fingerprints("elsewhere", &id(250)).unwrap()
    );
    // Too many postings for the budget: no snapshot.
    assert!(
        PostingsSnapshot::load(&index, "school", DEFAULT_MAX_POSTINGS, 100)
            .unwrap()
            .is_none()
    );
    // Any change to the index makes the snapshot stale.
    index.insert("school", &id(251), &fingerprint(&essay(7, 5))).unwrap();
    assert_ne!(snapshot.version(), index.version());
    let version = index.version();
    index.remove("school", &id(251)).unwrap();
    assert_ne!(version, index.version());
}

#[test]
fn the_evidence_pre_filter_never_skips_a_candidate_that_matches() {
    let index = MemoryFingerprintIndex::new();
    let corpus = mixed_corpus(72);
    let prints: Vec<Fingerprints> = corpus.iter().map(|(_, t)| fingerprint(t)).collect();
    for ((key, _), fp) in corpus.iter().zip(&prints) {
        index.insert("school", key, fp).unwrap();
    }
    let options = SearchOptions::default();
    let (mut matched, mut skipped) = (0, 0);
    for (key, text) in &corpus {
        let query = Query::winnowed(text, options.scheme, options.query_window);
        let holders = index
            .candidates("school", &query.hashes(), Some(key), options.max_postings)
            .unwrap()
            .holders;
        let query = query.with_holders(&holders, options.rare_postings, options.max_postings);
        for ((other, candidate), fp) in corpus.iter().zip(&prints) {
            if other == key {
                continue;
            }
            let found = query.compare(candidate, fp);
            if found.is_some() {
                matched += 1;
                assert!(query.can_match(fp), "{key:?} vs {other:?}");
            }
            if !query.can_match(fp) {
                skipped += 1;
                assert!(found.is_none());
            }
        }
    }
    // Both sides of the test are exercised.
    assert!(matched >= 10 && skipped > 1000, "{matched} matched, {skipped} skipped");
}
