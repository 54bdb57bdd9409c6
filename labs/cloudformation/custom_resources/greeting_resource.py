"""A custom resource provider: the Lambda function CloudFormation calls for a Custom::Greeting resource.

CloudFormation invokes it with RequestType Create, Update or Delete, the resource's properties and a
ResponseURL (a presigned S3 URL on AWS). The function does its work, then PUTs its answer there: SUCCESS or
FAILED, a PhysicalResourceId, and Data, whose keys the template reads with Fn::GetAtt. Until that answer
arrives, the resource stays *_IN_PROGRESS.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any


def answer(event: dict[str, Any], status: str, reason: str, data: dict[str, str]) -> dict[str, Any]:
    """The response document CloudFormation expects at the ResponseURL."""
    return {
        "Status": status,
        "Reason": reason,
        "PhysicalResourceId": event.get("PhysicalResourceId") or f"greeting-{event['RequestId']}",
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "Data": data,
    }


def lambda_handler(event: dict[str, Any], context: Any) -> None:
    name = event["ResourceProperties"].get("Name", "")
    if event["RequestType"] == "Delete":
        document = answer(event, "SUCCESS", "nothing to clean up", {})
    elif not name:
        document = answer(event, "FAILED", "Name must not be empty", {})
    else:
        document = answer(event, "SUCCESS", "greeted", {"Message": f"Hello, {name}!"})
    body = json.dumps(document).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    urllib.request.urlopen(request, timeout=10).close()
