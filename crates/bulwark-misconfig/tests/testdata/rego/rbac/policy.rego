# METADATA
# title: Wildcard verbs in a role
# custom:
#   id: RBAC-001
#   severity: HIGH
#   input:
#     selector:
#       - type: rbac
package user.rbac.wildcard

import rego.v1

deny contains msg if {
	some rule in input.rules
	"*" in rule.verbs
	msg := sprintf("%s \"%s\" allows every verb", [input.kind, input.metadata.name])
}

# Fires on any object: shows the policy only runs on RBAC kinds.
warn contains "seen" if true
