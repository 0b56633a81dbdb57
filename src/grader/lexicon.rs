//! Generic English word lists the detectors look words up in: function words, reporting verbs,
//! connectives, degree words, month names, school names. Nothing here is tied to a particular
//! essay, question or historian; every list is the kind a teacher would write down from memory.
//!
//! Each word or phrase carries a set of *cues* (bits of a `u64`). Words are looked up once per
//! token, lowercased into a stack buffer, by binary search in a table built on first use.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

/// Bits of the cue set attached to a token.
pub mod cue {
    pub const STOP: u64 = 1 << 0;
    /// Capitalised forms of these are never part of a name (pronouns, determiners, connectives).
    pub const FUNC: u64 = 1 << 1;
    pub const MONTH: u64 = 1 << 2;
    pub const REPORT_PRESENT: u64 = 1 << 3;
    pub const REPORT_PAST_STRONG: u64 = 1 << 4;
    pub const REPORT_PAST_WEAK: u64 = 1 << 5;
    /// Words that may sit between a name and its reporting verb ("has", "rightly", "also").
    pub const NAME_SKIP: u64 = 1 << 6;
    pub const VERDICT: u64 = 1 << 7;
    pub const VERDICT_NEG: u64 = 1 << 8;
    pub const DEGREE_STRONG: u64 = 1 << 9;
    pub const DEGREE_WEAK: u64 = 1 << 10;
    pub const CONTRAST: u64 = 1 << 11;
    pub const CONTRAST_WEAK: u64 = 1 << 12;
    pub const COUNTER: u64 = 1 << 13;
    pub const WEIGH: u64 = 1 << 14;
    pub const EXPLAIN: u64 = 1 << 15;
    pub const EVAL: u64 = 1 << 16;
    pub const EVAL_METHOD: u64 = 1 << 17;
    pub const SCHOOL: u64 = 1 << 18;
    pub const HIST_NOUN: u64 = 1 << 19;
    pub const GENERIC_GROUP: u64 = 1 << 20;
    pub const EVENT_NOUN: u64 = 1 << 21;
    pub const TITLE: u64 = 1 << 22;
    pub const STANCE: u64 = 1 << 23;
    pub const NONANSWER: u64 = 1 << 24;
    pub const VAGUE_ATTR: u64 = 1 << 25;
    pub const REASON: u64 = 1 << 26;
    pub const CONCLUDE: u64 = 1 << 27;
    pub const INTERP_NOUN: u64 = 1 << 28;
    pub const NUMBER_WORD: u64 = 1 << 29;
    pub const MAGNITUDE: u64 = 1 << 30;
    pub const ORDINAL: u64 = 1 << 31;
    pub const TOPIC_ONLY: u64 = 1 << 32;
    pub const COMPARE: u64 = 1 << 33;
    pub const GENERIC_TOPIC: u64 = 1 << 34;
    pub const INSTRUCTION: u64 = 1 << 35;
    pub const PLACE_PREP: u64 = 1 << 36;
    pub const PARTICLE: u64 = 1 << 37;
    pub const NEGATION: u64 = 1 << 38;
    pub const ABBREV: u64 = 1 << 39;
    pub const COPULA: u64 = 1 << 40;
    pub const CRITERIA: u64 = 1 << 41;
    pub const QUALIFY: u64 = 1 << 42;
    pub const PLACE_WORD: u64 = 1 << 43;
    /// English words that are rare in other Latin-script languages (for the not-English check).
    pub const ENGLISH: u64 = 1 << 44;
    /// Comparatives that evaluate only when said of an interpretation ("weaker", "better").
    pub const EVAL_COMPARATIVE: u64 = 1 << 45;
    /// Verbs and adjectives of causation that make a blunt claim a judgement ("the war destroyed
    /// the government", "necessary but not sufficient").
    pub const CAUSAL: u64 = 1 << 46;
}

use cue::*;

