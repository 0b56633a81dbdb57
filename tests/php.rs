//! A client nobody here wrote: PHP's curl extension, as a Moodle plugin would
//! call essayd over JSON/HTTP (tests/php/lms_flow.php), against the real
//! binary. Skipped with a reason when `php` is missing, except in CI, which
//! installs it (`.ci/run`: php-cli, php-curl).

mod common;

use common::*;

#[test]
fn a_php_lms_client_runs_the_whole_flow_over_http() {
    let php = std::process::Command::new("php")
        .args(["-r", "exit(function_exists('curl_init') ? 0 : 3);"])
        .status();
    match php {
        Ok(s) if s.success() => {}
        other => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install php-cli and php-curl (.ci/run does): {other:?}"
            );
            eprintln!("skipping: no php with the curl extension here ({other:?}); apt-get install php-cli php-curl");
            return;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let key = keys(dir.path(), &["create", "--tenant", "moodle-school"]);
    let server = EssaydProcess::start_with(dir.path(), &["--http-listen", "127.0.0.1:0"]);
    let base = format!("http://{}", server.wait_for_logged_addr("http_addr"));
    let seed = repo_root().join("../shared/seed/soviet-foreign-policy-1925-1945.txt");
    let out = std::process::Command::new("php")
        .arg(repo_root().join("tests/php/lms_flow.php"))
        .arg(&base)
        .arg(&key)
        .arg(&seed)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in [
        "ok create assignment",
        "ok upload the seed essay",
        "ok grade it",
        "ok read the grade",
        "ok list the assignment's essays",
        "ok poll the job to completion",
        "ok an empty essay is refused (HTTP 400, field essay.text)",
        "ok an unknown essay is 404",
    ] {
        assert!(stdout.contains(step), "missing {step:?} in:\n{stdout}");
    }
    assert!(stdout.trim_end().ends_with("done"), "{stdout}");
}
