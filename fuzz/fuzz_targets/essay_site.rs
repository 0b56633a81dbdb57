//! Parses arbitrary text (bytes read as UTF-8, invalid sequences becoming U+FFFD) as an
//! imported essay-site page and checks what an import relies on.
//!
//! The invariants come from `core::essay_site`: `parse` drops one BOM, strips the `\r`s that end
//! each line, takes a run of header lines off the top and cleans the rest. So, for the input
//! normalised that way:
//! - the essay text is its tail up to trailing whitespace (nothing is added, reordered or lost
//!   from inside the essay), and holds no `\r\n`, no leading blank line and no trailing whitespace;
//! - plain text is the whole input less leading blank lines;
//! - every header value kept (author, title, category, extra) is a trimmed piece of one line.

#![no_main]

use essayd::core::essay_site::{EssaySitePage, ParsedPage, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let parsed = parse(&input);
    assert_eq!(
        parsed,
        parse(&input),
        "parsing the same input twice gave different results"
    );

    let body = input.strip_prefix('\u{FEFF}').unwrap_or(&input);
    let normalised = body
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .collect::<Vec<_>>()
        .join("\n");
    let tail = normalised.trim_end();

    let text = match &parsed {
        ParsedPage::PlainText(t) => {
            assert!(
                tail.ends_with(t.as_str()),
                "plain text {t:?} is not the tail of the input"
            );
            let dropped = &tail[..tail.len() - t.len()];
            assert!(dropped.trim().is_empty(), "plain text lost {dropped:?}");
            t
        }
        ParsedPage::Page(p) => {
            assert!(
                tail.ends_with(p.text.as_str()),
                "essay text {:?} is not the tail of the input",
                p.text
            );
            check_headers(p, &normalised);
            &p.text
        }
    };
    assert!(!text.contains("\r\n"));
    assert_eq!(text.trim_end(), text.as_str(), "trailing whitespace kept");
    let first_line = text.split('\n').next().unwrap_or_default();
    assert!(
        text.is_empty() || !first_line.trim().is_empty(),
        "leading blank line kept"
    );
});

fn check_headers(p: &EssaySitePage, normalised: &str) {
    let lines: Vec<&str> = normalised.split('\n').collect();
    let one_line_piece = |v: &str| v.trim() == v && lines.iter().any(|l| l.contains(v));
    for (name, value) in [("author", &p.author), ("title", &p.title), ("category", &p.category)] {
        if let Some(v) = value {
            assert!(!v.is_empty(), "{name} is Some but empty");
            assert!(one_line_piece(v), "{name} {v:?} is not a trimmed piece of one line");
        }
    }
    if let Some(author) = &p.author {
        // The site's doubled label is stripped, however often it repeats.
        let head = author.get(..12).unwrap_or_default();
        let rest = author.get(12..).unwrap_or("x");
        assert!(
            !(head.eq_ignore_ascii_case("submitted by")
                && (rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace() || c == ':'))),
            "author {author:?} still carries the label"
        );
    }
    for (key, value) in &p.extra {
        assert!(!key.is_empty() && one_line_piece(key), "extra key {key:?}");
        assert!(one_line_piece(value), "extra value {value:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.contains(key.as_str()) && l.contains(value.as_str())),
            "extra {key:?}: {value:?} is not from one line"
        );
    }
}
