# METADATA
# title: Container image from a registry that is not allowed
# description: >-
#   Workloads must pull their images through the company mirror. Images from the registries
#   listed in data.bulwark_examples.denied_registries (Docker Hub by default, which is also where
#   an image without a registry host comes from) are refused.
# related_resources:
#   - https://kubernetes.io/docs/concepts/containers/images/
# custom:
#   id: BWU-K8S-001
#   severity: HIGH
#   recommended_actions: Pull the image through the internal mirror (mirror.example.com/…).
#   frameworks:
#     nist-800-190: ["4.1.5 Use of untrusted images"]
#     nsa-cisa: ["Pod security: use trusted images"]
#   input:
#     selector:
#       - type: kubernetes
package user.kubernetes.registry

import rego.v1

# Pod templates of every workload kind, the Pod itself included.
pod_specs contains input.spec if input.kind == "Pod"

pod_specs contains input.spec.template.spec if input.spec.template.spec

pod_specs contains input.spec.jobTemplate.spec.template.spec if input.kind == "CronJob"

containers contains c if {
	some spec in pod_specs
	some field in ["initContainers", "containers", "ephemeralContainers"]
	some c in spec[field]
}

# The registry host of an image reference: its first path component when that looks like a host
# (has a dot or a port, or is localhost), else Docker Hub.
registry(image) := host if {
	parts := split(image, "/")
	count(parts) > 1
	first := parts[0]
	regex.match(`[.:]|^localhost$`, first)
	host := first
} else := "docker.io"

deny contains res if {
	some c in containers
	host := registry(c.image)
	host in data.bulwark_examples.denied_registries
	msg := sprintf("container \"%s\" uses image \"%s\" from registry \"%s\"", [c.name, c.image, host])
	res := result.new(msg, c)
}
