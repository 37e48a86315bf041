package constants

import rego.v1

limit := object.get(input, ["policyData", "hardMonthlyLimit"], 5000)

total := input.costEstimation.totalMonthlyCost

name := lower(trim_space(object.get(input.deployerUser, "email", "")))

types := ["aws_iam_role", "aws_s3_bucket"]

owned := object.get(input, ["policyData", "ownedTypes"], types)

deny contains sprintf("%v over %v", [total, limit]) if total > limit

pending contains name if not name in {"", "nobody"}

warn contains change.address if {
	some change in input.plan.resource_changes
	change.type in owned
	every limit in change.change.actions { limit != "no-op" }
}

allow contains "cheap" if total * 2 < limit
