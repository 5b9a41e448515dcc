//! How bytes arrive: [`source`] opens a file, stdin or zip member as a memory map or a stream
//! (decompressing and transcoding on the way), [`decode`] decodes multi-frame zstd and
//! multi-member gzip in parallel, and [`zip_ahead`] decodes later zip members while earlier
//! inputs are scanned; both run their decoding on one kind of ordered thread pool, [`jobs`].
//! Nothing here knows what the bytes mean.

pub mod decode;
pub mod jobs;
pub mod source;
pub mod zip_ahead;
