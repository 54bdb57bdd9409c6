"""labkit: the harness behind the AWS labs."""
