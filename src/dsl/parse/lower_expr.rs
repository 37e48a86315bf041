//! Lowering expressions: operator chains ordered by precedence, prefix operators, access
//! paths, calls and comprehensions, and literals. One function per grammar rule.
//!
//! Every lowered expression carries its depth, and no tree deeper than
//! [`MAX_EXPRESSION_DEPTH`] is built, so code that walks expressions recursively cannot
//! run out of stack.

use super::MAX_EXPRESSION_DEPTH;
use super::Rule;
use super::literal::{self, Numeric};
use super::lower::{Lowering, ident};
use super::tree::{Node, parts, span};
use crate::dsl::ast::{
    Access, BinaryOp, ComprehensionKind, Expr, ExprKind, ForClause, ObjectEntry, StrLit,
    TemplatePart, UnaryOp,
};
use crate::source::Span;

/// An expression and the depth of its tree.
pub(super) struct Lowered {
    pub expr: Expr,
    pub depth: usize,
}

impl Lowered {
    fn leaf(kind: ExprKind, span: Span) -> Lowered {
        Lowered {
            expr: Expr { kind, span },
            depth: 1,
        }
    }
}

impl Lowering<'_> {
    /// Lowers any expression node.
    pub(super) fn expression(&mut self, node: &Node<'_>) -> Expr {
        self.lower(node).expr
    }

    fn lower(&mut self, node: &Node<'_>) -> Lowered {
        match node.as_rule() {
            Rule::expr | Rule::operation => self.operator_chain(node),
            Rule::negation => self.negation(node),
            Rule::comparison => self.comparison(node),
            Rule::unary => self.unary(node),
            Rule::postfix => self.postfix(node),
            Rule::paren => self.paren(node),
            Rule::array => self.array(node),
            Rule::call => self.call(node),
            Rule::object => self.object(node),
            Rule::string => self.string(node),
            Rule::numeric => self.numeric(node),
            Rule::kw_true => Lowered::leaf(ExprKind::Bool(true), span(node)),
            Rule::kw_false => Lowered::leaf(ExprKind::Bool(false), span(node)),
            Rule::kw_null => Lowered::leaf(ExprKind::Null, span(node)),
            Rule::name => Lowered::leaf(ExprKind::Name(ident(node)), span(node)),
            _ => {
                self.malformed(node);
                Lowered::leaf(ExprKind::Null, span(node))
            }
        }
    }

    /// Builds a node from children of the given depth, or reports the expression as too
    /// deep and stands a `null` in for it.
    fn node(&mut self, kind: ExprKind, span: Span, child_depth: usize) -> Lowered {
        let depth = child_depth + 1;
        if depth <= MAX_EXPRESSION_DEPTH {
            return Lowered {
                expr: Expr { kind, span },
                depth,
            };
        }
        self.too_deep(span);
        Lowered::leaf(ExprKind::Null, span)
    }

    fn too_deep(&mut self, span: Span) {
        if !self.reported_depth {
            self.reported_depth = true;
            let diagnostic = self
                .at(span, "expression nested too deeply")
                .with_label(format!(
                    "this expression is more than {MAX_EXPRESSION_DEPTH} levels deep"
                ))
                .with_help("name the inner parts with `let` to flatten the expression");
            self.report(diagnostic);
        }
    }

    // -----------------------------------------------------------------------------------
    // operators

    /// `expr` (`or`, `and`) and `operation` (`??`, `+ -`, `* / %`): operands separated by
    /// operators, grouped by precedence, left to right.
    fn operator_chain(&mut self, node: &Node<'_>) -> Lowered {
        let mut operands = Vec::new();
        let mut operators = Vec::new();
        for part in parts(node) {
            match part.as_rule() {
                Rule::logic_op | Rule::arith_op => operators.push(binary_op(&part)),
                _ => operands.push(part),
            }
        }
        if operands.len() > MAX_EXPRESSION_DEPTH {
            self.too_deep(span(node));
            return Lowered::leaf(ExprKind::Null, span(node));
        }
        let operands = operands.iter().map(|operand| self.lower(operand)).collect();
        self.fold(operands, operators)
    }

    /// Orders a chain by precedence (shunting-yard), all operators associating left.
    fn fold(&mut self, operands: Vec<Lowered>, operators: Vec<BinaryOp>) -> Lowered {
        let mut operands = operands.into_iter();
        let Some(first) = operands.next() else {
            return Lowered::leaf(ExprKind::Null, Span::default());
        };
        let mut output = vec![first];
        let mut pending: Vec<BinaryOp> = Vec::new();
        for (operator, operand) in operators.into_iter().zip(operands) {
            while pending
                .last()
                .is_some_and(|top| top.precedence() >= operator.precedence())
            {
                self.reduce(&mut output, &mut pending);
            }
            pending.push(operator);
            output.push(operand);
        }
        while !pending.is_empty() {
            self.reduce(&mut output, &mut pending);
        }
        output
            .pop()
            .unwrap_or_else(|| Lowered::leaf(ExprKind::Null, Span::default()))
    }

    fn reduce(&mut self, output: &mut Vec<Lowered>, pending: &mut Vec<BinaryOp>) {
        // The chain alternates operands and operators, so two operands are there for
        // every pending operator.
        if let (Some(op), Some(right), Some(left)) = (pending.pop(), output.pop(), output.pop()) {
            output.push(self.binary(op, left, right));
        }
    }

    fn binary(&mut self, op: BinaryOp, left: Lowered, right: Lowered) -> Lowered {
        let span = left.expr.span.to(right.expr.span);
        let depth = left.depth.max(right.depth);
        let kind = ExprKind::Binary {
            op,
            left: Box::new(left.expr),
            right: Box::new(right.expr),
        };
        self.node(kind, span, depth)
    }

    /// `a < b`: at most one comparison, since `a < b < c` reads as something it is not.
    fn comparison(&mut self, node: &Node<'_>) -> Lowered {
        let mut operands = Vec::new();
        let mut operators = Vec::new();
        for part in parts(node) {
            if part.as_rule() == Rule::compare_op {
                if !operators.is_empty() {
                    let diagnostic = self
                        .at(span(&part), "comparisons cannot be chained")
                        .with_label("a second comparison")
                        .with_help(
                            "join the comparisons with `and`, or group one with parentheses",
                        );
                    self.report(diagnostic);
                }
                operators.push(compare_op(&part));
            } else {
                operands.push(self.lower(&part));
            }
        }
        self.fold(operands, operators)
    }

    /// `not not x`: prefix operators, innermost last.
    fn negation(&mut self, node: &Node<'_>) -> Lowered {
        self.prefixed(node, Rule::not_op, UnaryOp::Not)
    }

    /// `-x`
    fn unary(&mut self, node: &Node<'_>) -> Lowered {
        self.prefixed(node, Rule::neg_op, UnaryOp::Neg)
    }

    fn prefixed(&mut self, node: &Node<'_>, prefix: Rule, op: UnaryOp) -> Lowered {
        let children = parts(node);
        let (operators, operand): (Vec<_>, Vec<_>) =
            children.iter().partition(|child| child.as_rule() == prefix);
        let Some(operand) = operand.first() else {
            self.malformed(node);
            return Lowered::leaf(ExprKind::Null, span(node));
        };
        if operators.len() >= MAX_EXPRESSION_DEPTH {
            self.too_deep(span(node));
            return Lowered::leaf(ExprKind::Null, span(node));
        }
        let mut lowered = self.lower(operand);
        for operator in operators.iter().rev() {
            let span = span(operator).to(lowered.expr.span);
            let kind = ExprKind::Unary {
                op,
                operand: Box::new(lowered.expr),
            };
            lowered = self.node(kind, span, lowered.depth);
        }
        lowered
    }

    // -----------------------------------------------------------------------------------
    // access paths

    /// `base.a["b"][0][*].c`
    fn postfix(&mut self, node: &Node<'_>) -> Lowered {
        let children = parts(node);
        let Some((base, accesses)) = children.split_first() else {
            self.malformed(node);
            return Lowered::leaf(ExprKind::Null, span(node));
        };
        let base = self.lower(base);
        if accesses.is_empty() {
            return base;
        }
        let mut depth = base.depth;
        let mut lowered_accesses = Vec::with_capacity(accesses.len());
        for access in accesses {
            let (access, access_depth) = self.access(access);
            depth = depth.max(access_depth);
            lowered_accesses.push(access);
        }
        let span = span(node);
        let kind = ExprKind::Path {
            base: Box::new(base.expr),
            accesses: lowered_accesses,
        };
        self.node(kind, span, depth)
    }

    /// One access and the depth of the expression inside it (0 when there is none).
    fn access(&mut self, node: &Node<'_>) -> (Access, usize) {
        match node.as_rule() {
            Rule::field_access => match parts(node).first() {
                Some(field) => (Access::Field(ident(field)), 0),
                None => {
                    self.malformed(node);
                    (Access::Each { span: span(node) }, 0)
                }
            },
            Rule::index_access => self.index_access(node),
            _ => (Access::Each { span: span(node) }, 0),
        }
    }

    fn index_access(&mut self, node: &Node<'_>) -> (Access, usize) {
        let index = match parts(node).first() {
            Some(index) => self.lower(index),
            None => {
                self.malformed(node);
                Lowered::leaf(ExprKind::Null, span(node))
            }
        };
        let access = Access::Index {
            index: index.expr,
            span: span(node),
        };
        (access, index.depth)
    }

    /// `set a.b["c"][0] = ...`: a path rooted at a name, indexed only by literals.
    pub(super) fn set_target(&mut self, node: &Node<'_>) -> Expr {
        let path = self.postfix(node).expr;
        if let ExprKind::Path { accesses, .. } = &path.kind {
            for access in accesses {
                if let Access::Index { index, span } = access
                    && !is_literal_key(index)
                {
                    let diagnostic = self
                        .at(*span, "a `set` path indexes only with a string or a number")
                        .with_label("not a literal key or index")
                        .with_help(
                            "write the key as it is, as in `set reviews[0].decision = \"approve\"`",
                        );
                    self.report(diagnostic);
                }
            }
        }
        path
    }

    // -----------------------------------------------------------------------------------
    // brackets

    /// `(EXPR)`, kept so the author's grouping survives formatting.
    fn paren(&mut self, node: &Node<'_>) -> Lowered {
        let inner = match parts(node).first() {
            Some(inner) => self.lower(inner),
            None => {
                self.malformed(node);
                return Lowered::leaf(ExprKind::Null, span(node));
            }
        };
        self.node(
            ExprKind::Paren(Box::new(inner.expr)),
            span(node),
            inner.depth,
        )
    }

    /// `[a, b]` or `[EXPR for x in XS if COND]`.
    fn array(&mut self, node: &Node<'_>) -> Lowered {
        let children = parts(node);
        if let [element, generator] = children.as_slice()
            && generator.as_rule() == Rule::generator
        {
            return self.comprehension(ComprehensionKind::List, element, generator, span(node));
        }
        let elements: Vec<Lowered> = children.iter().map(|child| self.lower(child)).collect();
        let depth = elements
            .iter()
            .map(|element| element.depth)
            .max()
            .unwrap_or(0);
        let kind = ExprKind::Array(elements.into_iter().map(|element| element.expr).collect());
        self.node(kind, span(node), depth)
    }

    /// A name, `name(args)`, or `any(EXPR for x in XS if COND)` and the other aggregates.
    fn call(&mut self, node: &Node<'_>) -> Lowered {
        let children = parts(node);
        let (function, arguments) = match children.as_slice() {
            [name] => return Lowered::leaf(ExprKind::Name(ident(name)), span(name)),
            [function, arguments] => (ident(function), parts(arguments)),
            _ => {
                self.malformed(node);
                return Lowered::leaf(ExprKind::Null, span(node));
            }
        };
        let args = arguments.as_slice();
        if let [element, generator] = args
            && generator.as_rule() == Rule::generator
        {
            return match aggregate(&function.name) {
                Some(kind) => self.comprehension(kind, element, generator, span(node)),
                None => {
                    let diagnostic = self
                        .at(function.span, format!("`{}` does not take a generator", function.name))
                        .with_label("`for` inside this call")
                        .with_help("only `any`, `all`, `count`, `sum`, `min` and `max` read `EXPR for x in XS`; for a list, write `[EXPR for x in XS]`");
                    self.report(diagnostic);
                    Lowered::leaf(ExprKind::Null, span(node))
                }
            };
        }
        let args: Vec<Lowered> = args.iter().map(|arg| self.lower(arg)).collect();
        let depth = args.iter().map(|arg| arg.depth).max().unwrap_or(0);
        let kind = ExprKind::Call {
            function,
            args: args.into_iter().map(|arg| arg.expr).collect(),
        };
        self.node(kind, span(node), depth)
    }

    fn comprehension(
        &mut self,
        kind: ComprehensionKind,
        element: &Node<'_>,
        generator: &Node<'_>,
        span: Span,
    ) -> Lowered {
        let element = self.lower(element);
        let mut clauses = parts(generator).into_iter();
        let each = clauses
            .next()
            .and_then(|clause| self.for_clause_with_depth(&clause));
        let condition = clauses
            .next()
            .and_then(|clause| self.if_clause_with_depth(&clause));
        let Some((each, iterable_depth)) = each else {
            return Lowered::leaf(ExprKind::Null, span);
        };
        let condition_depth = condition.as_ref().map_or(0, |(_, depth)| *depth);
        let depth = element.depth.max(iterable_depth).max(condition_depth);
        let kind = ExprKind::Comprehension {
            kind,
            element: Box::new(element.expr),
            each: Box::new(each),
            condition: condition.map(|(condition, _)| Box::new(condition)),
        };
        self.node(kind, span, depth)
    }

    /// `for NAME in EXPR`, in a rule or a comprehension, with the iterable's depth.
    pub(super) fn for_clause_with_depth(&mut self, node: &Node<'_>) -> Option<(ForClause, usize)> {
        let [_for, variable, _in, iterable] = self.children(node)?;
        let iterable = self.lower(&iterable);
        let clause = ForClause {
            variable: ident(&variable),
            iterable: iterable.expr,
            span: span(node),
        };
        Some((clause, iterable.depth))
    }

    /// `if EXPR`: the condition and its depth.
    pub(super) fn if_clause_with_depth(&mut self, node: &Node<'_>) -> Option<(Expr, usize)> {
        let [_if, condition] = self.children(node)?;
        let condition = self.lower(&condition);
        Some((condition.expr, condition.depth))
    }

    /// `{key: value, "quoted-key": value}`
    pub(super) fn object(&mut self, node: &Node<'_>) -> Lowered {
        let mut depth = 0;
        let mut entries = Vec::new();
        for entry in parts(node) {
            let Some([key, value]) = self.children(&entry) else {
                continue;
            };
            let quoted = key.as_rule() == Rule::string;
            let key = if quoted {
                self.str_lit(&key, "object key")
            } else {
                StrLit {
                    value: key.as_str().to_string(),
                    span: span(&key),
                }
            };
            let value = self.lower(&value);
            depth = depth.max(value.depth);
            entries.push(ObjectEntry {
                key,
                quoted,
                value: value.expr,
                span: span(&entry),
            });
        }
        self.node(ExprKind::Object(entries), span(node), depth)
    }

    // -----------------------------------------------------------------------------------
    // literals

    /// A string literal: text, escapes and `${EXPR}` interpolations. Plain text, the empty
    /// string included, is a single [`TemplatePart::Text`]; text parts are never empty
    /// and never adjacent.
    pub(super) fn string(&mut self, node: &Node<'_>) -> Lowered {
        let mut template: Vec<TemplatePart> = Vec::new();
        let mut text = String::new();
        let mut depth = 0;
        for part in node.clone().into_inner() {
            match part.as_rule() {
                Rule::string_text => text.push_str(part.as_str()),
                Rule::escape => match literal::unescape(part.as_str()) {
                    Ok(c) => text.push(c),
                    Err(problem) => self.literal_error(&part, problem),
                },
                Rule::interpolation => {
                    if !text.is_empty() {
                        template.push(TemplatePart::Text(std::mem::take(&mut text)));
                    }
                    let inner = match parts(&part).first() {
                        Some(inner) => self.lower(inner),
                        None => Lowered::leaf(ExprKind::Null, span(&part)),
                    };
                    depth = depth.max(inner.depth);
                    template.push(TemplatePart::Interpolation(inner.expr));
                }
                _ => self.malformed(&part),
            }
        }
        if !text.is_empty() || template.is_empty() {
            template.push(TemplatePart::Text(text));
        }
        self.node(ExprKind::String(template), span(node), depth)
    }

    /// A number (`2.5`) or a duration (`1h30m`).
    fn numeric(&mut self, node: &Node<'_>) -> Lowered {
        let kind = match literal::numeric(node.as_str()) {
            Ok(Numeric::Number(value)) => ExprKind::Number(value),
            Ok(Numeric::Duration(millis)) => ExprKind::Duration {
                text: node.as_str().to_string(),
                millis,
            },
            Err(problem) => {
                self.literal_error(node, problem);
                ExprKind::Null
            }
        };
        Lowered::leaf(kind, span(node))
    }

    fn literal_error(&mut self, node: &Node<'_>, problem: literal::LiteralError) {
        let mut diagnostic = self.at(span(node), problem.message);
        if let Some(help) = problem.help {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
    }
}

