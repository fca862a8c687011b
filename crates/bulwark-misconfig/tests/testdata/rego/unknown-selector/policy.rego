# METADATA
# title: A cloud check
# custom:
#   id: CLOUD-001
#   frameworks:
#     soc2: ["CC6.1"]
#   input:
#     selector:
#       - type: cloud
package user.cloud.thing

import rego.v1

deny contains "cloud" if true
