"""The CodeDeploy lab undoes its applications and configurations (labkit.deploy_tools) where state is kept."""

from labkit.deploy_tools import deploy_tracker, tracked

__all__ = ["deploy_tracker", "tracked"]
