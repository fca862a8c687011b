package user.kubernetes.data_merge

import rego.v1

deny contains sprintf("%s in %s is listed", [input.kind, data.settings.env]) if input.kind in data.lists.kinds
