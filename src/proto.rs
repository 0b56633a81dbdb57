//! The generated gRPC API (`proto/essay/v1/`), and its file descriptor set
//! for server reflection.

#[allow(clippy::all, clippy::pedantic)]
pub mod essay {
    pub mod v1 {
        tonic::include_proto!("essay.v1");
    }
}

pub use essay::v1;

/// The encoded `FileDescriptorSet` of `essay.v1`.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/essay_v1_descriptor.bin"));
