"""Fixtures shared by the networking labs (labkit.network): an EC2 client, and what each test creates undone
after it on backends that keep state (host LocalStack, AWS) by the harness's tracker."""

from labkit.network import ec2  # noqa: F401  (a pytest fixture)
