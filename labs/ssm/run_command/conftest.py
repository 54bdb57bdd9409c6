"""The Run Command lab undoes its instance profile (labkit.deploy_tools) before the harness deletes the role."""

from labkit.deploy_tools import deploy_tracker, tracked

__all__ = ["deploy_tracker", "tracked"]
