"""Root conftest: every lab and test runs under the labkit plugin (backends, markers, guard, fixtures), with the
Lambda fixtures (``lambda_function``, ``lambda_role``), the serverless ones (``grant``, ``inbox``) and ``ec2``."""

pytest_plugins = ["labkit.plugin", "labkit.lambda_fixtures", "labkit.serverless", "labkit.network"]
