//! "Did you mean ...?": the closest of some known names to a misspelt one.

/// The candidate closest to `name`, when one is close enough to be a likely misspelling:
/// the same letters in another case, or within a few edits (a third of the name's length).
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let lowered = name.to_lowercase();
    let allowed = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|candidate| *candidate != name)
        .map(|candidate| {
            let distance = if candidate.to_lowercase() == lowered {
                0
            } else {
                strsim::osa_distance(name, candidate)
            };
            (distance, candidate)
        })
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        let fields = ["costEstimation", "approvers", "template"];
        assert_eq!(closest("costEstimaton", fields), Some("costEstimation"));
        assert_eq!(closest("Approvers", fields), Some("approvers"));
        assert_eq!(closest("aprovers", fields), Some("approvers"));
        assert_eq!(closest("deployment", fields), None);
        assert_eq!(closest("x", fields), None);
        assert_eq!(closest("approvers", fields), None);
    }

    #[test]
    fn prefers_the_nearest() {
        assert_eq!(closest("lowr", ["upper", "lower", "len"]), Some("lower"));
    }
}