/// Single words. A word may appear in several lists; its cues are merged.
const WORDS: &[(u64, &str)] = &[
    (
        STOP | FUNC,
        "a an the this that these those there here it its he she they them his her their him we us our \
         i me my you your who whom whose which what when where why how and or nor but so if then than \
         as at by for from in into of on onto to with within without about above after against along \
         among around before behind below beneath beside between beyond during except inside near off \
         out outside over past since through throughout till toward towards under until up upon via \
         is are was were be been being am do does did doing done have has had having will would shall \
         should can could may might must not no yes all any both each either every few many more most \
         much neither other others another some such only own same very too also just even still yet \
         once again ever never always often sometimes already soon now later today",
    ),
    (
        FUNC,
        "however although though whereas while whilst nevertheless nonetheless moreover furthermore \
         therefore thus hence consequently meanwhile instead indeed overall finally firstly secondly \
         thirdly lastly ultimately perhaps arguably certainly clearly similarly likewise conversely \
         because unless whether despite besides otherwise afterwards eventually initially subsequently \
         one two three four five six seven eight nine ten several one's let let's yesterday tomorrow \
         mr mrs ms dr sir lord dear chapter section part figure table note essay introduction \
         everyone everybody someone somebody anyone anybody nobody everything something \
         conclusion paragraph question answer source sources",
    ),
    (
        ENGLISH,
        "the and of to is was that with for it as be by this which were have has had they their not \
         but from are been would there his her its who when what could should than these those also \
         into because however although whereas only other such more most after before while being",
    ),
    (
        MONTH,
        "january february march april may june july august september october november december",
    ),
    (
        REPORT_PRESENT,
        "argues argue suggests suggest contends contend claims claim maintains maintain believes believe \
         sees see says say thinks think writes write emphasises emphasizes emphasise emphasize stresses \
         stress insists insist asserts assert concludes conclude notes note observes observe proposes \
         propose posits posit holds hold rejects reject disagrees disagree agrees agree objects object \
         defends defend interprets interpret views view regards regard describes describe credits credit \
         blames blame challenges challenge dismisses dismiss questions question doubts doubt \
         acknowledges acknowledge admits admit counters counter shows show demonstrates demonstrate \
         highlights highlight points presents present portrays portray depicts depict characterises \
         characterizes characterise characterize supports support explains explain attributes \
         attribute traces trace judges judge considers consider calls call labels label criticises \
         criticizes criticise criticize disputes dispute contradicts contradict stresses underlines \
         underline identifies identify",
    ),
    (
        REPORT_PAST_STRONG,
        "argued suggested contended claimed maintained emphasised emphasized stressed insisted asserted \
         concluded proposed posited rejected disagreed challenged dismissed interpreted characterised \
         characterized portrayed highlighted questioned countered demonstrated criticised criticized \
         disputed contradicted attributed",
    ),
    (
        REPORT_PAST_WEAK,
        "said thought believed saw wrote noted observed held described showed shown viewed regarded \
         blamed read agreed defended objected presented explained judged considered called labelled \
         labeled supported identified traced",
    ),
    (
        NAME_SKIP,
        "has have had also rightly wrongly correctly famously therefore since later himself herself \
         instead similarly too even further persuasively convincingly influentially notably \
         controversially boldly plausibly recently subsequently thus however then still",
    ),
    (
        VERDICT,
        "success successes successful successfully succeeded succeed unsuccessful failure failures failed \
         fail failing responsible responsibility blame culpable culpability significant significance \
         important importance effective effectively ineffective effectiveness decisive main key crucial \
         primary major chief principal disaster disastrous triumph triumphant achievement achievements \
         achieved mistake mistakes error errors cause causes factor factors reason reasons victory \
         defeat gains gained guilty guilt fault weakness weaknesses strength strengths",
    ),
    (
        VERDICT_NEG,
        "unsuccessful failure failures failed fail failing ineffective disaster disastrous mistake \
         mistakes error errors defeat weakness weaknesses",
    ),
    (
        DEGREE_STRONG,
        "mostly largely mainly primarily chiefly principally predominantly overwhelmingly ultimately \
         fundamentally essentially entirely wholly clearly undoubtedly greatest largest most decisively \
         heavily heaviest sole solely overriding far considerably profoundly deeply highly genuinely \
         outright chiefly undeniably unquestionably",
    ),
    (
        CAUSAL,
        "caused destroyed doomed undermined ensured precipitated provoked triggered sealed wrecked \
         toppled necessary sufficient decided determined explains explained",
    ),
    (
        DEGREE_WEAK,
        "partly partially quite somewhat fairly slightly relatively reasonably moderately mixed",
    ),
    (
        CONTRAST,
        "however although though whereas nevertheless nonetheless conversely yet despite admittedly \
         notwithstanding whilst while",
    ),
    (CONTRAST_WEAK, "but"),
    (
        WEIGH,
        "outweigh outweighs outweighed ultimately decisive secondary heaviest primarily overriding \
         outweighing weightier greater lesser crucially fundamentally overstates overstated overstate \
         understates understated exaggerated exaggerates exaggerate",
    ),
    (
        EXPLAIN,
        "because therefore thus hence consequently meant means meaning showed shows demonstrates \
         demonstrated proves proved revealed reveals revealing ensured ensuring enabled allowed caused \
         causing led resulted explains explained why exposed undermined strengthened weakened encouraged \
         forced prevented allowing enabling which so result illustrates illustrated indicates indicated \
         reflected reflects signalled signaled",
    ),
    (
        EVAL,
        "convincing convincingly unconvincing persuasive persuasively unpersuasive flawed neglects \
         neglect neglected ignores overlooks overlooked underestimates underestimate underestimated \
         overestimates overestimate overestimated overstates overstated overstate understates \
         understated understate exaggerates exaggerate downplays downplayed rightly wrongly \
         mistakenly plausible implausible credible problematic oversimplifies oversimplified \
         simplistic underexplored misreads questionable dubious compelling",
    ),
    (
        EVAL_COMPARATIVE,
        "weaker stronger weakest strongest better fails valid accurate inaccurate limitation \
         limitations captures undermines correctly ignored exaggerated",
    ),
    (
        EVAL_METHOD,
        "evidence sources source archives archival archive documents documentary method methods \
         methodology bias biased context reflects reflected reflecting perspective hindsight \
         records papers memoirs diaries testimony data statistics",
    ),
    (
        SCHOOL,
        "orthodox revisionist revisionists post-revisionist post-revisionists marxist marxists \
         intentionalist intentionalists functionalist functionalists structuralist structuralists \
         traditionalist traditionalists historiography historiographical historiographic \
         neo-revisionist counter-revisionist whig",
    ),
    (HIST_NOUN, "historian historians scholar scholars"),
    (
        GENERIC_GROUP,
        "historians historian critics scholars people writers commentators experts observers others \
         many some most several few analysts contemporaries",
    ),
    (
        EVENT_NOUN,
        "treaty pact war plan conference crisis agreement programme program revolution act battle \
         league alliance raid protocol line committee congress council entente declaration doctrine \
         policy offensive operation campaign massacre commune republic party army navy summit accords \
         accord charter convention settlement blockade uprising rising rebellion reform reforms \
         election coup putsch invasion siege front axis union empire dynasty movement reich plans \
         programme laws law bill resolution ultimatum purge purges trial trials strike mutiny famine \
         expedition",
    ),
    (
        TITLE,
        "kaiser president chancellor marshal general colonel archduke king queen emperor tsar czar prince \
         princess lord sir pope minister premier count duke admiral ambassador secretary commissar \
         chairman captain lieutenant major sultan shah chief governor senator bishop cardinal",
    ),
    (
        REASON,
        "because since owing due criteria criterion measured judged factor factors decisive reason \
         reasons lay lies rested rests mainly primarily therefore thus hence consequently",
    ),
    (
        CONCLUDE,
        "overall conclusion conclude concluding summary ultimately therefore",
    ),
    (
        INTERP_NOUN,
        "view views argument arguments interpretation interpretations thesis claim claims case account \
         accounts emphasis idea ideas insistence work works focus reading analysis approach conclusion \
         conclusions position verdict defence defense critique study studies book books research \
         judgement judgment assessment theory portrayal picture explanation explanations contention \
         interpretation school model notion concept phrase description",
    ),
    (
        NUMBER_WORD,
        "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty \
         fifty sixty seventy eighty ninety hundred hundreds thousand thousands dozens dozen half",
    ),
    (
        MAGNITUDE,
        "million millions billion billions thousand thousands hundred percent per tonnes tons \
         kilometres miles acres pounds dollars roubles marks francs casualties dead killed",
    ),
    (
        ORDINAL,
        "first firstly second secondly third thirdly fourth finally lastly then",
    ),
    (
        TOPIC_ONLY,
        "examines examine considers consider explores explore look looks discuss discusses outline \
         outlines describe describes investigate investigates overview",
    ),
    (
        COMPARE,
        "disagrees disagree disagreed agrees agree agreed rejects reject rejected challenges challenged \
         contrasts contrast differs differ unlike whereas against supports support supported objects \
         objected counters countered dismisses dismissed criticises criticised criticizes criticized \
         disputes disputed contradicts contradicted opposes opposed rivals rival",
    ),
    (
        GENERIC_TOPIC,
        "war wars world first second years year period history time people country countries century \
         great power powers state states events period era age",
    ),
    (
        INSTRUCTION,
        "how far extent what why assess explain evaluate discuss examine consider analyse analyze compare \
         degree agree do you does did whether which was were is are to the a an of in on for by and or \
         with this that it its be been should would could what's years between during",
    ),
    (
        PLACE_PREP,
        "in at to from into across towards toward near through via outside inside within throughout",
    ),
    (PARTICLE, "von van de der den du da di la le al ibn bin del des dos"),
    (NEGATION, "not never no neither nor cannot none nothing"),
    (
        ABBREV,
        "mr mrs ms dr st vs etc no nos vol pp ed eds jr sr gen col lt capt prof rev fig c ca approx \
         cf ie eg",
    ),
    (
        COPULA,
        "was were is are be been bears bore lay lies remains remained proved",
    ),
    (
        CRITERIA,
        "measured judged criteria criterion terms judge measure standard aims aim priorities",
    ),
    (
        QUALIFY,
        "although though but however yet whereas while whilst not solely partly despite even",
    ),
    (
        PLACE_WORD,
        "europe east eastern west western north northern south southern central asia africa america \
         ocean sea river mountains islands city",
    ),
];

