//! Source files, byte spans in them, and the `file:line:col` locations reported to users.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize, Serializer};

/// The text of one policy or input file, kept for diagnostics and line lookups.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or as found under a directory they gave).
    pub name: Arc<str>,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Arc<SourceFile> {
        let text: Arc<str> = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Arc::new(SourceFile {
            name: name.into(),
            text,
            line_starts,
        })
    }

    /// The 0-based index of the line holding a byte offset (clamped to the end).
    fn line_index(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        self.line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// The length in bytes of the line holding a byte offset, its newline left out.
    pub fn line_length(&self, offset: usize) -> usize {
        let index = self.line_index(offset);
        let start = self.line_starts.get(index).copied().unwrap_or(0);
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        end.saturating_sub(start)
    }

    /// The 1-based line and column (in characters) of a byte offset; offsets past the end
    /// are clamped to the end.
    pub fn line_column(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line_index = self.line_index(offset);
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let column = self
            .text
            .get(line_start..offset)
            .map_or(0, |prefix| prefix.chars().count());
        (to_u32(line_index + 1), to_u32(column + 1))
    }

    /// The byte offset of a 1-based line and column (in characters), if it lies in the file.
    pub fn offset_of(&self, line: u32, column: u32) -> Option<usize> {
        let line_start = *self.line_starts.get((line as usize).checked_sub(1)?)?;
        let rest = self.text.get(line_start..)?;
        let line_text = rest.split('\n').next().unwrap_or("");
        let skip = (column as usize).saturating_sub(1);
        let within = line_text
            .char_indices()
            .nth(skip)
            .map_or(line_text.len(), |(at, _)| at);
        Some(line_start + within)
    }

    /// The location of a byte offset.
    pub fn location(&self, offset: usize) -> Location {
        let (line, column) = self.line_column(offset);
        Location {
            file: self.name.clone(),
            line,
            column,
        }
    }
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// A byte range in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

impl From<pest::Span<'_>> for Span {
    fn from(span: pest::Span<'_>) -> Span {
        Span::new(span.start(), span.end())
    }
}

/// A place in a file, shown as `file:line:col`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn new(file: impl Into<Arc<str>>, line: u32, column: u32) -> Location {
        Location {
            file: file.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl Serialize for Location {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_s_length_leaves_out_its_newline() {
        let file = SourceFile::new("p.policy", "ab\nçd\n\nx");
        let lengths: Vec<usize> = (0..=file.text.len() + 1)
            .map(|offset| file.line_length(offset))
            .collect();
        assert_eq!(lengths, [2, 2, 2, 3, 3, 3, 3, 0, 1, 1, 1]);
    }

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let file = SourceFile::new("p.policy", "ab\nçd\n\nx");
        assert_eq!(file.line_column(0), (1, 1));
        assert_eq!(file.line_column(3), (2, 1));
        assert_eq!(file.line_column(6), (2, 3));
        assert_eq!(file.line_column(7), (3, 1));
        assert_eq!(file.line_column(8), (4, 1));
        assert_eq!(file.line_column(999), (4, 2));
    }

    #[test]
    fn offsets_invert_line_and_column() {
        let file = SourceFile::new("p.policy", "ab\nçd\n\nx");
        assert_eq!(file.offset_of(2, 3), Some(6));
        assert_eq!(file.offset_of(4, 1), Some(8));
        assert_eq!(file.offset_of(9, 1), None);
        assert_eq!(file.location(6).to_string(), "p.policy:2:3");
    }
}
