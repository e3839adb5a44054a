"""The push API: CI/CD systems push deployments and incidents to a `push` integration with its push token."""

# The integration type whose data arrives by push instead of by sync.
PUSH_TYPE = "push"
