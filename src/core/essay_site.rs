//! Essay-site page import: owns recognising the text dumps of essay-sharing
//! sites — a block of `Key: value` header lines ("Submitted by", "Views",
//! "Words", "Pages", "Category", "Date Submitted", optionally "Title") followed
//! by the essay — and splitting one into header fields and essay text.
//! Anything else is plain text.
//!
//! [`parse`] never fails: an import must not lose an essay over a bad header,
//! so a malformed or repeated value leaves its field `None` and is kept,
//! key and value as written, in [`EssaySitePage::extra`].

use time::{Date, Month, PrimitiveDateTime, Time};

/// A page in the essay-site format. Fields are `None` when their header is
/// missing or its value could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EssaySitePage {
    /// From `Submitted by:`; the site repeats the label inside the value
    /// ("Submitted by: Submitted by mattman123"), which is stripped.
    pub author: Option<String>,
    /// From `Title:`, when the page has one.
    pub title: Option<String>,
    pub views: Option<u64>,
    /// The site's `Words:` figure. It counts the whole essay, while the page
    /// often holds only a preview, so it is not the word count of `text`.
    pub declared_words: Option<u32>,
    /// The site's `Pages:` figure (250 words a page).
    pub declared_pages: Option<u32>,
    pub category: Option<String>,
    /// From `Date Submitted: MM/DD/YYYY hh:mm AM` (12-hour clock; a 24-hour
    /// `hh:mm` without AM/PM is accepted too). The site gives no time zone.
    pub submitted_at: Option<PrimitiveDateTime>,
    /// Header lines not mapped to a field, in order: unknown keys, malformed
    /// values (`("Views", "lots")`) and repeats of a key already read.
    pub extra: Vec<(String, String)>,
    /// The essay: everything after the header block, line endings normalised
    /// to `\n`, leading blank lines and trailing whitespace removed, inner line
    /// breaks (one paragraph per line on these sites) kept.
    pub text: String,
}

/// What an imported file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedPage {
    Page(EssaySitePage),
    /// No recognised header at the top: the whole file is the essay, cleaned
    /// like [`EssaySitePage::text`] (BOM dropped, `\r\n` → `\n`, leading blank
    /// lines and trailing whitespace removed).
    PlainText(String),
}

/// Splits an imported file into header fields and essay text. Never panics.
///
/// The header block is the run of `Key: value` lines at the top (after an
/// optional BOM and blank lines), in any order. It may continue past a blank
/// line only into another recognised header, and it ends at the first line
/// that is not a header — the seed pages start the essay on the very next
/// line. The file is a page only if the block holds at least one recognised
/// key; otherwise it is [`ParsedPage::PlainText`].
pub fn parse(input: &str) -> ParsedPage {
    let input = input.strip_prefix('\u{FEFF}').unwrap_or(input);
    let lines: Vec<&str> = input.split('\n').map(|l| l.trim_end_matches('\r')).collect();

    let mut i = next_nonblank(&lines, 0);
    let mut headers: Vec<(&str, &str, Option<Field>)> = Vec::new();
    while let Some(&line) = lines.get(i) {
        if is_blank(line) {
            let next = next_nonblank(&lines, i);
            let continues = lines
                .get(next)
                .and_then(|l| header_line(l))
                .is_some_and(|(key, _)| Field::from_key(key).is_some());
            if !continues {
                break;
            }
            i = next;
            continue;
        }
        let Some((key, value)) = header_line(line) else {
            break;
        };
        let field = Field::from_key(key);
        // An unknown key with a long value is more likely the essay's first
        // line ("Introduction: In 1924 ...") than site metadata.
        if field.is_none() && value.chars().count() > MAX_UNKNOWN_VALUE_CHARS {
            break;
        }
        headers.push((key, value, field));
        i += 1;
    }

    if headers.iter().all(|(_, _, field)| field.is_none()) {
        return ParsedPage::PlainText(clean_text(&lines));
    }

    let mut page = EssaySitePage {
        author: None,
        title: None,
        views: None,
        declared_words: None,
        declared_pages: None,
        category: None,
        submitted_at: None,
        extra: Vec::new(),
        text: clean_text(&lines[i..]),
    };
    for (key, value, field) in headers {
        let stored = match field {
            None => false,
            Some(Field::Author) => set_once(&mut page.author, parse_author(value)),
            Some(Field::Title) => set_once(&mut page.title, non_empty(value)),
            Some(Field::Views) => set_once(&mut page.views, parse_count(value)),
            Some(Field::Words) => set_once(&mut page.declared_words, parse_count(value)),
            Some(Field::Pages) => set_once(&mut page.declared_pages, parse_count(value)),
            Some(Field::Category) => set_once(&mut page.category, non_empty(value)),
            Some(Field::Submitted) => set_once(&mut page.submitted_at, parse_submitted(value)),
        };
        if !stored {
            page.extra.push((key.to_string(), value.to_string()));
        }
    }
    ParsedPage::Page(page)
}

