//! The line printer under the formatter: indentation, blank lines kept from the source,
//! and comments put back where they were.
//!
//! Comments are placed by source position. Before a line that begins a unit (an item, a
//! statement, an entry of a broken collection), every comment that came before the unit
//! is printed on its own line. When a line ends, a comment that followed the last thing
//! printed on the same source line trails it; a comment from inside what was joined onto
//! one line moves above that line.

use crate::dsl::ast::Comment;

/// Two spaces a level.
const INDENT: &str = "  ";

/// A finished line: its text, indented, and the comment trailing it.
struct Line {
    indent: usize,
    text: String,
    trailing: Option<String>,
}

pub(super) struct Printer<'a> {
    /// The formatted file's text, to see where the author broke lines; empty when
    /// printing a tree without a source.
    pub(super) source: &'a str,
    comments: &'a [Comment],
    next_comment: usize,
    lines: Vec<Line>,
    /// The line being written and its indentation level.
    line: Option<(usize, String)>,
    /// The furthest source offset printed so far.
    high_water: usize,
    /// Right after an opening brace or bracket: no blank line before the first unit.
    at_block_start: bool,
    /// A blank line is due before the next unit whatever the source had (between items).
    blank_due: bool,
    /// Inside an interpolation or a measurement: everything on one line.
    pub(super) flat: bool,
}

