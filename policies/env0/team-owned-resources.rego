# Only members of the owning team may change certain resource types.
#
# policyData.ownedTypes (default IAM types) and policyData.owningTeam (default "security").
package env0.team_owned_resources

import rego.v1

default_types := ["aws_iam_role", "aws_iam_policy", "aws_iam_role_policy_attachment", "aws_iam_user"]

owned_types := object.get(input, ["policyData", "ownedTypes"], default_types)

owning_team := object.get(input, ["policyData", "owningTeam"], "security")

deployer_in_team if {
	some team in input.deployerUser.teams
	owning_team in {team.id, team.name}
}

changes_resource(change) if {
	some action in change.change.actions
	action != "no-op"
	action != "read"
}

deny contains msg if {
	not deployer_in_team
	some change in input.plan.resource_changes
	change.type in owned_types
	changes_resource(change)
	msg := sprintf("only the %s team may change %s", [owning_team, change.address])
}
