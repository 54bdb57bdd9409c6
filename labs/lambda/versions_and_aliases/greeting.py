"""A function whose behaviour comes from its configuration: it greets with the GREETING environment variable
and says which version of itself ran and under which ARN it was invoked."""

import os


def lambda_handler(event, context):
    return {
        "greeting": f"{os.environ.get('GREETING', 'hello')}, {event.get('name', 'world')}",
        "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"],
        "invoked_arn": context.invoked_function_arn,
    }