/// Longest value an unknown header key may have; see [`parse`].
const MAX_UNKNOWN_VALUE_CHARS: usize = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Author,
    Title,
    Views,
    Words,
    Pages,
    Category,
    Submitted,
}

impl Field {
    /// Case- and spacing-insensitive: "Date  submitted" is "Date Submitted".
    fn from_key(key: &str) -> Option<Field> {
        let mut words = key.split_whitespace();
        let first = words.next()?.to_ascii_lowercase();
        let second = words.next().map(str::to_ascii_lowercase);
        if words.next().is_some() {
            return None;
        }
        match (first.as_str(), second.as_deref()) {
            ("submitted", Some("by")) => Some(Field::Author),
            ("title", None) => Some(Field::Title),
            ("views", None) => Some(Field::Views),
            ("words", None) => Some(Field::Words),
            ("pages", None) => Some(Field::Pages),
            ("category", None) => Some(Field::Category),
            ("date", Some("submitted")) => Some(Field::Submitted),
            _ => None,
        }
    }
}

/// Stores `value` if the field is still empty; false (so the line goes to
/// `extra`) if the value is malformed or the field was already set.
fn set_once<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
    match (slot.is_none(), value) {
        (true, Some(v)) => {
            *slot = Some(v);
            true
        }
        _ => false,
    }
}

/// `Key: value` with a short key made of words (letters, digits, `-`, `_`,
/// `'`) starting with a letter; both trimmed. The first colon splits, so values
/// may hold colons ("08:01 AM", "Title: A: B").
fn header_line(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let key = key.trim();
    let starts_with_letter = key.chars().next().is_some_and(char::is_alphabetic);
    let key_chars_ok = key
        .chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || c == '\t' || c == '-' || c == '_' || c == '\'');
    if !starts_with_letter || !key_chars_ok || key.len() > 40 || key.split_whitespace().count() > 4 {
        return None;
    }
    Some((key, value.trim()))
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

fn next_nonblank(lines: &[&str], from: usize) -> usize {
    lines
        .iter()
        .skip(from)
        .position(|l| !is_blank(l))
        .map_or(lines.len(), |p| from + p)
}

/// Joins lines with `\n`, dropping leading blank lines and trailing whitespace.
fn clean_text(lines: &[&str]) -> String {
    let start = next_nonblank(lines, 0);
    lines.get(start..).unwrap_or_default().join("\n").trim_end().to_string()
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

fn parse_author(value: &str) -> Option<String> {
    let mut v = value.trim();
    // The site doubles the label ("Submitted by: Submitted by mattman123");
    // strip it however often it repeats, with or without its colon.
    while let Some(rest) = strip_prefix_ignore_case(v, "submitted by") {
        if !(rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace() || c == ':')) {
            break; // a user actually named "submitted byron"
        }
        v = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ':');
    }
    non_empty(v)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

