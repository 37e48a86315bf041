//! Which Rego syntax each file is read with: v1, v0, or v0 with every future keyword on.
//!
//! With `--rego-version auto`, a file that imports `rego.v1` is v1; any other file is read
//! as v0 with the keywords `if`, `contains`, `in` and `every` available, as OPA's v0 mode
//! reads a file that imports `future.keywords`. That reading accepts both the old heads
//! (`deny[msg] { ... }`) and the new keywords (`deny contains msg if { ... }`), so files
//! mixing the two, common in published policies, load without flags.

use super::rewrite::Edit;
use super::scan::{self, Token, TokenKind};

/// The Rego syntax version asked for on the command line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RegoVersion {
    /// Decide per file (see the module documentation).
    #[default]
    Auto,
    /// Rego v0 as OPA 0.x reads it: keywords only through `import future.keywords`.
    V0,
    /// Rego v1: `if` before bodies and `contains` for multi-value rules are required.
    V1,
}

/// How one attempt at parsing a file sets up the parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    V1,
    V0,
    /// v0 with `import future.keywords` added on the package line.
    V0WithKeywords,
}

impl Dialect {
    pub fn is_v0(self) -> bool {
        !matches!(self, Dialect::V1)
    }
}

/// What the tokens of a file say about its syntax.
pub struct SyntaxClues {
    imports_rego_v1: bool,
    /// Future keywords imported with `import future.keywords[.name]`.
    imported_keywords: Vec<String>,
    /// Future keywords used as keywords, with where each is first used.
    used_keywords: Vec<(String, usize)>,
    /// Where the package path ends, where an import can be added without moving any line.
    package_end: Option<usize>,
}

const FUTURE_KEYWORDS: [&str; 4] = ["if", "contains", "in", "every"];

impl SyntaxClues {
    pub fn of(text: &str) -> SyntaxClues {
        let tokens = scan::tokenize(text);
        let significant: Vec<&Token> = scan::significant(&tokens).collect();
        let word = |index: usize| {
            significant
                .get(index)
                .filter(|token| token.kind == TokenKind::Ident)
                .map(|token| token.text(text))
        };
        let punct = |index: usize| {
            significant
                .get(index)
                .filter(|token| token.kind == TokenKind::Punct)
                .map(|token| token.text(text))
        };
        let mut clues = SyntaxClues {
            imports_rego_v1: false,
            imported_keywords: Vec::new(),
            used_keywords: Vec::new(),
            package_end: package_end(text, &tokens),
        };
        for (index, token) in significant.iter().enumerate() {
            let after_dot = index > 0 && punct(index - 1) == Some(".");
            match word(index) {
                Some("import") => clues.read_import(index, &word, &punct),
                Some(keyword) if FUTURE_KEYWORDS.contains(&keyword) && !after_dot => {
                    // `contains(s, x)` is the builtin, not the keyword.
                    let is_call = keyword == "contains" && punct(index + 1) == Some("(");
                    let known = clues.used_keywords.iter().any(|(used, _)| used == keyword);
                    if !is_call && !known {
                        clues.used_keywords.push((keyword.to_string(), token.start));
                    }
                }
                _ => {}
            }
        }
        clues
    }

