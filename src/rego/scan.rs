//! A light Rego tokenizer: enough to find the package clause, imports, keywords used and
//! comment blocks without a full parse.

/// What a token is; bodies of strings and comments are never looked into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Ident,
    Number,
    String,
    Comment,
    Punct,
    Newline,
}

/// One token: its kind, its byte range in the text and the 1-based line it starts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
    pub line: u32,
}

impl Token {
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

/// Splits Rego text into tokens. Never fails: an unterminated string runs to the end of
/// its line (or of the text, for raw strings), and unknown characters are punctuation.
pub fn tokenize(source: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = source.char_indices().peekable();
    let mut line = 1u32;
    while let Some((start, c)) = chars.next() {
        let token_line = line;
        let kind = match c {
            '\n' => {
                line += 1;
                TokenKind::Newline
            }
            c if c.is_whitespace() => continue,
            '#' => {
                while chars.next_if(|&(_, c)| c != '\n').is_some() {}
                TokenKind::Comment
            }
            '"' => {
                let mut escaped = false;
                while let Some((_, c)) = chars.next_if(|&(_, c)| c != '\n') {
                    if c == '"' && !escaped {
                        break;
                    }
                    escaped = c == '\\' && !escaped;
                }
                TokenKind::String
            }
            '`' => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                    }
                    if c == '`' {
                        break;
                    }
                }
                TokenKind::String
            }
            c if c.is_ascii_digit() => {
                while chars
                    .next_if(|&(_, c)| c.is_ascii_alphanumeric() || c == '.')
                    .is_some()
                {}
                TokenKind::Number
            }
            c if c.is_alphabetic() || c == '_' => {
                while chars
                    .next_if(|&(_, c)| c.is_alphanumeric() || c == '_')
                    .is_some()
                {}
                TokenKind::Ident
            }
            _ => TokenKind::Punct,
        };
        let end = chars.peek().map_or(source.len(), |&(at, _)| at);
        tokens.push(Token {
            kind,
            start,
            end,
            line: token_line,
        });
    }
    tokens
}

/// The tokens that matter to the grammar: no comments, no line breaks.
pub fn significant(tokens: &[Token]) -> impl Iterator<Item = &Token> {
    tokens
        .iter()
        .filter(|token| !matches!(token.kind, TokenKind::Comment | TokenKind::Newline))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds_and_texts(source: &str) -> Vec<(TokenKind, &str)> {
        tokenize(source)
            .iter()
            .map(|token| (token.kind, token.text(source)))
            .collect()
    }

    #[test]
    fn strings_and_comments_hide_their_contents() {
        let source = "x := \"a # \\\" if\" # if contains\ny := `raw\nif`";
        let tokens = kinds_and_texts(source);
        assert_eq!(
            tokens,
            [
                (TokenKind::Ident, "x"),
                (TokenKind::Punct, ":"),
                (TokenKind::Punct, "="),
                (TokenKind::String, "\"a # \\\" if\""),
                (TokenKind::Comment, "# if contains"),
                (TokenKind::Newline, "\n"),
                (TokenKind::Ident, "y"),
                (TokenKind::Punct, ":"),
                (TokenKind::Punct, "="),
                (TokenKind::String, "`raw\nif`"),
            ]
        );
    }

    #[test]
    fn lines_count_breaks_inside_raw_strings() {
        let source = "a `b\nc`\nd";
        let lines: Vec<u32> = tokenize(source).iter().map(|token| token.line).collect();
        assert_eq!(lines, [1, 1, 2, 3]);
    }
}
