# Let scheduled drift correction and plans that change nothing go ahead without review.
package env0.auto_allow

import rego.v1

allow contains "scheduled drift correction goes ahead without review" if {
	input.deploymentRequest.triggerName == "scheduled"
}

allow contains "the plan changes nothing" if {
	count(input.plan.resource_changes) > 0
	every change in input.plan.resource_changes {
		change.change.actions == ["no-op"]
	}
}