/// Multi-word phrases, matched on consecutive word tokens ignoring ASCII case. The cues are
/// attached to the phrase's first token.
const PHRASES: &[(u64, &str)] = &[
    (CONTRAST, "on the other hand"),
    (CONTRAST, "even so"),
    (CONTRAST, "by contrast"),
    (CONTRAST, "in contrast"),
    (CONTRAST, "on the contrary"),
    (CONTRAST, "even though"),
    (CONTRAST, "that said"),
    (CONTRAST, "in spite of"),
    (CONTRAST, "at the same time"),
    (COUNTER, "it could be argued"),
    (COUNTER, "it can be argued"),
    (COUNTER, "it might be argued"),
    (COUNTER, "it may be argued"),
    (COUNTER, "one could argue"),
    (COUNTER, "one might argue"),
    (COUNTER, "some argue"),
    (COUNTER, "others argue"),
    (COUNTER, "critics argue"),
    (COUNTER, "the case against"),
    (COUNTER, "it is true that"),
    (COUNTER, "to be sure"),
    (COUNTER, "of course"),
    (COUNTER, "others say"),
    (COUNTER, "others think"),
    (COUNTER, "others believe"),
    (COUNTER, "other people think"),
    (COUNTER, "the counter-argument"),
    (COUNTER, "the opposing view"),
    (COUNTER, "the other side"),
    (WEIGH, "more significant than"),
    (WEIGH, "more important than"),
    (WEIGH, "less significant than"),
    (WEIGH, "less important than"),
    (WEIGH, "more decisive than"),
    (WEIGH, "to a limited extent"),
    (WEIGH, "to a large extent"),
    (WEIGH, "to a great extent"),
    (WEIGH, "to a considerable extent"),
    (WEIGH, "on balance"),
    (WEIGH, "rather than"),
    (WEIGH, "far more"),
    (WEIGH, "above all"),
    (WEIGH, "not solely"),
    (WEIGH, "not the sole"),
    (WEIGH, "not sole"),
    (WEIGH, "not the only"),
    (WEIGH, "as much"),
    (WEIGH, "more than"),
    (WEIGH, "less than"),
    (WEIGH, "the most important"),
    (WEIGH, "the most significant"),
    (WEIGH, "more responsible"),
    (WEIGH, "less responsible"),
    (WEIGH, "more persuasive"),
    (WEIGH, "more convincing"),
    (WEIGH, "does not remove"),
    (WEIGH, "do not outweigh"),
    (WEIGH, "is the weaker"),
    (WEIGH, "is the stronger"),
    (WEIGH, "weigh heaviest"),
    (WEIGH, "weighs heaviest"),
    (WEIGH, "better explains"),
    (WEIGH, "explains the outcome better"),
    (WEIGH, "necessary conditions"),
    (WEIGH, "necessary condition"),
    (WEIGH, "real but"),
    (DEGREE_STRONG, "to a large extent"),
    (DEGREE_STRONG, "to a great extent"),
    (DEGREE_STRONG, "to a considerable extent"),
    (DEGREE_STRONG, "to a significant extent"),
    (DEGREE_STRONG, "to a limited extent"),
    (DEGREE_STRONG, "more than any"),
    (DEGREE_STRONG, "above all"),
    (DEGREE_STRONG, "first and foremost"),
    (DEGREE_STRONG, "by far"),
    (DEGREE_STRONG, "more responsible"),
    (DEGREE_STRONG, "less responsible"),
    (DEGREE_STRONG, "not solely"),
    (DEGREE_STRONG, "not the sole"),
    (DEGREE_STRONG, "not sole"),
    (DEGREE_WEAK, "to some extent"),
    (DEGREE_WEAK, "to an extent"),
    (DEGREE_WEAK, "in some ways"),
    (DEGREE_WEAK, "in some respects"),
    (DEGREE_WEAK, "in a way"),
    (DEGREE_WEAK, "sort of"),
    (DEGREE_WEAK, "kind of"),
    (DEGREE_WEAK, "a bit"),
    (DEGREE_WEAK, "not completely"),
    (DEGREE_WEAK, "good and bad"),
    (DEGREE_WEAK, "good things and bad things"),
    (DEGREE_WEAK, "successes and failures"),
    (DEGREE_WEAK, "success and failure"),
    (DEGREE_WEAK, "in some areas"),
    (STANCE, "i think"),
    (STANCE, "i believe"),
    (STANCE, "i feel"),
    (STANCE, "in my view"),
    (STANCE, "in my opinion"),
    (STANCE, "i would argue"),
    (STANCE, "i will argue"),
    (STANCE, "i shall argue"),
    (STANCE, "i argue"),
    (STANCE, "i contend"),
    (STANCE, "i conclude"),
    (STANCE, "i agree"),
    (STANCE, "i disagree"),
    (STANCE, "this essay argues"),
    (STANCE, "this essay will argue"),
    (STANCE, "this essay contends"),
    (STANCE, "this essay will show"),
    (STANCE, "this essay shows"),
    (STANCE, "this essay will contend"),
    (STANCE, "this essay maintains"),
    (STANCE, "it is clear that"),
    (STANCE, "it is evident that"),
    (STANCE, "it can be concluded"),
    (STANCE, "it is undeniable that"),
    (NONANSWER, "hard to say"),
    (NONANSWER, "difficult to say"),
    (NONANSWER, "impossible to say"),
    (NONANSWER, "hard to tell"),
    (NONANSWER, "who can say"),
    (NONANSWER, "can really say"),
    (NONANSWER, "difficult to know"),
    (NONANSWER, "hard to know"),
    (NONANSWER, "hard to judge"),
    (NONANSWER, "difficult to judge"),
    (NONANSWER, "will probably continue"),
    (NONANSWER, "is likely to continue"),
    (NONANSWER, "will continue to debate"),
    (VAGUE_ATTR, "some historians"),
    (VAGUE_ATTR, "many historians"),
    (VAGUE_ATTR, "other historians"),
    (VAGUE_ATTR, "most historians"),
    (VAGUE_ATTR, "historians say"),
    (VAGUE_ATTR, "historians argue"),
    (VAGUE_ATTR, "historians have"),
    (VAGUE_ATTR, "historians disagree"),
    (VAGUE_ATTR, "historians think"),
    (VAGUE_ATTR, "historians believe"),
    (VAGUE_ATTR, "historians debate"),
    (VAGUE_ATTR, "historians claim"),
    (VAGUE_ATTR, "it is argued"),
    (VAGUE_ATTR, "it has been argued"),
    (VAGUE_ATTR, "it has been suggested"),
    (VAGUE_ATTR, "it is said"),
    (VAGUE_ATTR, "some people say"),
    (VAGUE_ATTR, "some people think"),
    (VAGUE_ATTR, "some say"),
    (VAGUE_ATTR, "many argue"),
    (VAGUE_ATTR, "some argue"),
    (VAGUE_ATTR, "some believe"),
    (VAGUE_ATTR, "others argue"),
    (VAGUE_ATTR, "others say"),
    (VAGUE_ATTR, "critics argue"),
    (VAGUE_ATTR, "scholars argue"),
    (VAGUE_ATTR, "historians such as"),
    (EXPLAIN, "this shows"),
    (EXPLAIN, "this meant"),
    (EXPLAIN, "which meant"),
    (EXPLAIN, "as a result"),
    (EXPLAIN, "this means"),
    (EXPLAIN, "this was because"),
    (EXPLAIN, "led to"),
    (EXPLAIN, "resulted in"),
    (EXPLAIN, "this suggests"),
    (EXPLAIN, "in order to"),
    (EXPLAIN, "so that"),
    (EXPLAIN, "due to"),
    (EXPLAIN, "owing to"),
    (EXPLAIN, "this is why"),
    (EXPLAIN, "this made"),
    (EXPLAIN, "which made"),
    (EXPLAIN, "this was"),
    (EXPLAIN, "this is"),
    (EXPLAIN, "the effect"),
    (EXPLAIN, "the result"),
    (EVAL, "more convincing"),
    (EVAL, "less convincing"),
    (EVAL, "more persuasive"),
    (EVAL, "less persuasive"),
    (EVAL, "does not explain"),
    (EVAL, "fails to explain"),
    (EVAL, "does not account"),
    (EVAL, "fails to account"),
    (EVAL, "is the weaker"),
    (EVAL, "is weaker"),
    (EVAL, "is stronger"),
    (EVAL, "is the stronger"),
    (EVAL, "no friend of"),
    (EVAL, "reflects the time"),
    (EVAL, "writing during"),
    (EVAL, "was writing"),
    (EVAL, "does not really"),
    (EVAL, "too far"),
    (REASON, "owing to"),
    (REASON, "due to"),
    (REASON, "as a result"),
    (REASON, "the decisive factor"),
    (REASON, "the main reason"),
    (REASON, "the key factor"),
    (REASON, "not because"),
    (REASON, "but because"),
    (REASON, "and because"),
    (REASON, "rather than"),
    (REASON, "judged in this way"),
    (REASON, "if success is"),
    (REASON, "this essay argues"),
    (CONCLUDE, "in conclusion"),
    (CONCLUDE, "to conclude"),
    (CONCLUDE, "in summary"),
    (CONCLUDE, "to sum up"),
    (CONCLUDE, "on balance"),
    (CONCLUDE, "all in all"),
    (CONCLUDE, "in the end"),
    (TOPIC_ONLY, "will look at"),
    (TOPIC_ONLY, "this essay will"),
    (TOPIC_ONLY, "this essay examines"),
    (TOPIC_ONLY, "this essay considers"),
    (TOPIC_ONLY, "this essay looks"),
    (TOPIC_ONLY, "this essay discusses"),
    (COMPARE, "by contrast"),
    (COMPARE, "in contrast"),
    (COMPARE, "a different view"),
    (COMPARE, "different view"),
    (COMPARE, "argues against"),
    (COMPARE, "on the other hand"),
    (COMPARE, "contrasts sharply"),
    (COMPARE, "no friend of"),
    (COMPARE, "objects that"),
    (SCHOOL, "historians disagree"),
    (SCHOOL, "the debate"),
    (SCHOOL, "the fischer school"),
];

