# METADATA
# title: A policy that takes very long
# custom:
#   id: SLOW-001
#   input:
#     selector:
#       - type: kubernetes
package user.kubernetes.slow

import rego.v1

deny contains msg if {
	n := count([1 | some i in numbers.range(1, 4000); some j in numbers.range(1, 4000); i != j])
	msg := sprintf("counted %d pairs", [n])
}
