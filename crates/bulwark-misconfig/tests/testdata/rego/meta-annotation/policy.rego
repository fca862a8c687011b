# METADATA
# title: Privileged container
# description: A privileged container has every capability and all host devices.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
# custom:
#   id: SAME-001
#   severity: CRITICAL
#   recommended_actions: Remove securityContext.privileged.
#   frameworks:
#     pss: ["baseline: Privileged Containers"]
#     nsa-cisa: ["Non-root containers and privileged pods"]
#     cis-docker: ["5.4"]
#     nist-800-190: ["4.4.3"]
#   input:
#     selector:
#       - type: kubernetes
package user.kubernetes.same

import rego.v1

deny contains res if {
	some c in input.spec.template.spec.containers
	c.securityContext.privileged == true
	res := {"msg": sprintf("container \"%s\" is privileged", [c.name]), "resource": "the-resource"}
}
