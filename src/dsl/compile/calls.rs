//! Lowering builtin calls: the name and the argument count are checked, and literal
//! patterns and time zones are compiled once, here.

use chrono_tz::Tz;

use super::lower::Lowering;
use super::suggest::closest;
use crate::dsl::ast::{Expr, Ident};
use crate::dsl::eval::builtins::Builtin;
use crate::dsl::eval::builtins::patterns::{compile_glob, compile_regex, regex_error_reason};
use crate::dsl::eval::program::{Constant, Node, Pattern};
use crate::source::Span;

impl Lowering<'_> {
    pub fn lower_call(&mut self, function: &Ident, args: &[Expr], depth: usize) -> Node {
        let mut lowered: Vec<Node> = args.iter().map(|arg| self.lower(arg, depth)).collect();
        let Some(builtin) = Builtin::from_name(&function.name) else {
            self.unknown_function(function);
            return Node::Constant(Constant::Null);
        };
        let arity = builtin.arity();
        if !arity.accepts(args.len()) {
            let message = format!(
                "`{}` takes {}, found {}",
                function.name,
                arity.describe(),
                args.len()
            );
            self.error(message, function.span, "wrong number of arguments", None);
            return Node::Constant(Constant::Null);
        }
        let compiles_literal =
            matches!(builtin, Builtin::Matches | Builtin::Regex) || builtin.takes_time_zone();
        match (compiles_literal, lowered.as_slice(), args) {
            (true, [_, Node::Constant(Constant::String(literal))], [_, literal_arg]) => {
                let literal = literal.clone();
                let subject = Box::new(lowered.swap_remove(0));
                self.lower_literal_call(builtin, subject, &literal, literal_arg.span)
            }
            _ => Node::Call {
                builtin,
                args: lowered.into(),
            },
        }
    }

    /// `matches(s, "glob")`, `regex(s, "pattern")`, `hour(t, "Europe/Berlin")`...: the
    /// literal is compiled now; an invalid one is an error.
    fn lower_literal_call(
        &mut self,
        builtin: Builtin,
        subject: Box<Node>,
        literal: &str,
        span: Span,
    ) -> Node {
        if builtin.takes_time_zone() {
            return match self.time_zone(literal, span) {
                Some(zone) => Node::Zoned {
                    builtin,
                    time: subject,
                    zone,
                },
                None => Node::Constant(Constant::Null),
            };
        }
        match self.compile_pattern(builtin, literal, span) {
            Some(pattern) => Node::Match {
                subject,
                pattern: Box::new(pattern),
            },
            None => Node::Constant(Constant::Null),
        }
    }

    fn unknown_function(&mut self, function: &Ident) {
        let help =
            closest(&function.name, Builtin::names()).map(|name| format!("did you mean `{name}`?"));
        let message = format!("unknown function `{}`", function.name);
        self.error(message, function.span, "not a builtin", help);
    }

    fn compile_pattern(&mut self, builtin: Builtin, literal: &str, span: Span) -> Option<Pattern> {
        let seen = self
            .patterns
            .iter()
            .find(|(b, text, _)| *b == builtin && **text == *literal);
        if let Some((_, _, pattern)) = seen {
            return Some(pattern.clone());
        }
        let pattern = self.compile_new_pattern(builtin, literal, span)?;
        self.patterns
            .push((builtin, literal.into(), pattern.clone()));
        Some(pattern)
    }

    fn compile_new_pattern(
        &mut self,
        builtin: Builtin,
        literal: &str,
        span: Span,
    ) -> Option<Pattern> {
        if builtin == Builtin::Matches {
            return match compile_glob(literal) {
                Ok(glob) => Some(Pattern::Glob(glob)),
                Err(error) => {
                    let message = format!("invalid glob `{literal}`: {}", error.kind());
                    self.error(message, span, "invalid glob", None);
                    None
                }
            };
        }
        match compile_regex(literal) {
            Ok(regex) => Some(Pattern::Regex(regex)),
            Err(error) => {
                let message = format!(
                    "invalid regular expression `{literal}`: {}",
                    regex_error_reason(&error)
                );
                self.error(message, span, "invalid regular expression", None);
                None
            }
        }
    }

    fn time_zone(&mut self, name: &str, span: Span) -> Option<Tz> {
        if let Ok(zone) = name.parse::<Tz>() {
            return Some(zone);
        }
        let names = chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name());
        let help = closest(name, names).map_or_else(
            || "time zones are IANA names such as `Europe/Berlin` or `UTC`".to_string(),
            |name| format!("did you mean `{name}`?"),
        );
        self.error(
            format!("unknown time zone `{name}`"),
            span,
            "not an IANA time zone",
            Some(help),
        );
        None
    }
}
