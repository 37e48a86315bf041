package env0

deny[msg] {
	some i
	input.plan.resource_changes[i].change.actions[_] == "delete"
	msg := sprintf("%*d %v %[1]s", [3, 7, input])
}

pending["review"] {
	not input.approvers
}
