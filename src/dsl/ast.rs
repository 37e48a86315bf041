//! The syntax tree of `.policy` files. Every node carries the span of source it came from.
//!
//! The tree is what the parser produces and what the checker, the formatter, the compiler
//! to Rego and the lowering to evaluable form read. Names are not resolved here: a bare
//! name stays a [`ExprKind::Name`] until the checker decides whether it is a `let`, a loop
//! variable, a reserved name or a field of the input.

use serde::{Deserialize, Serialize};

use crate::source::Span;
use crate::verdict::Verdict;

/// A whole `.policy` file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct File {
    pub items: Vec<Item>,
    /// Every `#` comment in the file, in order, for the formatter.
    pub comments: Vec<Comment>,
}

/// A `# ...` comment; `text` excludes the `#` and the line break.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Item {
    Policy(PolicyBlock),
    Ruleset(RulesetBlock),
    Test(TestBlock),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Policy(block) => block.span,
            Item::Ruleset(block) => block.span,
            Item::Test(block) => block.span,
        }
    }
}

/// A name as written: a `let`, a loop variable, a field, a builtin, a statement keyword.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A string without interpolation: names of blocks, descriptions, globs, paths.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrLit {
    /// The value with escapes resolved.
    pub value: String,
    pub span: Span,
}

/// A verdict keyword where a rule or an expectation names one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictKw {
    pub verdict: Verdict,
    pub span: Span,
}

// ---------------------------------------------------------------------------------------
// policy blocks

/// `policy "name" { ... }`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyBlock {
    pub name: StrLit,
    pub statements: Vec<Statement>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Statement {
    /// `description "text"`
    Description {
        text: StrLit,
        span: Span,
    },
    /// `when EXPR`
    When {
        condition: Expr,
        span: Span,
    },
    /// `config { key: value, ... }`; the value is an object literal.
    Config {
        defaults: Expr,
        span: Span,
    },
    /// `let NAME = EXPR`
    Let {
        name: Ident,
        value: Expr,
        span: Span,
    },
    Rule(Rule),
}

impl Statement {
    pub fn span(&self) -> Span {
        match self {
            Statement::Description { span, .. }
            | Statement::When { span, .. }
            | Statement::Config { span, .. }
            | Statement::Let { span, .. } => *span,
            Statement::Rule(rule) => rule.span,
        }
    }
}

/// `VERDICT ["message"] [for NAME in EXPR] [if EXPR]`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub verdict: VerdictKw,
    /// A string literal, possibly with `${...}` interpolation ([`ExprKind::String`]).
    pub message: Option<Expr>,
    pub each: Option<ForClause>,
    pub condition: Option<Expr>,
    pub span: Span,
}

/// `for NAME in EXPR`, as in a rule or a comprehension.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForClause {
    pub variable: Ident,
    pub iterable: Expr,
    pub span: Span,
}

