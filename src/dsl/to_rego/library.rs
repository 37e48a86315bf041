//! The helper library compiled policies import: `verdict.lib` (the operators, the builtins
//! and the time zones they know) and `verdict.fn` (the builtins under their own names).

use super::RegoModuleText;
use super::literal;

/// Every module of the library, in the order `verdict compile` prints them.
pub fn library() -> Vec<RegoModuleText> {
    vec![
        module("verdict/lib.rego", "verdict.lib", include_str!("lib.rego")),
        module(
            "verdict/builtins.rego",
            "verdict.lib",
            include_str!("builtins.rego"),
        ),
        module("verdict/zones.rego", "verdict.lib", &time_zones()),
        module("verdict/fn.rego", "verdict.fn", include_str!("fn.rego")),
    ]
}

fn module(path: &str, package: &str, text: &str) -> RegoModuleText {
    RegoModuleText {
        path: path.to_string(),
        package: package.to_string(),
        text: text.to_string(),
    }
}

/// The time zones of the database the policy language reads zones from: a zone outside it
/// is null there, so the library asks no engine about one.
fn time_zones() -> String {
    let mut text = String::from(
        "# The IANA time zones the policy language knows, from the time zone database verdict\n\
         # was built with: `hour`, `minute`, `weekday` and `date` give null for any other.\n\
         package verdict.lib\n\nimport rego.v1\n\ntime_zones := {\n",
    );
    for zone in chrono_tz::TZ_VARIANTS {
        text.push('\t');
        text.push_str(&literal::string(zone.name()));
        text.push_str(",\n");
    }
    text.push_str("}\n");
    text
}
