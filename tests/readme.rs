//! The README's session, run as a test against the built binaries, so the two
//! cannot drift: each `$ essayctl …` line runs in `sh` (in a temp dir holding
//! `seed.txt`) against a real essayd, and what it prints must be what the
//! README shows after the README's ids are matched to this run's.
//!
//! What differs on every run is redacted on both sides: ids (UUIDs, mapped
//! consistently: the README's first essay id must stay this run's first essay
//! id), RFC 3339 times, 12-hex key ids, and `[..]` in the README, which
//! matches anything on its line (the API key's secret).
//!
//! `ESSAYD_README_BLESS=1 cargo test --test readme` rewrites the session's
//! outputs (and the ids in its commands) from this run instead of comparing.

mod common;

use std::{collections::HashMap, path::Path, process::Command};

use common::*;

const START: &str = "## A session";

/// One `$ command` of the session and the lines the README shows after it.
struct Step {
    command: String,
    expected: Vec<String>,
}

/// The session block: the lines before it, its steps, the lines after it.
fn parse(readme: &str) -> (String, Vec<Step>, String) {
    let at = readme.find(START).expect("README has a session");
    let open = at + readme[at..].find("```text\n").expect("session block") + "```text\n".len();
    let close = open + readme[open..].find("\n```\n").expect("end of session block") + 1;
    let mut steps: Vec<Step> = Vec::new();
    for line in readme[open..close].lines() {
        match line.strip_prefix("$ ") {
            Some(command) => steps.push(Step {
                command: command.to_owned(),
                expected: Vec::new(),
            }),
            None => steps
                .last_mut()
                .expect("a command first")
                .expected
                .push(line.to_owned()),
        }
    }
    (readme[..open].to_owned(), steps, readme[close..].to_owned())
}

fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_time(b: &[u8]) -> bool {
    // 2026-12-06T06:10:00Z
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

fn word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// The text with every UUID, time and 12-hex key id replaced by a marker;
/// the UUIDs in order of appearance.
fn redact(text: &str) -> (String, Vec<String>) {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut ids = Vec::new();
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        let boundary_before = i == 0 || !word_byte(b[i - 1]);
        let boundary_after = |end: usize| end >= b.len() || !word_byte(b[end]);
        let found = if !boundary_before {
            None
        } else if i + 36 <= b.len() && is_uuid(&b[i..i + 36]) && boundary_after(i + 36) {
            ids.push(text[i..i + 36].to_owned());
            Some((36, "[id]"))
        } else if i + 20 <= b.len() && is_time(&b[i..i + 20]) && boundary_after(i + 20) {
            Some((20, "[time]"))
        } else if i + 12 <= b.len()
            && b[i..i + 12]
                .iter()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            && boundary_after(i + 12)
            && b[i..i + 12].iter().any(u8::is_ascii_alphabetic)
        {
            Some((12, "[key]"))
        } else {
            None
        };
        match found {
            Some((len, marker)) => {
                out.push_str(&text[copied..i]);
                out.push_str(marker);
                i += len;
                copied = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    (out, ids)
}

/// Whether `actual` matches `expected`, where `[..]` in expected matches any text.
fn line_matches(expected: &str, actual: &str) -> bool {
    let mut parts = expected.split("[..]");
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (k, part) in parts.iter().enumerate() {
        if k + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

fn run_shell(line: &str, dir: &Path, env: &HashMap<&str, String>) -> String {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_essayctl")).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("{{ {line}\n}} 2>&1"))
        .current_dir(dir)
        .env("PATH", path)
        .env("COLUMNS", "100")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("sh");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_readme_session_prints_what_the_readme_shows() {
    let readme_path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let (head, steps, tail) = parse(&readme);
    let bless = std::env::var_os("ESSAYD_README_BLESS").is_some();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo_root().join("../shared/seed/soviet-foreign-policy-1925-1945.txt"),
        dir.path().join("seed.txt"),
    )
    .unwrap();
    let mut env: HashMap<&str, String> = HashMap::new();
    let mut token = String::new();
    let mut server: Option<EssaydProcess> = None;
    // The README's ids → this run's.
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut blessed = Vec::new();
    let mut failures = Vec::new();

    for step in &steps {
        let mut command = step.command.clone();
        for (readme_id, run_id) in &ids {
            command = command.replace(readme_id.as_str(), run_id);
        }
        let actual = if command.starts_with("essayd &") {
            let data_dir = dir.path().join("essayd-data");
            let process = EssaydProcess::start_with(&data_dir, &[]);
            env.insert("ESSAYD_ENDPOINT", process.endpoint());
            server = Some(process);
            String::new()
        } else if command.starts_with("export ESSAYD_API_KEY=") {
            env.insert("ESSAYD_API_KEY", token.clone());
            String::new()
        } else {
            run_shell(&command, dir.path(), &env)
        };
        if command.starts_with("essayd keys create") {
            token = actual
                .lines()
                .find(|l| l.starts_with("essayd_"))
                .expect("a token")
                .to_owned();
        }
        let expected = step.expected.join("\n");
        let (expected_redacted, expected_ids) = redact(&expected);
        let (actual_redacted, actual_ids) = redact(actual.trim_end_matches('\n'));
        for (e, a) in expected_ids.iter().zip(&actual_ids) {
            let known = ids.entry(e.clone()).or_insert_with(|| a.clone());
            if known != a && !bless {
                failures.push(format!(
                    "$ {}\n  the README's id {e} is {known} in this run, here {a}",
                    step.command
                ));
            }
        }
        let matches = expected_ids.len() == actual_ids.len()
            && expected_redacted.lines().count() == actual_redacted.lines().count()
            && expected_redacted
                .lines()
                .zip(actual_redacted.lines())
                .all(|(e, a)| line_matches(e, a));
        if !matches && !bless {
            failures.push(format!(
                "$ {}\n--- README shows\n{expected}\n--- this run printed\n{actual}",
                step.command
            ));
        }
        // What the README shows instead, from this run: the secret stays hidden.
        let shown: Vec<String> = actual
            .trim_end_matches('\n')
            .lines()
            .map(|l| match l.strip_prefix("essayd_") {
                Some(rest) => format!("essayd_{}_[..]", rest.split('_').next().unwrap_or_default()),
                None => l.to_owned(),
            })
            .collect();
        blessed.push((command, if actual.is_empty() { Vec::new() } else { shown }));
    }
    if let Some(server) = server {
        server.terminate();
    }
    if bless {
        let mut block = String::new();
        for (command, lines) in blessed {
            block.push_str(&format!("$ {command}\n"));
            for l in lines {
                block.push_str(&format!("{l}\n"));
            }
        }
        std::fs::write(&readme_path, format!("{head}{block}{tail}")).unwrap();
        return;
    }
    assert!(
        failures.is_empty(),
        "the README's session no longer matches (ESSAYD_README_BLESS=1 regenerates it):\n\n{}",
        failures.join("\n\n")
    );
}

#[test]
fn redaction_keeps_what_a_reader_checks() {
    let (text, ids) =
        redact("grade 01a21bb7-705e-759b-8096-7da5b59102e2 at 2026-11-27T06:35:36Z, key 1586f72f22cf, 328 words");
    assert_eq!(text, "grade [id] at [time], key [key], 328 words");
    assert_eq!(ids, ["01a21bb7-705e-759b-8096-7da5b59102e2"]);
    assert!(line_matches("essayd_[key]_[..]", "essayd_[key]_secret"));
    assert!(!line_matches("SERVING", "NOT_SERVING"));
    assert!(!line_matches("a[..]c", "abd"));
}
