//! The input document of SPEC 2 as far as policies may rely on it: its known fields, so
//! that a path into the input that the document cannot have is reported as a warning.
//!
//! Only the parts SPEC 2 describes as objects are checked; `plan` (any plan JSON),
//! `policyData` (per-policy configuration) and the keys of `environments` are open.

/// The shape of a part of the input document.
#[derive(Debug)]
pub enum Shape {
    /// Anything: nothing below it is checked.
    Open,
    /// A string, number or boolean.
    Scalar,
    /// An object with these fields.
    Object(&'static [(&'static str, Shape)]),
    /// An array of elements of one shape.
    List(&'static Shape),
    /// An object with any keys, each holding a value of one shape.
    Map(&'static Shape),
}

/// Teams are strings or `{"id", "name"}` objects.
const TEAM: Shape = Shape::Object(&[("id", Shape::Scalar), ("name", Shape::Scalar)]);

/// A person: a deployer, an approver, a requester, a reviewer.
const PERSON: Shape = Shape::Object(&[
    ("id", Shape::Scalar),
    ("name", Shape::Scalar),
    ("email", Shape::Scalar),
    ("teams", Shape::List(&TEAM)),
    ("permissions", Shape::List(&Shape::Scalar)),
    ("ephemeral", Shape::Scalar),
]);

const REVIEW: Shape = Shape::Object(&[
    ("by", PERSON),
    ("decision", Shape::Scalar),
    ("revision", Shape::Scalar),
    ("at", Shape::Scalar),
    ("comment", Shape::Scalar),
]);

const GRANT: Shape = Shape::Object(&[
    ("environment", Shape::Scalar),
    ("identity", Shape::Scalar),
    ("request", Shape::Scalar),
    ("approvedAt", Shape::Scalar),
    ("appliedAt", Shape::Scalar),
    ("firstOpenedAt", Shape::Scalar),
    ("accessDuration", Shape::Scalar),
    ("grantExpiration", Shape::Scalar),
    ("revokedAt", Shape::Scalar),
]);

const ENVIRONMENT: Shape = Shape::Object(&[("imports", Shape::List(&Shape::Scalar))]);

const REQUEST: Shape = Shape::Object(&[
    ("id", Shape::Scalar),
    ("action", Shape::Scalar),
    ("environment", Shape::Scalar),
    ("requester", PERSON),
    ("revision", Shape::Scalar),
    ("description", Shape::Scalar),
    ("accessDuration", Shape::Scalar),
    ("grantExpiration", Shape::Scalar),
]);

static INPUT: Shape = Shape::Object(&[
    (
        "deploymentRequest",
        Shape::Object(&[
            ("type", Shape::Scalar),
            ("triggerName", Shape::Scalar),
            ("revision", Shape::Scalar),
        ]),
    ),
    (
        "template",
        Shape::Object(&[
            ("id", Shape::Scalar),
            ("name", Shape::Scalar),
            ("type", Shape::Scalar),
            ("repository", Shape::Scalar),
            ("path", Shape::Scalar),
            ("revision", Shape::Scalar),
        ]),
    ),
    (
        "costEstimation",
        Shape::Object(&[
            ("totalMonthlyCost", Shape::Scalar),
            ("monthlyCostDiff", Shape::Scalar),
        ]),
    ),
    ("plan", Shape::Open),
    ("deployerUser", PERSON),
    ("approvers", Shape::List(&PERSON)),
    ("policyData", Shape::Open),
    ("request", REQUEST),
    ("reviews", Shape::List(&REVIEW)),
    ("grants", Shape::List(&GRANT)),
    ("environments", Shape::Map(&ENVIRONMENT)),
    ("now", Shape::Scalar),
]);

/// The whole input document.
pub fn input() -> &'static Shape {
    &INPUT
}

/// What a field access finds in a shape.
#[derive(Debug)]
pub enum Lookup {
    Known(&'static Shape),
    /// The shape is an object without this field; these are the fields it has.
    Unknown(Vec<&'static str>),
    /// Nothing is known below this point.
    Unchecked,
}

impl Shape {
    /// The shape of `self.name`.
    pub fn field(&'static self, name: &str) -> Lookup {
        match self {
            Shape::Object(fields) => match fields.iter().find(|(field, _)| *field == name) {
                Some((_, shape)) => Lookup::Known(shape),
                None => Lookup::Unknown(fields.iter().map(|(field, _)| *field).collect()),
            },
            Shape::Map(values) => Lookup::Known(values),
            Shape::Open | Shape::Scalar | Shape::List(_) => Lookup::Unchecked,
        }
    }

    /// The shape of an element (`[0]`, `[*]`, or an item a loop visits).
    pub fn element(&'static self) -> Option<&'static Shape> {
        match self {
            Shape::List(element) | Shape::Map(element) => Some(element),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(path: &[&str]) -> bool {
        let mut shape = input();
        for name in path {
            match shape.field(name) {
                Lookup::Known(next) => shape = next,
                Lookup::Unknown(_) => return false,
                Lookup::Unchecked => return true,
            }
        }
        true
    }

    #[test]
    fn fields_of_both_dialects_are_known() {
        assert!(known(&["costEstimation", "monthlyCostDiff"]));
        assert!(known(&["deploymentRequest", "type"]));
        assert!(known(&["deployerUser", "email"]));
        assert!(known(&["request", "requester", "ephemeral"]));
        assert!(known(&["environments", "acme/payments/prod", "imports"]));
        assert!(!known(&["costEstimaton"]));
        assert!(!known(&["request", "requestor"]));
        assert!(!known(&["environments", "acme/payments/prod", "import"]));
    }

    #[test]
    fn open_parts_accept_any_field() {
        assert!(known(&["plan", "resource_changes"]));
        assert!(known(&["policyData", "anything", "at", "all"]));
    }

    #[test]
    fn elements_of_lists_have_shapes() {
        let Lookup::Known(approvers) = input().field("approvers") else {
            panic!("approvers is known")
        };
        let approver = approvers.element().unwrap();
        assert!(matches!(approver.field("email"), Lookup::Known(_)));
        assert!(matches!(approver.field("mail"), Lookup::Unknown(_)));
    }
}
