package user.kubernetes.with_data

import rego.v1

deny contains "listed" if input.kind in data.kinds
