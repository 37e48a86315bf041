//! Which rules fired in at least one test, per policy file.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::source::Location;

/// A rule that can fire: a `.policy` rule, or a Rego rule body producing outcomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverableRule {
    pub policy: String,
    pub rule: String,
    pub location: Location,
}

#[derive(Clone, Debug, Serialize)]
pub struct CoveredRule {
    pub policy: String,
    pub rule: String,
    pub location: Location,
    pub fired: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct FileCoverage {
    pub file: String,
    pub covered: usize,
    pub total: usize,
    pub percent: f64,
    pub rules: Vec<CoveredRule>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub covered: usize,
    pub total: usize,
    pub percent: f64,
    pub files: Vec<FileCoverage>,
}

/// Coverage of `rules` given the locations of the rules that fired. A file with no
/// rules counts as fully covered.
pub fn compute(rules: &[CoverableRule], fired: &HashSet<Location>) -> Coverage {
    let mut by_file: BTreeMap<String, Vec<CoveredRule>> = BTreeMap::new();
    for rule in rules {
        by_file
            .entry(rule.location.file.to_string())
            .or_default()
            .push(CoveredRule {
                policy: rule.policy.clone(),
                rule: rule.rule.clone(),
                location: rule.location.clone(),
                fired: fired.contains(&rule.location),
            });
    }
    let files: Vec<FileCoverage> = by_file
        .into_iter()
        .map(|(file, mut rules)| {
            rules.sort_by(|a, b| a.location.cmp(&b.location));
            let covered = rules.iter().filter(|rule| rule.fired).count();
            FileCoverage {
                file,
                covered,
                total: rules.len(),
                percent: percent(covered, rules.len()),
                rules,
            }
        })
        .collect();
    let covered = files.iter().map(|file| file.covered).sum();
    let total = files.iter().map(|file| file.total).sum();
    Coverage {
        covered,
        total,
        percent: percent(covered, total),
        files,
    }
}

fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        return 100.0;
    }
    // Rounded to one decimal place so reports are stable.
    let exact = covered as f64 * 100.0 / total as f64;
    (exact * 10.0).floor() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(file: &str, line: u32) -> CoverableRule {
        CoverableRule {
            policy: "p".into(),
            rule: "deny".into(),
            location: Location::new(file, line, 3),
        }
    }

    #[test]
    fn coverage_counts_fired_rules_per_file() {
        let rules = [
            rule("a.policy", 4),
            rule("a.policy", 2),
            rule("a.policy", 9),
            rule("b.rego", 1),
        ];
        let fired: HashSet<Location> = [
            Location::new("a.policy", 4, 3),
            Location::new("b.rego", 1, 3),
        ]
        .into();
        let coverage = compute(&rules, &fired);
        assert_eq!((coverage.covered, coverage.total), (2, 4));
        assert_eq!(coverage.percent, 50.0);
        let a = &coverage.files[0];
        assert_eq!(
            (a.file.as_str(), a.covered, a.total, a.percent),
            ("a.policy", 1, 3, 33.3)
        );
        let lines: Vec<u32> = a.rules.iter().map(|r| r.location.line).collect();
        assert_eq!(lines, [2, 4, 9]);
        assert_eq!(compute(&[], &fired).percent, 100.0);
    }
}
