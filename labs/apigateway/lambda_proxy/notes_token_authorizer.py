"""A Lambda TOKEN authorizer for the notes API.

API Gateway calls it with the request's Authorization header as ``authorizationToken`` and the ARN of the
method called as ``methodArn``, and acts on the IAM policy it returns:

- ``Bearer allow-<user>``: Allow execute-api:Invoke on the method, principalId <user>, context {"plan": "gold"}
  (API Gateway passes both on to the backend in requestContext.authorizer)
- ``Bearer deny``: an explicit Deny, so API Gateway answers 403
- anything else: ``raise Exception("Unauthorized")``, which API Gateway answers with 401
"""


def policy(principal, effect, method_arn, context=None):
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": method_arn}
    answer = {"principalId": principal, "policyDocument": {"Version": "2012-10-17", "Statement": [statement]}}
    if context:
        answer["context"] = context
    return answer


def lambda_handler(event, context):
    token = event["authorizationToken"]
    if token.startswith("Bearer allow-"):
        return policy(token.removeprefix("Bearer allow-"), "Allow", event["methodArn"], {"plan": "gold"})
    if token == "Bearer deny":
        return policy("nobody", "Deny", event["methodArn"])
    raise Exception("Unauthorized")
