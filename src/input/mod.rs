//! How bytes arrive: [`source`] opens a file, stdin or zip member as a memory map or a stream
//! (decompressing and transcoding on the way), [`decode`] decodes multi-frame zstd and
//! multi-member gzip in parallel, and [`zip_ahead`] decodes later zip members while earlier
//! inputs are scanned; both run their decoding on one kind of ordered thread pool, [`jobs`].
//! [`compression`] tells the container from the magic bytes, [`blocks`] reads a stream in
//! reused blocks on its own thread, and [`text`] tells plain UTF-8 from text to transcode and
//! from binary. Nothing here knows what the bytes mean.

pub mod blocks;
pub mod compression;
pub mod decode;
pub mod digest;
pub mod jobs;
pub mod kind;
pub mod members;
pub mod pdf;
pub mod source;
pub mod text;
pub mod zip_ahead;
