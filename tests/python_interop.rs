//! A client we did not write: Python grpcio, with the health and reflection
//! packages from PyPI, talks to the real essayd binary (tests/interop/).
//! The venv is made under target/ on first use from the pinned requirements.

mod common;

use std::{path::PathBuf, process::Command};

use common::*;

/// The venv's python, created (or refreshed when requirements.txt changed).
fn interop_python() -> PathBuf {
    let root = repo_root();
    let requirements = root.join("tests/interop/requirements.txt");
    let venv = root.join("target/interop-venv");
    let python = venv.join("bin/python");
    let marker = venv.join("requirements.installed");
    let wanted = std::fs::read_to_string(&requirements).expect("requirements.txt");
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(wanted.as_str()) {
        let status = Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv)
            .status()
            .expect("python3 -m venv (is Python 3 installed?)");
        assert!(status.success(), "python3 -m venv failed");
        let status = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements)
            .status()
            .expect("pip install");
        assert!(status.success(), "pip install -r tests/interop/requirements.txt failed");
        std::fs::write(&marker, wanted).expect("write marker");
    }
    python
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_grpcio_checks_health_reflection_and_a_create_get_round_trip() {
    let python = tokio::task::spawn_blocking(interop_python).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = EssaydProcess::start(dir.path());
    let addr = server.addr.to_string();
    let script = repo_root().join("tests/interop/client.py");
    let out = tokio::task::spawn_blocking(move || Command::new(python).arg(script).arg(addr).output())
        .await
        .unwrap()
        .expect("run client.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "client.py failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("health"), "{stdout}");
    assert!(stdout.trim_end().ends_with(", 0 failed"), "{stdout}");
}
