//! Helpers for reading pest's parse tree: exact spans and the children that carry meaning.

use pest::iterators::Pair;

use super::Rule;
use crate::source::Span;

pub(super) type Node<'i> = Pair<'i, Rule>;

/// The span of a node without the whitespace and comments pest lets a rule swallow after
/// its last token when an optional tail is absent: it ends where its last token ends.
pub(super) fn span(node: &Node<'_>) -> Span {
    let start = node.as_span().start();
    let mut end = node.as_span().end();
    let mut current = node.clone();
    // A string is compound-atomic: it swallows nothing, and its last child ends before
    // the closing quote.
    while current.as_rule() != Rule::string {
        let Some(child) = current.clone().into_inner().next_back() else {
            break;
        };
        end = child.as_span().end();
        current = child;
    }
    Span::new(start, end.max(start))
}

/// A node's children without punctuation, which only the grammar and its error messages
/// need.
pub(super) fn parts<'i>(node: &Node<'i>) -> Vec<Node<'i>> {
    node.clone()
        .into_inner()
        .filter(|child| !is_punctuation(child.as_rule()))
        .collect()
}

fn is_punctuation(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::block_open
            | Rule::block_close
            | Rule::lbrace
            | Rule::rbrace
            | Rule::lbracket
            | Rule::rbracket
            | Rule::lparen
            | Rule::rparen
            | Rule::interpolation_close
            | Rule::comma
            | Rule::colon
            | Rule::dot
            | Rule::star
            | Rule::assign
            | Rule::equals
    )
}
