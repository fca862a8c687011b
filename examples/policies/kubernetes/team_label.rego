# METADATA
# title: Object without a "team" label
# description: Every object must say which team owns it in its metadata.labels.team.
# custom:
#   id: BWU-K8S-002
#   severity: LOW
#   recommended_actions: Add metadata.labels.team with the owning team's name.
#   input:
#     selector:
#       - type: kubernetes
package user.kubernetes.team_label

import rego.v1

deny contains msg if {
	not input.metadata.labels.team
	msg := sprintf("%s \"%s\" has no \"team\" label", [input.kind, input.metadata.name])
}