// ---------------------------------------------------------------------------------------
// expressions

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(f64),
    /// A string literal; plain text is a single [`TemplatePart::Text`].
    String(Vec<TemplatePart>),
    /// `90m`, `2h`, `1h30m`: the source text and its length in milliseconds.
    Duration {
        text: String,
        millis: i64,
    },
    Array(Vec<Expr>),
    Object(Vec<ObjectEntry>),
    /// A bare name: a `let`, a loop variable, `input`, `config`, `now`, or an input field.
    Name(Ident),
    /// `(EXPR)`, kept so the formatter can keep the author's grouping.
    Paren(Box<Expr>),
    /// `base.a["b"][0][*].c`: accesses applied left to right; after `[*]` the remaining
    /// accesses are applied to each element and the result is a list.
    Path {
        base: Box<Expr>,
        accesses: Vec<Access>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `name(args...)`: a builtin call.
    Call {
        function: Ident,
        args: Vec<Expr>,
    },
    /// `[EXPR for x in XS if COND]` and `any/all/count/sum/min/max(EXPR for x in XS if COND)`.
    Comprehension {
        kind: ComprehensionKind,
        element: Box<Expr>,
        each: Box<ForClause>,
        condition: Option<Box<Expr>>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TemplatePart {
    Text(String),
    /// `${EXPR}`
    Interpolation(Expr),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectEntry {
    pub key: StrLit,
    /// Whether the key was written as a quoted string (`"a-b": 1`) rather than a name.
    pub quoted: bool,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Access {
    /// `.name`
    Field(Ident),
    /// `[EXPR]`: an array index or an object key.
    Index { index: Expr, span: Span },
    /// `[*]`
    Each { span: Span },
}

impl Access {
    pub fn span(&self) -> Span {
        match self {
            Access::Field(ident) => ident.span,
            Access::Index { span, .. } | Access::Each { span } => *span,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Coalesce,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Coalesce => "??",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
        }
    }

    /// Binding strength, loosest first as in SPEC 4.3: `or` 1, `and` 2, (`not` 3),
    /// comparisons 4, `??` 5, `+ -` 6, `* / %` 7.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
            | BinaryOp::NotIn => 4,
            BinaryOp::Coalesce => 5,
            BinaryOp::Add | BinaryOp::Sub => 6,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 7,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ComprehensionKind {
    /// `[EXPR for x in XS if COND]`
    List,
    Any,
    All,
    Count,
    Sum,
    Min,
    Max,
}

impl ComprehensionKind {
    /// The function name of a quantifier or aggregate; `None` for a list comprehension.
    pub fn function_name(self) -> Option<&'static str> {
        match self {
            ComprehensionKind::List => None,
            ComprehensionKind::Any => Some("any"),
            ComprehensionKind::All => Some("all"),
            ComprehensionKind::Count => Some("count"),
            ComprehensionKind::Sum => Some("sum"),
            ComprehensionKind::Min => Some("min"),
            ComprehensionKind::Max => Some("max"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// ruleset blocks (SPEC 5)

/// `ruleset "name" { ... }`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RulesetBlock {
    pub name: StrLit,
    pub statements: Vec<RulesetStatement>,
    pub span: Span,
}

/// One statement of a ruleset. `keyword` is the statement's first word, kept so the
/// checker can point at a duplicate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RulesetStatement {
    pub keyword: Ident,
    pub kind: RulesetStatementKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RulesetStatementKind {
    /// `description "text"`
    Description(StrLit),
    /// `action open, update`: names are checked by the checker, not the parser.
    Action(Vec<Ident>),
    /// `environments "acme/*/prod", "acme/*/prod-*"`
    Environments(Vec<StrLit>),
    /// `approvers team "sre", user "carol@acme.io", permission "env:admin"`
    Approvers(Vec<Approver>),
    /// `require N approval(s)`; the count as written, sign included, for the checker.
    Require { count: i64, count_span: Span },
    /// `self_approval allowed|denied`
    SelfApproval { allowed: bool },
    /// `reapprove_on_change true|false`
    ReapproveOnChange(bool),
    /// `max_access_duration 4h` (or a string such as `"PT4H"`).
    MaxAccessDuration(DurationText),
    /// `max_grant_expiration 24h`
    MaxGrantExpiration(DurationText),
    /// `enabled true|false`
    Enabled(bool),
}

/// A duration as written in a ruleset; parsed and checked by the checker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurationText {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApproverKind {
    Team,
    User,
    Permission,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approver {
    pub kind: ApproverKind,
    pub value: StrLit,
    pub span: Span,
}

// ---------------------------------------------------------------------------------------
// test blocks (SPEC 6)

/// `test "name" { ... }`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestBlock {
    pub name: StrLit,
    pub statements: Vec<TestStatement>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestStatement {
    pub kind: TestStatementKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TestStatementKind {
    /// `input "path"` (relative to the file) or `input { ... }`.
    Input(TestInput),
    /// `set a.b[0].c = EXPR`: the target is a path rooted at a name.
    Set {
        target: Expr,
        value: Expr,
    },
    /// `now "2026-11-21T10:00:00Z"`
    Now(StrLit),
    Expect(Expectation),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TestInput {
    File(StrLit),
    Inline(Expr),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Expectation {
    /// `expect deny`
    Verdict(VerdictKw),
    /// `expect no warn`: no outcome with this verdict.
    No(VerdictKw),
    /// `expect outcomes 3`
    Outcomes { count: i64, count_span: Span },
    /// `expect message contains "text"`: some outcome's message contains it.
    MessageContains(StrLit),
    /// `expect message == "text"`: some outcome's message is exactly it.
    MessageEquals(StrLit),
    /// `expect defaulted` / `expect not defaulted`
    Defaulted(bool),
}
