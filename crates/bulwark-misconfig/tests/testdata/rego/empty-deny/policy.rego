# METADATA
# title: Pods with more than 1000 containers
# custom:
#   id: EMPTY-001
#   severity: MEDIUM
#   input:
#     selector:
#       - type: kubernetes
package user.kubernetes.empty_deny

import rego.v1

deny contains msg if {
	count(input.spec.template.spec.containers) > 1000
	msg := "far too many containers"
}
