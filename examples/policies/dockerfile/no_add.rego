# METADATA
# title: ADD instead of COPY
# description: >-
#   ADD fetches URLs and unpacks archives implicitly; COPY does only what it says. Input is the
#   Trivy-shaped Dockerfile document: input.Stages[].Commands[] with Cmd, Value, StartLine, EndLine.
# custom:
#   id: BWU-DF-001
#   severity: MEDIUM
#   recommended_actions: Use COPY for local files; fetch remote files with curl or wget in a RUN step and verify them.
#   frameworks:
#     cis-docker: ["4.9"]
#     hadolint: ["DL3020"]
#   input:
#     selector:
#       - type: dockerfile
package user.dockerfile.no_add

import rego.v1

deny contains res if {
	some stage in input.Stages
	some cmd in stage.Commands
	cmd.Cmd == "add"
	msg := sprintf("ADD %s: use COPY instead", [concat(" ", cmd.Value)])
	res := result.new(msg, cmd)
}
