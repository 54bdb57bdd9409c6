"""The Beanstalk lab terminates its environments and deletes its applications (labkit.deploy_tools), and removes
the instance profile before the harness deletes its role."""

from labkit.deploy_tools import deploy_tracker, tracked

__all__ = ["deploy_tracker", "tracked"]
