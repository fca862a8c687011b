# METADATA
# title: Several rule names and result shapes
# custom:
#   id: RULES-001
#   severity: HIGH
#   input:
#     selector:
#       - type: dockerfile
package user.dockerfile.rules

import rego.v1

# A deny_ rule yielding Trivy-style objects with lines.
deny_add contains res if {
	some stage in input.Stages
	some cmd in stage.Commands
	cmd.Cmd == "add"
	res := {"msg": "ADD used", "startline": cmd.StartLine, "endline": cmd.EndLine}
}

# violation yields objects as conftest does.
violation contains {"msg": "no USER instruction"} if {
	every stage in input.Stages {
		every cmd in stage.Commands {
			cmd.Cmd != "user"
		}
	}
}

# warn: graded LOW at most.
warn_latest contains msg if {
	some stage in input.Stages
	endswith(stage.Name, ":latest")
	msg := sprintf("stage \"%s\" uses a latest tag", [stage.Name])
}

# Not an enforced rule: a helper.
denylist := {"add"}
