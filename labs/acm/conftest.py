"""Fixtures shared by the networking labs (labkit.network): clients whose creations are undone after each test
on backends that keep state (host LocalStack, AWS), availability zones, instances waited for."""

from labkit.network import ec2, tidy_up, watched_client  # noqa: F401  (pytest fixtures)
