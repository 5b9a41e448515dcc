//! The generation pipeline: plan a batch, format it in parallel, write it in order.
//!
//! Three things overlap, batch by batch: rayon formats batch k (blocks of rows, one buffer
//! each, on the pool), while the calling thread writes the buffers of batch k-1 and plans batch
//! k+1 (the sequential identity pass). `rayon::in_place_scope` lets the calling thread do its
//! part without the writer having to be `Send`. Blocks are written in row order, and a row's
//! bytes depend only on the seed, its index and its identity, so the output is the same at
//! every thread count.

use std::io::Write;

use rayon::prelude::*;

use crate::generate::answer::Answer;
use crate::generate::identity::Planner;
use crate::generate::row::RowId;
use crate::generate::person::{fill, Context, Fields};
use crate::generate::config::GenerateConfig;
use crate::generate::render;
use crate::nik::RegionTable;

/// Rows planned, formatted and written together (about 25 MB of CSV).
const BATCH_ROWS: u64 = 1 << 17;
/// Rows per rayon task and output buffer.
const BLOCK_ROWS: usize = 2048;

/// Why writing stopped: the caller names the path for I/O errors.
pub(crate) enum Failure {
    Io(std::io::Error),
    Other(crate::Error),
}

pub(crate) fn write<W: Write>(cfg: &GenerateConfig, mut out: W) -> Result<Answer, Failure> {
    let table = RegionTable::embedded();
    let ctx = Context::new(table, cfg.seed, cfg.format, cfg.records);
    let mut planner = Planner::new(table, cfg);

    let mut head = Vec::new();
    render::header(cfg.format, &mut head);
    out.write_all(&head).map_err(Failure::Io)?;

    let mut planned = 0u64;
    let mut ids = Vec::new();
    plan(&mut planner, cfg.records, &mut planned, &mut ids)?;
    let mut pending: Vec<Vec<u8>> = Vec::new();
    let mut batch_start = 0u64;
    while !ids.is_empty() || !pending.is_empty() {
        let mut formatted = Vec::new();
        let mut next_ids = Vec::new();
        let (written, planned_next) = rayon::in_place_scope(|s| {
            let (ctx, ids, formatted) = (&ctx, &ids, &mut formatted);
            s.spawn(move |_| *formatted = format_batch(ctx, batch_start, ids));
            let written = pending.iter().try_for_each(|b| out.write_all(b));
            let planned_next = plan(&mut planner, cfg.records, &mut planned, &mut next_ids);
            (written, planned_next)
        });
        written.map_err(Failure::Io)?;
        planned_next?;
        batch_start += ids.len() as u64;
        pending = formatted;
        ids = next_ids;
    }

    let mut tail = Vec::new();
    render::footer(cfg.format, &mut tail);
    out.write_all(&tail).map_err(Failure::Io)?;
    out.flush().map_err(Failure::Io)?;
    Ok(planner.tally.finish(table, cfg.seed, cfg.format))
}

/// Plans the next batch (empty once all records are planned).
fn plan(planner: &mut Planner, records: u64, planned: &mut u64, ids: &mut Vec<RowId>) -> Result<(), Failure> {
    let n = BATCH_ROWS.min(records - *planned);
    planner.next_rows(n as usize, ids).map_err(Failure::Other)?;
    *planned += n;
    Ok(())
}

/// Formats rows `start..start + ids.len()`, one buffer per block, in order.
fn format_batch(ctx: &Context, start: u64, ids: &[RowId]) -> Vec<Vec<u8>> {
    ids.par_chunks(BLOCK_ROWS)
        .enumerate()
        .map_init(Fields::new, |fields, (k, block)| {
            let mut buf = Vec::with_capacity(block.len() * 256);
            for (i, id) in block.iter().enumerate() {
                let row = start + (k * BLOCK_ROWS + i) as u64;
                fill(ctx, row, id, fields);
                render::record(ctx.format, row, ctx.records, fields, &mut buf);
            }
            buf
        })
        .collect()
}
