//! A stream read in reused blocks by its own thread, so reading (and decompressing) overlaps
//! whatever the consumer does with the block before.
//!
//! The thread reads `block` bytes at a time into buffers that start with `headroom` spare
//! bytes and sends them over a bounded channel (`ahead` blocks), so memory stays bounded when
//! the consumer is slower. Emptied buffers go back to the thread, so a stream reuses a few
//! buffers instead of faulting in fresh pages for every block. Two consumers:
//! - [`Carried`]: each block with the unfinished record of the block before copied into its
//!   headroom, in front of the new bytes, so a block is never copied as a whole (the scan of a
//!   stream);
//! - [`BlockReader`]: the blocks as a plain [`Read`] (a zip member decoded on its own thread).
//!
//! Dropping the consumer drops the channel first, so a thread blocked on sending gives up,
//! and then joins the thread: nothing it holds (a decoder over a memory map) outlives the
//! consumer. A panic on the thread reaches the consumer when the blocks end, rather than
//! passing for the end of the stream.

use std::io::{self, Read};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

/// The shape of the blocks of one stream.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Bytes read per block.
    pub block: usize,
    /// Spare bytes in front of each block, for the carried record.
    pub headroom: usize,
    /// Blocks the thread may read ahead of the consumer.
    pub ahead: usize,
}

impl Plan {
    fn capacity(&self) -> usize {
        self.headroom + self.block
    }
}

/// The thread's end: where [`Sink::pump`] sends blocks.
pub struct Sink {
    tx: SyncSender<io::Result<Vec<u8>>>,
    recycled: Receiver<Vec<u8>>,
    plan: Plan,
}

impl Sink {
    /// Reads `reader` to its end in blocks and sends them; stops early, without an error, when
    /// the consumer is gone.
    pub fn pump(&self, reader: &mut dyn Read) -> io::Result<()> {
        loop {
            let mut b = self.recycled.try_recv().unwrap_or_else(|_| Vec::with_capacity(self.plan.capacity()));
            b.clear();
            b.resize(self.plan.headroom, 0);
            if (&mut *reader).take(self.plan.block as u64).read_to_end(&mut b)? == 0 || self.tx.send(Ok(b)).is_err() {
                return Ok(());
            }
        }
    }
}

/// Starts the thread: `produce` opens what it reads (on the thread, so it may borrow from
/// something the thread owns, like a zip archive) and [`Sink::pump`]s it; an error it returns
/// is the consumer's next block.
pub fn spawn(plan: Plan, produce: impl FnOnce(&Sink) -> io::Result<()> + Send + 'static) -> Blocks {
    let (tx, rx) = sync_channel(plan.ahead);
    let (recycle, recycled) = channel();
    let thread = std::thread::spawn(move || {
        let sink = Sink { tx, recycled, plan };
        if let Err(e) = produce(&sink) {
            let _ = sink.tx.send(Err(e));
        }
    });
    Blocks { rx: Some(rx), recycle, thread: Some(thread), plan }
}

/// The consumer's end: blocks as the thread sent them, `headroom` spare bytes first.
pub struct Blocks {
    rx: Option<Receiver<io::Result<Vec<u8>>>>,
    recycle: Sender<Vec<u8>>,
    thread: Option<JoinHandle<()>>,
    plan: Plan,
}

impl Blocks {
    /// The next block, an error of the stream, or `None` at its end.
    pub fn recv(&mut self) -> Option<io::Result<Vec<u8>>> {
        match self.rx.as_ref()?.recv() {
            Ok(block) => Some(block),
            Err(_) => {
                self.rx = None;
                if let Some(Err(panic)) = self.thread.take().map(JoinHandle::join) {
                    std::panic::resume_unwind(panic);
                }
                None
            }
        }
    }

    /// Hands an emptied buffer back to the thread. Only buffers of about the block's size are
    /// kept: one that grew to hold a long record would pin its memory for the whole stream.
    pub fn recycle(&self, buf: Vec<u8>) {
        if (self.plan.capacity()..=2 * self.plan.capacity()).contains(&buf.capacity()) {
            let _ = self.recycle.send(buf);
        }
    }
}

impl Drop for Blocks {
    fn drop(&mut self) {
        self.rx = None;
        if let Some(thread) = self.thread.take() {
            // The consumer stopped first (an error of its own): the thread's fate is moot.
            let _ = thread.join();
        }
    }
}

/// Blocks with the unfinished record carried forward: [`next_block`](Carried::next_block)
/// gives the carried bytes followed by the new block, [`consume`](Carried::consume) says how
/// much of it was used, and the rest is carried into the next one.
pub struct Carried {
    blocks: Blocks,
    carry: Vec<u8>,
    buf: Vec<u8>,
    start: usize,
}

impl Carried {
    /// `carry`: the bytes that come before the first block (the sniffed sample, unparsed).
    pub fn new(blocks: Blocks, carry: Vec<u8>) -> Carried {
        Carried { blocks, carry, buf: Vec::new(), start: 0 }
    }

    /// The carried bytes and the next block, joined; `None` at the end of the stream.
    pub fn next_block(&mut self) -> Option<io::Result<&[u8]>> {
        let mut b = match self.blocks.recv()? {
            Ok(b) => b,
            Err(e) => return Some(Err(e)),
        };
        let headroom = self.blocks.plan.headroom;
        self.start = if self.carry.len() <= headroom {
            b[headroom - self.carry.len()..headroom].copy_from_slice(&self.carry);
            headroom - self.carry.len()
        } else {
            // A record longer than the headroom (rare): join the two the plain way.
            self.carry.extend_from_slice(&b[headroom..]);
            std::mem::swap(&mut self.carry, &mut b);
            self.carry.clear();
            0
        };
        self.buf = b;
        Some(Ok(&self.buf[self.start..]))
    }

    /// The first `used` bytes of the last [`next_block`](Carried::next_block) are done with;
    /// the rest is carried into the next block.
    pub fn consume(&mut self, used: usize) {
        self.carry.clear();
        self.carry.extend_from_slice(&self.buf[self.start + used..]);
        self.blocks.recycle(std::mem::take(&mut self.buf));
    }

    /// What is left after the end of the stream: the last record(s), unfinished or not.
    pub fn rest(&self) -> &[u8] {
        &self.carry
    }
}

/// The blocks as one [`Read`]: the bytes after each block's headroom, in order.
pub struct BlockReader {
    blocks: Blocks,
    buf: Vec<u8>,
    at: usize,
}

impl BlockReader {
    pub fn new(blocks: Blocks) -> BlockReader {
        BlockReader { blocks, buf: Vec::new(), at: 0 }
    }
}

impl Read for BlockReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at == self.buf.len() {
            match self.blocks.recv() {
                Some(block) => {
                    self.blocks.recycle(std::mem::replace(&mut self.buf, block?));
                    self.at = self.blocks.plan.headroom;
                }
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len() - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