/// A non-negative integer, allowing thousands separators ("1,234").
fn parse_count<T: std::str::FromStr>(value: &str) -> Option<T> {
    let groups: Vec<&str> = value.split(',').collect();
    let grouped_ok =
        groups.len() == 1 || (matches!(groups[0].len(), 1..=3) && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_ok
        || !groups
            .iter()
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    groups.concat().parse().ok()
}

/// `MM/DD/YYYY hh:mm[:ss] AM|PM` (also `a.m.`, no space before the period, or a
/// 24-hour clock without one). 12:xx AM is 00:xx, 12:xx PM is 12:xx. Impossible
/// dates and times (13/45/2014, 13:00 PM) give `None`.
fn parse_submitted(value: &str) -> Option<PrimitiveDateTime> {
    let (date, clock) = value.trim().split_once(char::is_whitespace)?;

    let mut parts = date.split('/');
    let month = small_number(parts.next()?)?;
    let day = small_number(parts.next()?)?;
    let year = parts.next()?;
    if parts.next().is_some() || year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = year.parse().ok()?;

    let compact: String = clock
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let (clock, pm) = if let Some(c) = compact.strip_suffix("AM") {
        (c, Some(false))
    } else if let Some(c) = compact.strip_suffix("PM") {
        (c, Some(true))
    } else {
        (compact.as_str(), None)
    };
    let mut parts = clock.split(':');
    let hour = small_number(parts.next()?)?;
    let minute = small_number(parts.next()?)?;
    let second = parts.next().map_or(Some(0), small_number)?;
    if parts.next().is_some() {
        return None;
    }
    let hour = match pm {
        None if hour < 24 => hour,
        Some(pm) if (1..=12).contains(&hour) => (hour % 12) + if pm { 12 } else { 0 },
        _ => return None,
    };

    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    Some(PrimitiveDateTime::new(date, time))
}

/// One or two ASCII digits.
fn small_number(s: &str) -> Option<u8> {
    if !(1..=2).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const SEED: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seed/soviet-foreign-policy-1925-1945.txt"
    ));

    fn page(input: &str) -> EssaySitePage {
        match parse(input) {
            ParsedPage::Page(p) => p,
            ParsedPage::PlainText(t) => panic!("expected a page, got plain text {t:?}"),
        }
    }

    fn plain(input: &str) -> String {
        match parse(input) {
            ParsedPage::PlainText(t) => t,
            ParsedPage::Page(p) => panic!("expected plain text, got {p:?}"),
        }
    }

    const BODY: &str = "First paragraph of the essay.\nSecond paragraph.";

    #[test]
    fn seed_page() {
        let p = page(SEED);
        assert_eq!(p.author.as_deref(), Some("mattman123"));
        assert_eq!(p.title, None);
        assert_eq!(p.views, Some(73));
        assert_eq!(p.declared_words, Some(961));
        assert_eq!(p.declared_pages, Some(4));
        assert_eq!(p.category.as_deref(), Some("World History"));
        assert_eq!(p.submitted_at, Some(datetime!(2014-11-04 08:01)));
        assert!(p.extra.is_empty(), "{:?}", p.extra);
        assert!(p.text.starts_with("Soviet foreign policy in the period"));
        assert!(p.text.ends_with("“Our security will remain..."));
        assert_eq!(p.text.lines().count(), 5);
    }

    #[test]
    fn crlf_bom_and_blank_lines_before_text() {
        let input = "\u{FEFF}Submitted by: Submitted by ann\r\nViews: 5\r\n\
                     Date Submitted: 01/02/2015 03:04 PM\r\n\r\n\r\n\
                     First paragraph of the essay.\r\nSecond paragraph.\r\n\r\n";
        let p = page(input);
        assert_eq!(p.author.as_deref(), Some("ann"));
        assert_eq!(p.views, Some(5));
        assert_eq!(p.submitted_at, Some(datetime!(2015-01-02 15:04)));
        assert_eq!(p.text, BODY);
    }

    #[test]
    fn reordered_headers_with_title_and_single_label_author() {
        let input = "Category: Philosophy\nDate Submitted: 12/31/2020 11:59 PM\n\
                     Title: Free Will: A Defence\nPages: 2\nWords: 1,234\n\
                     Submitted by: zoe_k\nViews: 0\n\nFirst paragraph of the essay.\n\
                     Second paragraph.\n";
        let p = page(input);
        assert_eq!(p.author.as_deref(), Some("zoe_k"));
        assert_eq!(p.title.as_deref(), Some("Free Will: A Defence"));
        assert_eq!(p.views, Some(0));
        assert_eq!(p.declared_words, Some(1234));
        assert_eq!(p.declared_pages, Some(2));
        assert_eq!(p.category.as_deref(), Some("Philosophy"));
        assert_eq!(p.submitted_at, Some(datetime!(2020-12-31 23:59)));
        assert_eq!(p.text, BODY);
    }

    #[test]
    fn missing_headers_are_none() {
        let p = page("Views: 12\nFirst paragraph of the essay.\nSecond paragraph.");
        assert_eq!(p.views, Some(12));
        assert_eq!(
            (
                p.author,
                p.title,
                p.declared_words,
                p.declared_pages,
                p.category,
                p.submitted_at
            ),
            (None, None, None, None, None, None)
        );
        assert_eq!(p.text, BODY);
    }

    #[test]
    fn unknown_headers_go_to_extra_in_order() {
        let input = "Source: example site\nSubmitted by: bo\nGrade Level: 11\n\n\
                     First paragraph of the essay.\nSecond paragraph.";
        let p = page(input);
        assert_eq!(p.author.as_deref(), Some("bo"));
        assert_eq!(
            p.extra,
            vec![
                ("Source".to_string(), "example site".to_string()),
                ("Grade Level".to_string(), "11".to_string()),
            ]
        );
        assert_eq!(p.text, BODY);
    }

    #[test]
    fn header_keys_are_case_and_space_insensitive() {
        let p = page("SUBMITTED  BY: Submitted By: cy\ndate submitted: 3/7/2016 9:05 am\nx");
        assert_eq!(p.author.as_deref(), Some("cy"));
        assert_eq!(p.submitted_at, Some(datetime!(2016-03-07 09:05)));
        assert_eq!(p.text, "x");
    }

    #[test]
    fn twelve_oclock_edge_cases() {
        let at = |clock: &str| page(&format!("Date Submitted: 11/04/2014 {clock}\n\nText")).submitted_at;
        assert_eq!(at("12:00 AM"), Some(datetime!(2014-11-04 00:00)));
        assert_eq!(at("12:59 AM"), Some(datetime!(2014-11-04 00:59)));
        assert_eq!(at("01:00 AM"), Some(datetime!(2014-11-04 01:00)));
        assert_eq!(at("11:59 AM"), Some(datetime!(2014-11-04 11:59)));
        assert_eq!(at("12:00 PM"), Some(datetime!(2014-11-04 12:00)));
        assert_eq!(at("12:30 PM"), Some(datetime!(2014-11-04 12:30)));
        assert_eq!(at("01:00 PM"), Some(datetime!(2014-11-04 13:00)));
        assert_eq!(at("11:59 PM"), Some(datetime!(2014-11-04 23:59)));
        assert_eq!(at("08:01AM"), Some(datetime!(2014-11-04 08:01)));
        assert_eq!(at("8:01 p.m."), Some(datetime!(2014-11-04 20:01)));
        assert_eq!(at("08:01:30 AM"), Some(datetime!(2014-11-04 08:01:30)));
        assert_eq!(at("20:15"), Some(datetime!(2014-11-04 20:15))); // 24-hour
        assert_eq!(at("00:30 AM"), None); // no hour 0 on a 12-hour clock
        assert_eq!(at("13:00 PM"), None);
        assert_eq!(at("24:00"), None);
        assert_eq!(at("08:60 AM"), None);
    }

    #[test]
    fn bad_values_leave_field_none_and_keep_the_line() {
        let input = "Submitted by: Submitted by dee\nViews: lots\nWords: -3\n\
                     Pages: 99999999999\nDate Submitted: 13/45/2014 08:01 AM\n\
                     Category:\nFirst paragraph of the essay.\nSecond paragraph.";
        let p = page(input);
        assert_eq!(p.author.as_deref(), Some("dee"));
        assert_eq!(
            (p.views, p.declared_words, p.declared_pages, p.submitted_at, p.category),
            (None, None, None, None, None)
        );
        let kv = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(
            p.extra,
            vec![
                kv("Views", "lots"),
                kv("Words", "-3"),
                kv("Pages", "99999999999"),
                kv("Date Submitted", "13/45/2014 08:01 AM"),
                kv("Category", ""),
            ]
        );
        assert_eq!(p.text, BODY);
    }

    #[test]
    fn impossible_or_malformed_dates() {
        for value in [
            "02/30/2014 08:01 AM",
            "02/29/2014 08:01 AM", // not a leap year
            "00/10/2014 08:01 AM",
            "11/04/14 08:01 AM",
            "11/04/2014",
            "2014-11-04 08:01",
            "11/04/2014 08:01 XM",
            "11/04/2014 +8:01 AM",
        ] {
            let p = page(&format!("Date Submitted: {value}\nText"));
            assert_eq!(p.submitted_at, None, "{value}");
            assert_eq!(p.extra, vec![("Date Submitted".to_string(), value.to_string())]);
        }
        let leap = page("Date Submitted: 02/29/2016 08:01 AM\nText");
        assert_eq!(leap.submitted_at, Some(datetime!(2016-02-29 08:01)));
    }

    #[test]
    fn counts_accept_thousands_separators_only_when_well_formed() {
        assert_eq!(parse_count::<u64>("1,234,567"), Some(1_234_567));
        assert_eq!(parse_count::<u64>("73"), Some(73));
        assert_eq!(parse_count::<u64>("1,23"), None);
        assert_eq!(parse_count::<u64>(",123"), None);
        assert_eq!(parse_count::<u64>("+5"), None);
        assert_eq!(parse_count::<u64>(""), None);
        assert_eq!(parse_count::<u32>("4294967296"), None);
    }

    #[test]
    fn repeated_header_keeps_first_and_extra_keeps_the_repeat() {
        let p = page("Views: 1\nViews: 2\nText");
        assert_eq!(p.views, Some(1));
        assert_eq!(p.extra, vec![("Views".to_string(), "2".to_string())]);
    }

    #[test]
    fn header_block_continues_past_blank_lines_only_into_known_keys() {
        let p = page("Submitted by: eve\n\nViews: 9\n\nNote: my own heading\nBody");
        assert_eq!(p.author.as_deref(), Some("eve"));
        assert_eq!(p.views, Some(9));
        assert!(p.extra.is_empty());
        assert_eq!(p.text, "Note: my own heading\nBody");
    }

    #[test]
    fn long_unknown_key_line_starts_the_text() {
        let first = format!("Introduction: {}", "In 1924 Lenin died and ".repeat(8));
        let p = page(&format!("Views: 3\n{first}\nMore."));
        assert!(p.extra.is_empty());
        assert_eq!(p.text, format!("{first}\nMore."));
    }

    #[test]
    fn text_keeps_inner_blank_lines_and_indentation() {
        let p = page("Views: 1\n\n\n  Indented first.\n\nSecond.\n  \n\t\n");
        assert_eq!(p.text, "  Indented first.\n\nSecond.");
    }

    #[test]
    fn headers_without_text_give_empty_text() {
        assert_eq!(page("Views: 1\r\nWords: 2\r\n").text, "");
    }

    #[test]
    fn plain_text_is_not_a_page() {
        assert_eq!(plain(""), "");
        assert_eq!(
            plain("\u{FEFF}\r\n\r\nJust an essay.\r\nWith lines.\r\n"),
            "Just an essay.\nWith lines."
        );
        // A colon line with an unknown key alone does not make a page.
        assert_eq!(plain("Note: draft\nThe essay."), "Note: draft\nThe essay.");
        // Recognised keys must be at the top, not somewhere in the essay.
        assert_eq!(plain("My essay.\nViews: 73"), "My essay.\nViews: 73");
        // Not header syntax: the key must start with a letter and be short.
        assert_eq!(plain("10:30 was the time.\nViews: 2"), "10:30 was the time.\nViews: 2");
    }

    #[test]
    fn author_label_stripping() {
        assert_eq!(parse_author("Submitted by mattman123").as_deref(), Some("mattman123"));
        assert_eq!(parse_author("mattman123").as_deref(), Some("mattman123"));
        assert_eq!(parse_author("submitted by: x y").as_deref(), Some("x y"));
        assert_eq!(parse_author("Submitted byron").as_deref(), Some("Submitted byron"));
        assert_eq!(parse_author("Submitted by"), None);
        assert_eq!(parse_author("Submitté"), Some("Submitté".to_string()));
    }

    fn render(p: &EssaySitePage) -> String {
        let dt = p.submitted_at.expect("generated");
        let (hour, period) = match dt.hour() {
            0 => (12, "AM"),
            h @ 1..=11 => (h, "AM"),
            12 => (12, "PM"),
            h => (h - 12, "PM"),
        };
        format!(
            "Submitted by: Submitted by {}\r\nViews: {}\r\nWords: {}\r\nPages: {}\r\n\
             Category: {}\r\nDate Submitted: {:02}/{:02}/{} {:02}:{:02} {}\r\n{}",
            p.author.as_deref().unwrap_or_default(),
            p.views.unwrap_or_default(),
            p.declared_words.unwrap_or_default(),
            p.declared_pages.unwrap_or_default(),
            p.category.as_deref().unwrap_or_default(),
            u8::from(dt.month()),
            dt.day(),
            dt.year(),
            hour,
            dt.minute(),
            period,
            p.text,
        )
    }

    /// The input as `parse` sees it: one BOM dropped, the `\r`s ending each line removed.
    fn normalised(input: &str) -> String {
        let body = input.strip_prefix('\u{FEFF}').unwrap_or(input);
        body.split('\n')
            .map(|l| l.trim_end_matches('\r'))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn header_like() -> impl Strategy<Value = String> {
        "(\u{FEFF})?((Submitted by|Views|Words|Date Submitted|Title|X-Y)?:? ?[0-9/: APMa-z,.-]{0,20}(\r?\n){1,2}){0,6}[a-z .]{0,30}"
    }

    proptest! {
        #[test]
        fn text_is_the_tail_of_the_input_and_values_are_pieces_of_lines(
            input in prop_oneof![any::<String>(), header_like()]
        ) {
            let normalised = normalised(&input);
            let tail = normalised.trim_end();
            let lines: Vec<&str> = normalised.split('\n').collect();
            match parse(&input) {
                ParsedPage::PlainText(t) => {
                    prop_assert!(tail.ends_with(t.as_str()));
                    prop_assert!(tail[..tail.len() - t.len()].trim().is_empty(), "plain text lost a line");
                }
                ParsedPage::Page(p) => {
                    prop_assert!(tail.ends_with(p.text.as_str()));
                    let values = [&p.author, &p.title, &p.category].into_iter().flatten();
                    for v in values.chain(p.extra.iter().flat_map(|(k, v)| [k, v])) {
                        prop_assert_eq!(v.trim(), v.as_str());
                        prop_assert!(lines.iter().any(|l| l.contains(v.as_str())), "{:?} is not from one line", v);
                    }
                }
            }
        }

        #[test]
        fn never_panics(input in any::<String>()) {
            let text = match parse(&input) {
                ParsedPage::Page(p) => p.text,
                ParsedPage::PlainText(t) => t,
            };
            prop_assert!(!text.contains("\r\n"));
            prop_assert_eq!(text.trim_end(), text.as_str());
        }

        #[test]
        fn never_panics_on_header_like_input(input in header_like()) {
            let _ = parse(&input);
        }

        #[test]
        fn rendered_pages_round_trip(
            author in "[a-z][a-z0-9_]{0,11}",
            views in any::<u64>(),
            words in any::<u32>(),
            pages in any::<u32>(),
            category in "[A-Z][a-z]{1,8}( [A-Z][a-z]{1,8})?",
            year in 1990i32..2100,
            month in 1u8..=12,
            day in 1u8..=28,
            hour in 0u8..24,
            minute in 0u8..60,
            text in "[A-Z][a-z]{0,8}( [a-z]{1,8}){0,10}\\.(\n[A-Z][a-z]{0,8}( [a-z]{1,8}){0,10}\\.){0,4}",
        ) {
            let date = Date::from_calendar_date(year, Month::try_from(month).unwrap(), day).unwrap();
            let expected = EssaySitePage {
                author: Some(author),
                title: None,
                views: Some(views),
                declared_words: Some(words),
                declared_pages: Some(pages),
                category: Some(category),
                submitted_at: Some(PrimitiveDateTime::new(date, Time::from_hms(hour, minute, 0).unwrap())),
                extra: Vec::new(),
                text,
            };
            prop_assert_eq!(parse(&render(&expected)), ParsedPage::Page(expected));
        }
    }
}
