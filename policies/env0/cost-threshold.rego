# Hold deployments whose monthly cost grows by more than a threshold.
#
# policyData.maxCostIncrease (default 100) is the largest monthly increase, in the plan's
# currency, that goes ahead without review.
package env0.cost_threshold

import rego.v1

threshold := object.get(input, ["policyData", "maxCostIncrease"], 100)

increase := input.costEstimation.monthlyCostDiff

pending contains msg if {
	increase > threshold
	msg := sprintf("monthly cost increase of %v exceeds the review threshold of %v", [increase, threshold])
}
