# METADATA
# title: Severity that does not exist
# custom:
#   id: BAD-001
#   severity: EXTREME
package user.kubernetes.bad_severity

import rego.v1

deny contains "always" if true
