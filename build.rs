//! Compiles the API in `proto/` with protox (no system `protoc` needed) and
//! keeps the file descriptor set for gRPC server reflection.

use std::{env, path::PathBuf};

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
    let descriptors = protox::compile(protos, ["proto"])?;
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    std::fs::write(
        out_dir.join("essay_v1_descriptor.bin"),
        prost::Message::encode_to_vec(&descriptors),
    )?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}
