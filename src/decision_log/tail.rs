//! Reading the last line of a log from its end, so that appending costs the same however
//! long the log has grown.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

/// How many bytes are read at a time, walking back from the end.
const CHUNK: u64 = 8 * 1024;

/// The end of a log file as an appender sees it.
#[derive(Debug, PartialEq, Eq)]
pub enum Tail {
    /// The file is empty.
    Empty,
    /// The last line, without its newline.
    Line(Vec<u8>),
    /// The file does not end with a newline: a write was cut short or the file was cut.
    Unterminated,
}

/// Reads the last line of `file`, whose length is `len`.
pub fn read_tail(mut file: &File, len: u64) -> io::Result<Tail> {
    if len == 0 {
        return Ok(Tail::Empty);
    }
    let mut last = [0u8; 1];
    file.seek(SeekFrom::Start(len - 1))?;
    file.read_exact(&mut last)?;
    if last != [b'\n'] {
        return Ok(Tail::Unterminated);
    }
    // Walk back from just before the final newline until the newline that ends the line
    // before it, or the start of the file; chunks are gathered last-first.
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut end = len - 1;
    while end > 0 {
        let start = end.saturating_sub(CHUNK);
        let mut chunk = vec![0u8; usize::try_from(end - start).unwrap_or(0)];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut chunk)?;
        if let Some(newline) = chunk.iter().rposition(|&byte| byte == b'\n') {
            chunks.push(chunk.split_off(newline + 1));
            break;
        }
        chunks.push(chunk);
        end = start;
    }
    let line = chunks.into_iter().rev().flatten().collect();
    Ok(Tail::Line(line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tail_of(contents: &[u8]) -> Tail {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(contents).unwrap();
        read_tail(&file, contents.len() as u64).unwrap()
    }

    #[test]
    fn the_last_line_is_found_from_the_end() {
        assert_eq!(tail_of(b""), Tail::Empty);
        assert_eq!(tail_of(b"one\n"), Tail::Line(b"one".to_vec()));
        assert_eq!(tail_of(b"one\ntwo\n"), Tail::Line(b"two".to_vec()));
        assert_eq!(tail_of(b"one\n\n"), Tail::Line(Vec::new()));
        assert_eq!(tail_of(b"one\ntw"), Tail::Unterminated);
    }

    #[test]
    fn lines_longer_than_a_chunk_are_read_whole() {
        let long: Vec<u8> = (0..3 * CHUNK + 17).map(|i| b'a' + (i % 26) as u8).collect();
        for before in [&b""[..], b"first\n", &[b'x'; 9000][..]] {
            let mut contents = before.to_vec();
            if !before.is_empty() && !before.ends_with(b"\n") {
                contents.push(b'\n');
            }
            contents.extend_from_slice(&long);
            contents.push(b'\n');
            assert_eq!(tail_of(&contents), Tail::Line(long.clone()));
        }
    }
}
