"""The serverless labs' shared fixtures: ``inbox`` (a queue the test reads) and ``grant`` (role permissions)."""

from labkit.serverless import grant, inbox  # noqa: F401
