"""The state machines of this lab, in Amazon States Language, one per behaviour."""

PATHS = {
    "Comment": "Pass, Choice, Parallel and Map: the route depends on the input",
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": {"items": [1, 2, 3]}, "ResultPath": "$.prepared", "Next": "IsBig"},
        "IsBig": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.value", "NumericGreaterThan": 5, "Next": "FanOut"}],
            "Default": "Small",
        },
        "Small": {"Type": "Pass", "Result": "small", "End": True},
        "FanOut": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "Result": "left", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "Result": "right", "End": True}}},
            ],
            "ResultPath": "$.branches",
            "Next": "EachItem",
        },
        "EachItem": {
            "Type": "Map",
            "ItemsPath": "$.prepared.items",
            "Iterator": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
            "ResultPath": "$.mapped",
            "End": True,
        },
    },
}

WAIT = {
    "StartAt": "WaitASecond",
    "States": {
        "WaitASecond": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}

FAIL = {
    "StartAt": "Reject",
    "States": {"Reject": {"Type": "Fail", "Error": "Order.Rejected", "Cause": "credit limit exceeded"}},
}

RETRY_THEN_CATCH = {
    "StartAt": "Flaky",
    "States": {
        "Flaky": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Flaky.Error", "Cause": "always"}}}
            ],
            "Retry": [{"ErrorEquals": ["Flaky.Error"], "IntervalSeconds": 1, "MaxAttempts": 1, "BackoffRate": 1}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}],
            "Next": "Done",
        },
        "Recover": {"Type": "Pass", "Result": "recovered", "ResultPath": "$.outcome", "End": True},
        "Done": {"Type": "Succeed"},
    },
}
