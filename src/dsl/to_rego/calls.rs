//! Builtin calls: `name(args)` becomes `fn.name(args)`, with the arguments a policy may
//! leave out written in, and literal patterns checked against what Rego engines accept.

use super::emitter::{Body, Emitter, Term};
use crate::dsl::ast::{Expr, ExprKind, Ident, TemplatePart};
use crate::dsl::eval::builtins::Builtin;

/// The largest compiled regular expression regorus builds; a literal pattern beyond it
/// would match nothing there.
const REGORUS_REGEX_SIZE: usize = 100 * 1024;

impl Emitter<'_> {
    pub fn call(&mut self, function: &Ident, args: &[Expr], body: &mut Body) -> Term {
        let terms: Vec<String> = args.iter().map(|arg| self.term(arg, body).text).collect();
        let Some(builtin) = Builtin::from_name(&function.name) else {
            // Unknown functions stop compilation before this point.
            return Term::cheap("null".to_string());
        };
        if builtin == Builtin::Regex
            && let Some(pattern) = args.get(1).and_then(literal_text)
        {
            self.check_regex_size(&pattern, args.get(1).map_or(function.span, |arg| arg.span));
        }
        self.uses_fn = true;
        let arguments = match (builtin, terms.as_slice()) {
            (Builtin::Min | Builtin::Max, [_]) => terms.join(", "),
            (Builtin::Min | Builtin::Max, _) => format!("[{}]", terms.join(", ")),
            (Builtin::Round, [value]) => format!("{value}, 0"),
            (_, [time]) if builtin.takes_time_zone() => format!("{time}, \"UTC\""),
            _ => terms.join(", "),
        };
        let name = match builtin {
            // `contains` names rules in Rego v1.
            Builtin::Contains => "includes",
            _ => builtin.name(),
        };
        let text = format!("fn.{name}({arguments})");
        if returns_boolean(builtin) {
            Term::boolean(text)
        } else {
            Term::value(text)
        }
    }

    fn check_regex_size(&mut self, pattern: &str, span: crate::source::Span) {
        let fits = regex::RegexBuilder::new(pattern)
            .size_limit(REGORUS_REGEX_SIZE)
            .build()
            .is_ok();
        if !fits {
            self.unsupported(
                format!("regular expression `{pattern}` is too large for Rego engines"),
                span,
                "regorus refuses regular expressions that compile to more than 100 KiB; ASCII classes such as `[A-Za-z0-9_]` are far smaller than Unicode's `\\w` and `\\d`",
            );
        }
    }
}

/// Builtins that give `true` or `false` whatever their arguments.
fn returns_boolean(builtin: Builtin) -> bool {
    matches!(
        builtin,
        Builtin::Any
            | Builtin::All
            | Builtin::IsString
            | Builtin::IsNumber
            | Builtin::IsBool
            | Builtin::IsArray
            | Builtin::IsObject
            | Builtin::Exists
    )
}

/// The text of a string literal without interpolation.
fn literal_text(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::String(parts) => parts
            .iter()
            .map(|part| match part {
                TemplatePart::Text(text) => Some(text.as_str()),
                TemplatePart::Interpolation(_) => None,
            })
            .collect(),
        ExprKind::Paren(inner) => literal_text(inner),
        _ => None,
    }
}
