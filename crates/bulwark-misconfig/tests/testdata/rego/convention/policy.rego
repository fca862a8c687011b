package user.dockerfile.convention

import rego.v1

deny contains "any Dockerfile" if true
