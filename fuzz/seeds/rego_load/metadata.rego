# METADATA
# title: Costs
# description: Cost guard
package env0.cost

import rego.v1

# METADATA
# title: Too costly
# description: The monthly cost rises too much
# custom:
#   severity: high
deny contains format(rego.metadata.rule()) if {
	input.costEstimation.monthlyCostDiff > 100
}

format(meta) := sprintf("%s: %s", [meta.title, meta.description])

warn contains msg if {
	chain := rego.metadata.chain()
	msg := sprintf("%d annotations", [count(chain)])
}
