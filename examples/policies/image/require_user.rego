# METADATA
# title: Image runs as root
# description: >-
#   The image config sets no USER, or sets root, so containers run as root unless the runtime
#   overrides it. Input: {"config": <OCI image config>, "files": […], "packages": […], "shadow": […]}.
# custom:
#   id: BWU-IMG-001
#   severity: HIGH
#   recommended_actions: Add a non-root user in the Dockerfile and switch to it with USER.
#   frameworks:
#     cis-docker: ["4.1"]
#     nist-800-190: ["4.1.2 Image configuration defects"]
#   input:
#     selector:
#       - type: image
package user.image.require_user

import rego.v1

user := object.get(input, ["config", "config", "User"], "")

# The user part of USER user[:group].
name := split(user, ":")[0]

deny contains "the image config sets no USER: containers run as root" if name == ""

deny contains msg if {
	name in {"root", "0"}
	msg := sprintf("the image config sets USER \"%s\": containers run as root", [user])
}
