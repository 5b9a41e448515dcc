//! How records are counted: the chunker cuts a byte slice into spans parsed in parallel, every
//! format feeds each record through [`Counter::record`], chunk tallies merge through one
//! associative [`Tally::merge`], and the keys of valid numbers go to the key store.
//!
//! The engine knows no format, no input and no report: formats implement [`Splittable`] and
//! call the counter; the driver (`scan.rs`) owns the progress bar and the summary.

pub mod checks;
pub mod chunker;
pub mod counter;
pub mod harvest;
pub mod keys;
pub mod overlap;
pub mod role;
pub mod rows;
pub mod tally;

pub use chunker::{scan_slice, Splittable, Step};
pub use counter::{Context, Counter, Fields, Keep};
pub use harvest::Harvest;
pub use keys::KeyStore;
pub use role::{Role, RoleMap};
pub use rows::Rows;
pub use tally::{Tally, Warning};
