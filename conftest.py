"""Root conftest: every lab and test runs under the labkit plugin (backends, markers, guard, fixtures)."""

pytest_plugins = ["labkit.plugin", "labkit.lambda_fixtures"]
