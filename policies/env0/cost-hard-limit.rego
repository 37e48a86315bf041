# Cancel deployments whose total monthly cost would exceed a hard limit.
#
# policyData.hardMonthlyLimit (default 5000) is the limit.
package env0.cost_hard_limit

import rego.v1

limit := object.get(input, ["policyData", "hardMonthlyLimit"], 5000)

deny contains msg if {
	input.costEstimation.totalMonthlyCost > limit
	msg := sprintf("total monthly cost of %v exceeds the hard limit of %v", [input.costEstimation.totalMonthlyCost, limit])
}