impl<'a> Printer<'a> {
    pub(super) fn new(source: &'a str, comments: &'a [Comment]) -> Printer<'a> {
        Printer {
            source,
            comments,
            next_comment: 0,
            lines: Vec::new(),
            line: None,
            high_water: 0,
            at_block_start: true,
            blank_due: false,
            flat: false,
        }
    }

    /// A printer that writes one flat line without comments, for measuring widths.
    pub(super) fn flat() -> Printer<'static> {
        Printer {
            flat: true,
            ..Printer::new("", &[])
        }
    }

    /// Everything printed, one line each, ending with a line break unless empty. The
    /// comments trailing consecutive lines of one indentation start in one column.
    pub(super) fn finish(mut self) -> String {
        self.flush_comments(usize::MAX, 0);
        self.end_line();
        let mut out = String::new();
        let mut lines = self.lines.iter().peekable();
        while lines.peek().is_some() {
            let mut group = Vec::new();
            while let Some(line) = lines.next_if(|line| {
                line.trailing.is_some()
                    && group
                        .first()
                        .is_none_or(|first: &&Line| first.indent == line.indent)
            }) {
                group.push(line);
            }
            if group.is_empty() {
                group.extend(lines.next());
            }
            let column = group
                .iter()
                .map(|line| line.text.chars().count())
                .max()
                .unwrap_or(0);
            for line in group {
                out.push_str(&line.text);
                if let Some(comment) = &line.trailing {
                    let padding = column.saturating_sub(line.text.chars().count()) + 2;
                    out.push_str(&" ".repeat(padding));
                    out.push('#');
                    out.push_str(comment);
                }
                out.push('\n');
            }
        }
        out
    }

    /// Whether everything printed so far is on the current line.
    pub(super) fn on_one_line(&self) -> bool {
        self.lines.is_empty()
    }

    /// The text of the current line without its indentation.
    pub(super) fn line_text(&self) -> &str {
        self.line.as_ref().map_or("", |(_, text)| text.as_str())
    }

    /// The indentation level of the current line (of the last one, between lines).
    pub(super) fn indent(&self) -> usize {
        self.line.as_ref().map_or(0, |(indent, _)| *indent)
    }

    pub(super) fn write(&mut self, text: &str) {
        match &mut self.line {
            Some((_, line)) => line.push_str(text),
            None => self.line = Some((0, text.to_string())),
        }
    }

    /// Notes that the source up to `offset` has been printed.
    pub(super) fn mark(&mut self, offset: usize) {
        self.high_water = self.high_water.max(offset);
    }

    /// Whether the author broke the source between two offsets onto several lines.
    pub(super) fn broken(&self, from: usize, to: usize) -> bool {
        !self.flat
            && self
                .source
                .get(from..to)
                .is_some_and(|text| text.contains('\n'))
    }

    /// Whether a comment stands between two offsets.
    pub(super) fn comment_between(&self, from: usize, to: usize) -> bool {
        self.comments
            .iter()
            .any(|comment| from <= comment.span.start && comment.span.start < to)
    }

    /// Whether an own-line comment stands between two offsets.
    pub(super) fn comment_line_between(&self, from: usize, to: usize) -> bool {
        self.comments.iter().any(|comment| {
            from <= comment.span.start
                && comment.span.start < to
                && self.broken(from, comment.span.start)
        })
    }

    /// Notes that a block or collection has just been opened.
    pub(super) fn opened(&mut self) {
        self.at_block_start = true;
    }

    /// Asks for a blank line before the next unit.
    pub(super) fn blank_line_due(&mut self) {
        self.blank_due = true;
    }

    /// Starts a line for a unit that begins at `at` in the source: first the comments
    /// before it, then a blank line if the source had one.
    pub(super) fn unit(&mut self, indent: usize, at: usize) {
        self.end_line();
        self.flush_comments(at, indent);
        self.separate(at);
        self.line = Some((indent, String::new()));
    }

    /// Starts a continuation line (a rule's `for` or `if`): comments before it stay above
    /// it, and no blank line is kept.
    pub(super) fn continuation(&mut self, indent: usize, at: usize) {
        self.end_line();
        self.flush_comments(at, indent);
        self.line = Some((indent, String::new()));
    }

    /// Starts the line of a closing `}` or `]` at `at`; comments before it stay inside,
    /// one level deeper.
    pub(super) fn closing(&mut self, indent: usize, at: usize) {
        self.end_line();
        self.flush_comments(at, indent + 1);
        self.at_block_start = false;
        self.line = Some((indent, String::new()));
    }

    /// Ends the current line: comments from inside it move above it, and a comment that
    /// followed it on its source line trails it.
    pub(super) fn end_line(&mut self) {
        let Some((indent, text)) = self.line.take() else {
            return;
        };
        while let Some(comment) = self
            .pending_comment()
            .filter(|c| c.span.start < self.high_water)
        {
            self.push_line(indent, format!("#{}", comment.text), None);
            self.next_comment += 1;
        }
        let trailing = self
            .pending_comment()
            .filter(|comment| !self.broken(self.high_water, comment.span.start));
        if let Some(comment) = trailing {
            self.high_water = self.high_water.max(comment.span.end);
            self.next_comment += 1;
        }
        let text = text.trim_end().to_string();
        self.push_line(indent, text, trailing.map(|comment| comment.text.clone()));
    }

    fn pending_comment(&self) -> Option<&'a Comment> {
        self.comments.get(self.next_comment)
    }

    /// Prints every comment before `at` on its own line.
    fn flush_comments(&mut self, at: usize, indent: usize) {
        self.end_line();
        while let Some(comment) = self.pending_comment().filter(|c| c.span.start < at) {
            self.separate(comment.span.start);
            self.push_line(indent, format!("#{}", comment.text), None);
            self.high_water = self.high_water.max(comment.span.end);
            self.next_comment += 1;
        }
    }

    /// Writes a blank line before a unit at `at` when one is due or the source had one,
    /// but never first in a block.
    fn separate(&mut self, at: usize) {
        let wanted = self.blank_due || self.blank_line_in_source(self.high_water, at);
        if wanted && !self.at_block_start && !self.lines.is_empty() {
            self.push_line(0, String::new(), None);
        }
        self.blank_due = false;
        self.at_block_start = false;
    }

    fn blank_line_in_source(&self, from: usize, to: usize) -> bool {
        let Some(text) = self.source.get(from..to) else {
            return false;
        };
        // Lines wholly inside the range: all but the first and the last piece.
        let inner: Vec<&str> = text.split('\n').skip(1).collect();
        inner
            .iter()
            .rev()
            .skip(1)
            .any(|line| line.trim().is_empty())
    }

    fn push_line(&mut self, indent: usize, text: String, trailing: Option<String>) {
        let text = if text.is_empty() {
            text
        } else {
            INDENT.repeat(indent) + &text
        };
        self.lines.push(Line {
            indent,
            text,
            trailing,
        });
    }
}