/// What the lexicon knows about one lowercased word: its cues, and the phrases it starts (a
/// range of [`Tables::phrases`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Entry {
    pub cues: u64,
    pub phrase_start: u32,
    pub phrase_end: u32,
}

/// FxHash-style hasher: fast, and deterministic (no random seed). The table is only looked up,
/// never iterated, so its order cannot leak into output.
#[derive(Default)]
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
}

type WordMap = HashMap<&'static str, Entry, BuildHasherDefault<WordHasher>>;

struct Tables {
    words: WordMap,
    /// (first word, remaining words, cues), sorted by first word.
    phrases: Vec<(&'static str, Vec<&'static str>, u64)>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut words = WordMap::default();
        for (bits, list) in WORDS {
            for w in list.split_whitespace() {
                words.entry(w).or_default().cues |= *bits;
            }
        }
        let mut phrases: Vec<(&'static str, Vec<&'static str>, u64)> = Vec::new();
        for (bits, p) in PHRASES {
            let mut it = p.split_whitespace();
            let Some(first) = it.next() else { continue };
            let rest: Vec<&'static str> = it.collect();
            match phrases.iter_mut().find(|(f, r, _)| *f == first && *r == rest) {
                Some(existing) => existing.2 |= *bits,
                None => phrases.push((first, rest, *bits)),
            }
        }
        phrases.sort_by(|a, b| a.0.cmp(b.0).then_with(|| a.1.cmp(&b.1)));
        let mut i = 0;
        while i < phrases.len() {
            let first = phrases[i].0;
            let mut j = i;
            while j < phrases.len() && phrases[j].0 == first {
                j += 1;
            }
            let e = words.entry(first).or_default();
            e.phrase_start = i as u32;
            e.phrase_end = j as u32;
            i = j;
        }
        Tables { words, phrases }
    })
}

