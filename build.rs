//! Compiles the API in `proto/` with protox (no system `protoc` needed),
//! keeps its file descriptor set (for server reflection and the HTTP/JSON
//! gateway, with the `google.api.http` options kept), and writes the OpenAPI
//! document of its HTTP bindings.

use std::{env, path::PathBuf};

#[allow(dead_code)]
#[path = "src/rest/http_rule.rs"]
mod http_rule;
#[path = "src/rest/openapi.rs"]
mod openapi;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = [
        "proto/essay/v1/essay.proto",
        "proto/essay/v1/item_error.proto",
        "proto/essay/v1/essay_service.proto",
        "proto/essay/v1/assignment.proto",
        "proto/essay/v1/assignment_service.proto",
        "proto/essay/v1/grade.proto",
        "proto/essay/v1/rubric.proto",
        "proto/essay/v1/grading_service.proto",
        "proto/essay/v1/grading_job.proto",
        "proto/essay/v1/grading_job_service.proto",
        "proto/essay/v1/calibration.proto",
        "proto/essay/v1/calibration_service.proto",
        "proto/essay/v1/similarity_service.proto",
        "proto/essay/v1/report_service.proto",
    ];
    println!("cargo:rerun-if-changed=proto");
    println!("cargo:rerun-if-changed=src/rest/http_rule.rs");
    println!("cargo:rerun-if-changed=src/rest/openapi.rs");
    let mut compiler = protox::Compiler::new(["proto"])?;
    compiler
        .include_source_info(true)
        .include_imports(true)
        .open_files(protos)?;
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    // Encoded by protox itself: a prost_types round trip would drop the
    // `google.api.http` extension from the method options.
    std::fs::write(
        out_dir.join("essay_v1_descriptor.bin"),
        compiler.encode_file_descriptor_set(),
    )?;
    let bindings = http_rule::bindings(&compiler.descriptor_pool())?;
    let document = openapi::document(&bindings, &env::var("CARGO_PKG_VERSION")?);
    std::fs::write(out_dir.join("openapi.json"), serde_json::to_string_pretty(&document)?)?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(compiler.file_descriptor_set())?;
    Ok(())
}
