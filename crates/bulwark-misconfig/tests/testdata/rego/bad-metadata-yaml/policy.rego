# METADATA
# title: [unclosed
# custom:
#   id: BAD-002
package user.kubernetes.bad_yaml

import rego.v1

deny contains "always" if true