/// Everything the lexicon knows about one lowercased word.
pub fn entry(lower: &str) -> Entry {
    tables().words.get(lower).copied().unwrap_or_default()
}

/// Cues of one lowercased word (empty set for unknown words).
pub fn lookup(lower: &str) -> u64 {
    entry(lower).cues
}

/// The phrases an entry starts: their remaining words and cues.
pub fn phrases_of(e: Entry) -> &'static [(&'static str, Vec<&'static str>, u64)] {
    &tables().phrases[e.phrase_start as usize..e.phrase_end as usize]
}

/// Phrases starting with `first` (lowercased): their remaining words and cues.
pub fn phrases_starting(first: &str) -> &'static [(&'static str, Vec<&'static str>, u64)] {
    phrases_of(entry(first))
}

/// Lowercases an ASCII word into `buf`; `None` for words that are too long or not ASCII
/// (such words are in no list).
pub fn lower_ascii<'b>(word: &str, buf: &'b mut [u8; 32]) -> Option<&'b str> {
    let bytes = word.as_bytes();
    if bytes.is_empty() || bytes.len() > buf.len() || !bytes.is_ascii() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(bytes) {
        *d = s.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..bytes.len()]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_merge_their_cues() {
        let c = lookup("however");
        assert!(c & CONTRAST != 0 && c & FUNC != 0);
        assert_eq!(lookup("zzzz"), 0);
        assert!(lookup("argues") & REPORT_PRESENT != 0);
    }

    #[test]
    fn phrases_are_found_by_first_word() {
        let ps = phrases_starting("on");
        assert!(
            ps.iter()
                .any(|(_, rest, bits)| rest == &["the", "other", "hand"] && bits & CONTRAST != 0)
        );
        assert!(phrases_starting("zzz").is_empty());
    }

    #[test]
    fn lowercasing_rejects_non_ascii_and_long_words() {
        let mut buf = [0u8; 32];
        assert_eq!(lower_ascii("HoWever", &mut buf), Some("however"));
        assert_eq!(lower_ascii("Röhl", &mut buf), None);
        assert_eq!(lower_ascii(&"a".repeat(40), &mut buf), None);
    }
}
