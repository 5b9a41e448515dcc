//! The block reader of streams (`input::blocks`): records carried across blocks arrive whole
//! and in order, whatever the block and headroom sizes; the plain-`Read` view yields the
//! stream unchanged; errors and panics of the reading thread reach the consumer; and a consumer
//! that stops early does not wait for the rest of the stream.

use std::io::{self, Cursor, Read};

use proptest::prelude::*;
use takar::input::blocks::{self, BlockReader, Carried, Plan};

/// Lines of the given lengths, each ended by `\n`, of a letter that tells them apart.
fn lines(lengths: &[usize]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, &n) in lengths.iter().enumerate() {
        out.extend(std::iter::repeat_n(b'a' + (i % 26) as u8, n));
        out.push(b'\n');
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// A consumer that takes whole lines only sees every line whole, the carry either fitting
    /// the headroom or joined the plain way.
    #[test]
    fn carried_lines_arrive_whole(
        lengths in prop::collection::vec(0usize..40, 0..60),
        first in 0usize..50,
        block in 1usize..20,
        headroom in 0usize..12,
    ) {
        let all = lines(&lengths);
        let first = first.min(all.len());
        let (head, tail) = all.split_at(first);
        let tail = tail.to_vec();
        let plan = Plan { block, headroom, ahead: 2 };
        let mut carried = Carried::new(blocks::spawn(plan, move |sink| sink.pump(&mut Cursor::new(tail))), head.to_vec());
        let mut seen = Vec::new();
        while let Some(data) = carried.next_block() {
            let data = data.unwrap();
            let used = data.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            seen.extend_from_slice(&data[..used]);
            carried.consume(used);
        }
        seen.extend_from_slice(carried.rest());
        prop_assert_eq!(seen, all);
    }

    #[test]
    fn block_reader_yields_the_stream(bytes in prop::collection::vec(any::<u8>(), 0..500), block in 1usize..64) {
        let copy = bytes.clone();
        let plan = Plan { block, headroom: 3, ahead: 1 };
        let mut got = Vec::new();
        BlockReader::new(blocks::spawn(plan, move |sink| sink.pump(&mut Cursor::new(copy)))).read_to_end(&mut got).unwrap();
        prop_assert_eq!(got, bytes);
    }
}

#[test]
fn an_error_of_the_stream_reaches_the_consumer() {
    let plan = Plan { block: 4, headroom: 0, ahead: 1 };
    let failing = Cursor::new(b"abcdefgh".to_vec()).chain(FailingRead);
    let mut reader = BlockReader::new(blocks::spawn(plan, move |sink| sink.pump(&mut { failing })));
    let mut got = Vec::new();
    let err = reader.read_to_end(&mut got).unwrap_err();
    assert_eq!(err.to_string(), "bad block");
    assert_eq!(got, b"abcdefgh");

    let opening = BlockReader::new(blocks::spawn(plan, |_| Err(io::Error::other("cannot open"))));
    assert_eq!(io::read_to_string(opening).unwrap_err().to_string(), "cannot open");
}

struct FailingRead;
impl Read for FailingRead {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::other("bad block"))
    }
}

#[test]
fn a_panic_of_the_thread_is_not_the_end_of_the_stream() {
    let plan = Plan { block: 4, headroom: 0, ahead: 1 };
    let caught = std::panic::catch_unwind(|| {
        let mut reader = BlockReader::new(blocks::spawn(plan, |_| panic!("decoder bug")));
        let _ = reader.read_to_end(&mut Vec::new());
    });
    assert!(caught.is_err());
}

/// An endless stream: the consumer takes two blocks and stops; dropping it ends the thread.
#[test]
fn a_consumer_that_stops_early_does_not_wait_for_the_stream() {
    let plan = Plan { block: 1 << 10, headroom: 16, ahead: 1 };
    let mut carried = Carried::new(blocks::spawn(plan, |sink| sink.pump(&mut io::repeat(b'x'))), Vec::new());
    for _ in 0..2 {
        assert!(carried.next_block().unwrap().unwrap().iter().all(|&b| b == b'x'));
        carried.consume(0);
    }
    drop(carried);
}
