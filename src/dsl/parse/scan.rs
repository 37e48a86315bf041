//! A pass over the raw text before the grammar runs. It collects the comments, and reports
//! unterminated strings, unbalanced brackets and nesting too deep to parse safely, with
//! messages that name the opening bracket or block a grammar failure could not point at.

use std::sync::Arc;

use super::MAX_NESTING;
use crate::diagnostic::Diagnostic;
use crate::dsl::ast::Comment;
use crate::source::{SourceFile, Span};

/// A structural problem; boxed, as it is rare and a diagnostic is large.
type Problem = Box<Diagnostic>;

/// What the scan learns of a file that is well formed as far as it can tell.
pub(super) struct Scanned {
    pub comments: Vec<Comment>,
    /// Each `test` block, from its keyword to its closing brace.
    pub test_blocks: Vec<Span>,
}

/// Reads the comments and test blocks of a file, or the first structural problem in it.
pub(super) fn scan(source: &Arc<SourceFile>) -> Result<Scanned, Problem> {
    let mut scanner = Scanner {
        source,
        text: &source.text,
        at: 0,
        openers: Vec::new(),
        string_start: None,
        recent: [Token::Other, Token::Other],
        comments: Vec::new(),
        test_start: None,
        test_blocks: Vec::new(),
    };
    scanner.run()?;
    Ok(Scanned {
        comments: scanner.comments,
        test_blocks: scanner.test_blocks,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpenerKind {
    Paren,
    Bracket,
    Brace,
    /// The brace of a `policy`, `ruleset` or `test` block.
    Block(&'static str),
    /// `${` inside a string; remembers where that string started.
    Interpolation {
        string_start: usize,
    },
}

impl OpenerKind {
    fn open_text(self) -> &'static str {
        match self {
            OpenerKind::Paren => "(",
            OpenerKind::Bracket => "[",
            OpenerKind::Brace | OpenerKind::Block(_) => "{",
            OpenerKind::Interpolation { .. } => "${",
        }
    }

    fn close_char(self) -> char {
        match self {
            OpenerKind::Paren => ')',
            OpenerKind::Bracket => ']',
            OpenerKind::Brace | OpenerKind::Block(_) | OpenerKind::Interpolation { .. } => '}',
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Opener {
    kind: OpenerKind,
    at: usize,
}

/// The last two tokens seen in code, enough to tell a block's brace from an object's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Word(usize, usize),
    String,
    Other,
}

struct Scanner<'s> {
    source: &'s Arc<SourceFile>,
    text: &'s str,
    at: usize,
    openers: Vec<Opener>,
    /// Where the string being read started, when inside one (and not in its `${...}`).
    string_start: Option<usize>,
    recent: [Token; 2],
    comments: Vec<Comment>,
    /// Where the keyword of the open `test` block starts.
    test_start: Option<usize>,
    test_blocks: Vec<Span>,
}

impl Scanner<'_> {
    fn run(&mut self) -> Result<(), Problem> {
        while let Some(c) = self.peek() {
            match self.string_start {
                Some(start) => self.string_char(c, start)?,
                None => self.code_char(c)?,
            }
        }
        if let Some(start) = self.string_start {
            return Err(Box::new(self.unterminated_string(start)));
        }
        match self.openers.last() {
            Some(opener) => Err(Box::new(self.unclosed_at_end(*opener))),
            None => Ok(()),
        }
    }

    fn peek(&self) -> Option<char> {
        self.text
            .get(self.at..)
            .and_then(|rest| rest.chars().next())
    }

    fn peek_after(&self, c: char) -> Option<char> {
        self.text
            .get(self.at + c.len_utf8()..)
            .and_then(|rest| rest.chars().next())
    }

    fn advance(&mut self, c: char) {
        self.at += c.len_utf8();
    }

    fn code_char(&mut self, c: char) -> Result<(), Problem> {
        match c {
            '#' => self.comment(),
            '"' => {
                self.string_start = Some(self.at);
                self.advance(c);
            }
            '(' => self.open(OpenerKind::Paren, c)?,
            '[' => self.open(OpenerKind::Bracket, c)?,
            '{' => {
                let block = match self.recent {
                    [Token::Word(start, end), Token::String] => self
                        .text
                        .get(start..end)
                        .and_then(block_keyword)
                        .map(|keyword| (keyword, start)),
                    _ => None,
                };
                match block {
                    Some((keyword, start)) => {
                        self.check_not_nested(keyword, start)?;
                        if keyword == "test" && self.openers.is_empty() {
                            self.test_start = Some(start);
                        }
                        self.open(OpenerKind::Block(keyword), c)?;
                    }
                    None => self.open(OpenerKind::Brace, c)?,
                }
            }
            ')' | ']' | '}' => self.close(c)?,
            c if c.is_ascii_alphanumeric() || c == '_' => self.word(),
            c if c.is_whitespace() => self.advance(c),
            c => {
                self.remember(Token::Other);
                self.advance(c);
            }
        }
        Ok(())
    }

    fn string_char(&mut self, c: char, start: usize) -> Result<(), Problem> {
        match c {
            '"' => {
                self.string_start = None;
                self.remember(Token::String);
                self.advance(c);
            }
            '\\' => {
                self.advance(c);
                match self.peek() {
                    None | Some('\n') => return Err(Box::new(self.unterminated_string(start))),
                    Some(escaped) => self.advance(escaped),
                }
            }
            '$' if self.peek_after(c) == Some('{') => {
                self.string_start = None;
                self.open(
                    OpenerKind::Interpolation {
                        string_start: start,
                    },
                    c,
                )?;
                self.advance('{');
            }
            '\n' => return Err(Box::new(self.unterminated_string(start))),
            c => self.advance(c),
        }
        Ok(())
    }

    fn comment(&mut self) {
        let start = self.at;
        let end = self
            .text
            .get(start..)
            .and_then(|rest| rest.find('\n'))
            .map_or(self.text.len(), |offset| start + offset);
        let body = self.text.get(start + 1..end).unwrap_or("");
        let text = body.trim_end();
        self.comments.push(Comment {
            text: text.to_string(),
            span: Span::new(start, start + 1 + text.len()),
        });
        self.at = end;
    }

    fn word(&mut self) {
        let start = self.at;
        while let Some(c) = self.peek() {
            if !(c.is_ascii_alphanumeric() || c == '_') {
                break;
            }
            self.advance(c);
        }
        self.remember(Token::Word(start, self.at));
    }

    fn remember(&mut self, token: Token) {
        let [_, last] = self.recent;
        self.recent = [last, token];
    }

    fn open(&mut self, kind: OpenerKind, c: char) -> Result<(), Problem> {
        if self.openers.len() >= MAX_NESTING {
            let span = Span::new(self.at, self.at + kind.open_text().len());
            return Err(Box::new(
                Diagnostic::error("expression nested too deeply")
                    .at(self.source, span)
                    .with_label(format!("this is more than {MAX_NESTING} levels deep"))
                    .with_help("name the inner parts with `let` to flatten the expression"),
            ));
        }
        self.openers.push(Opener { kind, at: self.at });
        self.remember(Token::Other);
        self.advance(c);
        Ok(())
    }

    fn close(&mut self, c: char) -> Result<(), Problem> {
        let Some(top) = self.openers.last().copied() else {
            return Err(Box::new(self.unexpected_closer(c)));
        };
        if top.kind.close_char() == c {
            self.openers.pop();
            if let OpenerKind::Interpolation { string_start } = top.kind {
                self.string_start = Some(string_start);
            }
            if self.openers.is_empty()
                && let Some(start) = self.test_start.take()
            {
                self.test_blocks
                    .push(Span::new(start, self.at + c.len_utf8()));
            }
            self.remember(Token::Other);
            self.advance(c);
            return Ok(());
        }
        if self
            .openers
            .iter()
            .any(|opener| opener.kind.close_char() == c)
        {
            Err(Box::new(self.unclosed_before(top, c)))
        } else {
            Err(Box::new(self.unexpected_closer(c)))
        }
    }

    /// Blocks do not nest: a block header inside a block means the outer one was never
    /// closed.
    fn check_not_nested(&self, keyword: &str, keyword_start: usize) -> Result<(), Problem> {
        let Some(outer) = self
            .openers
            .iter()
            .rev()
            .find_map(|opener| match opener.kind {
                OpenerKind::Block(outer) => Some((outer, opener.at)),
                _ => None,
            })
        else {
            return Ok(());
        };
        let (outer_keyword, outer_at) = outer;
        let (line, _) = self.source.line_column(outer_at);
        let span = Span::new(keyword_start, keyword_start + keyword.len());
        Err(Box::new(
            Diagnostic::error(format!(
                "expected `}}` to close the {outer_keyword} block opened at line {line}, found `{keyword}`"
            ))
            .at(self.source, span)
            .with_label(format!("a new {keyword} block starts here"))
            .with_help("add `}` after the last statement of the block above"),
        ))
    }

    fn unterminated_string(&self, start: usize) -> Diagnostic {
        if let Some(interpolation) = self
            .openers
            .last()
            .filter(|opener| matches!(opener.kind, OpenerKind::Interpolation { .. }))
        {
            return Diagnostic::error("unclosed `${`")
                .at(
                    self.source,
                    Span::new(interpolation.at, interpolation.at + 2),
                )
                .with_label("this `${` is never closed")
                .with_help("close it with `}` before the string's closing `\"`");
        }
        let line_end = self
            .text
            .get(start..)
            .and_then(|rest| rest.find('\n'))
            .map_or(self.text.len(), |offset| start + offset);
        Diagnostic::error("unterminated string")
            .at(self.source, Span::new(start, line_end))
            .with_label("this string has no closing `\"`")
            .with_help("a string ends on the line it starts; write a line break as `\\n`")
    }

    fn unexpected_closer(&self, c: char) -> Diagnostic {
        Diagnostic::error(format!("unexpected `{c}`"))
            .at(self.source, Span::new(self.at, self.at + 1))
            .with_label(format!("there is no open `{}` to close", opening_of(c)))
    }

    fn unclosed_before(&self, opener: Opener, found: char) -> Diagnostic {
        let (line, column) = self.source.line_column(self.at);
        let open = opener.kind.open_text();
        Diagnostic::error(format!("unclosed `{open}`"))
            .at(self.source, Span::new(opener.at, opener.at + open.len()))
            .with_label(format!("this `{open}` is never closed"))
            .with_help(format!(
                "close it with `{}` before the `{found}` at line {line}, column {column}",
                opener.kind.close_char()
            ))
    }

    fn unclosed_at_end(&self, opener: Opener) -> Diagnostic {
        let end = self.text.len();
        match opener.kind {
            OpenerKind::Block(keyword) => {
                let (line, _) = self.source.line_column(opener.at);
                Diagnostic::error(format!(
                    "expected `}}` to close the {keyword} block opened at line {line}"
                ))
                .at(self.source, Span::new(end, end))
                .with_label("the file ends here")
                .with_help("add `}` after the block's last statement")
            }
            OpenerKind::Interpolation { string_start } => self.unterminated_string(string_start),
            kind => {
                let open = kind.open_text();
                Diagnostic::error(format!("unclosed `{open}`"))
                    .at(self.source, Span::new(opener.at, opener.at + open.len()))
                    .with_label(format!("this `{open}` is never closed"))
                    .with_help(format!("close it with `{}`", kind.close_char()))
            }
        }
    }
}

fn block_keyword(word: &str) -> Option<&'static str> {
    ["policy", "ruleset", "test"]
        .into_iter()
        .find(|keyword| *keyword == word)
}

fn opening_of(close: char) -> char {
    match close {
        ')' => '(',
        ']' => '[',
        _ => '{',
    }
}
