package user.kubernetes.same

__rego_metadata__ := {
	"id": "SAME-001",
	"title": "Privileged container",
	"description": "A privileged container has every capability and all host devices.",
	"url": "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
	"severity": "CRITICAL",
	"recommended_actions": "Remove securityContext.privileged.",
	"frameworks": {
		"pss": ["baseline: Privileged Containers"],
		"nsa-cisa": ["Non-root containers and privileged pods"],
		"cis-docker": ["5.4"],
		"nist-800-190": ["4.4.3"],
	},
}

__rego_input__ := {"selector": [{"type": "kubernetes"}]}

deny[res] {
	c := input.spec.template.spec.containers[_]
	c.securityContext.privileged == true
	res := {"msg": sprintf("container \"%s\" is privileged", [c.name]), "resource": "the-resource"}
}