fn binary_op(node: &Node<'_>) -> BinaryOp {
    match node.as_str() {
        "or" => BinaryOp::Or,
        "and" => BinaryOp::And,
        "??" => BinaryOp::Coalesce,
        "+" => BinaryOp::Add,
        "-" => BinaryOp::Sub,
        "*" => BinaryOp::Mul,
        "/" => BinaryOp::Div,
        _ => BinaryOp::Mod,
    }
}

fn compare_op(node: &Node<'_>) -> BinaryOp {
    match node.as_str() {
        "==" => BinaryOp::Eq,
        "!=" => BinaryOp::Ne,
        "<" => BinaryOp::Lt,
        "<=" => BinaryOp::Le,
        ">" => BinaryOp::Gt,
        ">=" => BinaryOp::Ge,
        "in" => BinaryOp::In,
        // `not in`, whatever the space between the words.
        _ => BinaryOp::NotIn,
    }
}

fn aggregate(function: &str) -> Option<ComprehensionKind> {
    [
        ComprehensionKind::Any,
        ComprehensionKind::All,
        ComprehensionKind::Count,
        ComprehensionKind::Sum,
        ComprehensionKind::Min,
        ComprehensionKind::Max,
    ]
    .into_iter()
    .find(|kind| kind.function_name() == Some(function))
}

fn is_literal_key(index: &Expr) -> bool {
    match &index.kind {
        ExprKind::Number(_) => true,
        ExprKind::String(parts) => matches!(parts.as_slice(), [TemplatePart::Text(_)]),
        _ => false,
    }
}
