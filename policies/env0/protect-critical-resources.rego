# Never delete critical resources (databases, buckets, key stores) through a deployment.
#
# Written in Rego v0 with METADATA messages, as env0's published policies are.
package env0.protect_critical_resources

critical_types := {"aws_db_instance", "aws_rds_cluster", "aws_s3_bucket", "aws_dynamodb_table", "aws_kms_key"}

format(meta) := sprintf("%s: %s", [meta.title, meta.description])

deletes_critical(change) {
	change.change.actions[_] == "delete"
	critical_types[change.type]
}

# METADATA
# title: Critical resource deleted
# description: This plan deletes a database, bucket, table or key; remove it from the plan or delete it by hand
deny[msg] {
	change := input.plan.resource_changes[_]
	deletes_critical(change)
	msg := sprintf("%s (%s)", [format(rego.metadata.rule()), change.address])
}
