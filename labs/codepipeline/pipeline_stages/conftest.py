"""The CodePipeline lab undoes its pipelines (labkit.deploy_tools) on backends that keep state."""

from labkit.deploy_tools import deploy_tracker, tracked

__all__ = ["deploy_tracker", "tracked"]