    fn read_import<'t>(
        &mut self,
        at: usize,
        word: &impl Fn(usize) -> Option<&'t str>,
        punct: &impl Fn(usize) -> Option<&'t str>,
    ) {
        match (word(at + 1), punct(at + 2), word(at + 3)) {
            (Some("rego"), Some("."), Some("v1")) => self.imports_rego_v1 = true,
            (Some("future"), Some("."), Some("keywords")) => match (punct(at + 4), word(at + 5)) {
                (Some("."), Some(keyword)) => self.imported_keywords.push(keyword.to_string()),
                _ => self
                    .imported_keywords
                    .extend(FUTURE_KEYWORDS.iter().map(|keyword| keyword.to_string())),
            },
            _ => {}
        }
    }

    /// A future keyword used without its import, in a file read as strict Rego v0.
    pub fn unimported_keyword(&self) -> Option<(&str, usize)> {
        if self.imports_rego_v1 {
            return None;
        }
        self.used_keywords
            .iter()
            .find(|(keyword, _)| {
                let imported = self.imported_keywords.contains(keyword)
                    || (keyword == "in" && self.imported_keywords.iter().any(|k| k == "every"));
                !imported
            })
            .map(|(keyword, at)| (keyword.as_str(), *at))
    }

    /// The dialects to try, likeliest first; the error of the first is the one reported
    /// when all fail.
    pub fn attempts(&self, version: RegoVersion) -> Vec<Dialect> {
        match version {
            RegoVersion::V1 => vec![Dialect::V1],
            RegoVersion::V0 => vec![Dialect::V0],
            RegoVersion::Auto if self.imports_rego_v1 => vec![Dialect::V1],
            RegoVersion::Auto if !self.used_keywords.is_empty() => {
                vec![Dialect::V0WithKeywords, Dialect::V1]
            }
            RegoVersion::Auto => vec![Dialect::V0, Dialect::V1],
        }
    }

    /// The edit that turns the future keywords on for this file, when the dialect asks.
    pub fn keyword_import(&self, dialect: Dialect) -> Option<Edit> {
        match (dialect, self.package_end) {
            (Dialect::V0WithKeywords, Some(at)) => {
                Some(Edit::insert(at, " import future.keywords"))
            }
            _ => None,
        }
    }
}

/// The end of the package path: `package` followed by names, dots and brackets.
fn package_end(text: &str, tokens: &[Token]) -> Option<usize> {
    let mut significant = scan::significant(tokens);
    let keyword = significant.next()?;
    if keyword.text(text) != "package" {
        return None;
    }
    let mut end = None;
    let mut depth = 0usize;
    let mut expect_name = true;
    for token in significant {
        let piece = token.text(text);
        let continues = match (token.kind, piece) {
            (TokenKind::Punct, "[") => {
                depth += 1;
                true
            }
            (TokenKind::Punct, "]") if depth > 0 => {
                depth -= 1;
                true
            }
            _ if depth > 0 => true,
            (TokenKind::Punct, ".") => !expect_name,
            (TokenKind::Ident, _) => expect_name,
            _ => false,
        };
        if !continues {
            break;
        }
        expect_name = piece == ".";
        end = Some(token.end);
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rego_v1_import_means_v1() {
        let clues = SyntaxClues::of("package p\nimport rego.v1\nallow if true\n");
        assert_eq!(clues.attempts(RegoVersion::Auto), [Dialect::V1]);
    }

    #[test]
    fn keywords_without_import_read_as_v0_with_keywords_first() {
        let clues = SyntaxClues::of("package p\ndeny contains msg if { msg := \"x\" }\n");
        assert_eq!(
            clues.attempts(RegoVersion::Auto),
            [Dialect::V0WithKeywords, Dialect::V1]
        );
        let edit = clues.keyword_import(Dialect::V0WithKeywords);
        assert_eq!(edit, Some(Edit::insert(9, " import future.keywords")));
    }

    #[test]
    fn plain_v0_needs_no_keywords() {
        let clues = SyntaxClues::of(
            "package p.q # if\ndeny[msg] { contains(input.a, \"b\"); msg := \"x\" }\n",
        );
        assert_eq!(
            clues.attempts(RegoVersion::Auto),
            [Dialect::V0, Dialect::V1]
        );
        assert_eq!(clues.package_end, Some(11));
    }

    #[test]
    fn strict_v0_needs_keyword_imports() {
        let clues = SyntaxClues::of("package p\nimport future.keywords.in\nx if 1 in [1]\n");
        assert_eq!(clues.unimported_keyword(), Some(("if", 38)));
        let clues = SyntaxClues::of("package p\nimport future.keywords\nx if 1 in [1]\n");
        assert_eq!(clues.unimported_keyword(), None);
    }

    #[test]
    fn a_forced_version_is_the_only_attempt() {
        let clues = SyntaxClues::of("package p\nimport rego.v1\n");
        assert_eq!(clues.attempts(RegoVersion::V0), [Dialect::V0]);
        assert_eq!(clues.attempts(RegoVersion::V1), [Dialect::V1]);
    }

    #[test]
    fn package_paths_with_brackets_end_after_the_bracket() {
        let clues = SyntaxClues::of("package a[\"b.c\"].d\nx := 1\n");
        assert_eq!(clues.package_end, Some(18));
    }
}
