"""The compute labs' tracked clients: the Network Load Balancer behind an endpoint service is deleted after each
test where state is kept (labkit.compute, until labkit.cleanup undoes elbv2 itself)."""

from labkit.compute import compute_tracker, tracked_client  # noqa: F401  (pytest fixtures)
