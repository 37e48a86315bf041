# Warn when a deployment destroys its environment.
#
# Rego v0 with a METADATA message.
package env0.warn_destroy

format(meta) := sprintf("%s: %s", [meta.title, meta.description])

# METADATA
# title: Environment destroyed
# description: This deployment destroys every resource of the environment
warn[format(rego.metadata.rule())] {
	input.deploymentRequest.type == "destroy"
}
