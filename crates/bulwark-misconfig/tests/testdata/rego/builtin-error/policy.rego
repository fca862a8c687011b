# METADATA
# title: Built-in errors make expressions undefined
# custom:
#   id: BUILTIN-001
#   input:
#     selector:
#       - type: kubernetes
package user.kubernetes.builtin_error

import rego.v1

# An invalid regular expression: an error inside regex.match.
deny contains "bad regex matched" if regex.match("(unclosed", input.kind)

# A conversion error inside to_number.
deny contains "number" if to_number(input.kind) > 1

# Still evaluated: the errors above do not stop the rule's other bodies.
deny contains sprintf("kind is %s", [input.kind]) if input.kind == "Deployment"
