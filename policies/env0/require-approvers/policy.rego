# Require N approvals from people other than the deployer.
#
# policyData.requiredApprovers (default 1, see configurationSchema.json) sets N.
# Scheduled drift-correction runs and plans that change nothing have nothing to approve;
# documents that are not deployments (no deploymentRequest) are not this policy's business.
package env0.require_approvers

import rego.v1

required := input.policyData.requiredApprovers

deployer := lower(trim_space(object.get(input.deployerUser, "email", "")))

# Approvers other than the deployer, one per address (caseless, trimmed; "" is nobody).
other_approvers contains email if {
	some approver in input.approvers
	email := lower(trim_space(approver.email))
	not email in {"", deployer}
}

nothing_to_approve if not input.deploymentRequest

nothing_to_approve if input.deploymentRequest.triggerName == "scheduled"

nothing_to_approve if {
	count(input.plan.resource_changes) > 0
	every change in input.plan.resource_changes {
		change.change.actions == ["no-op"]
	}
}

pending contains msg if {
	not nothing_to_approve
	count(other_approvers) < required
	msg := sprintf("%d of %d approvals from someone other than the deployer", [count(other_approvers), required])
}

allow contains msg if {
	not nothing_to_approve
	count(other_approvers) >= required
	msg := sprintf("approved by %s", [concat(", ", sort(other_approvers))])
}
