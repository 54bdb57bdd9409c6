"""Every service has quotas with a default value, most per Region; many can be raised (Adjustable), some cannot.

Service Quotas answers two questions: what AWS gives every account (ListAWSDefaultServiceQuotas,
GetAWSDefaultServiceQuota) and what applies to this account now (GetServiceQuota: the default, or more after an
approved increase; for some quotas new accounts start lower). Quotas are found by service code and quota code.
"""

from __future__ import annotations

import pytest

from labkit.report import show_table

MODEL = "botocore:service-quotas/2019-06-24"
VPC_QUOTAS = "https://docs.aws.amazon.com/general/latest/gr/vpc-service.html"
LAMBDA_QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
QUOTA_ARN = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_servicequotas.html"
VPCS_PER_REGION = "L-F678F1CE"
ENDPOINT_POLICY_CHARACTERS = "L-3248932A"
LAMBDA_CONCURRENT_EXECUTIONS = "L-B99A9384"
MOTO = ("moto", "moto-server")


def default_quotas(service_quotas, service_code):
    """{quota code: quota} for every default quota of the service, all pages."""
    pages = service_quotas.get_paginator("list_aws_default_service_quotas").paginate(ServiceCode=service_code)
    return {quota["QuotaCode"]: quota for page in pages for quota in page["Quotas"]}


def test_vpcs_per_region_default_to_5_and_can_be_raised(service_quotas):
    quotas = default_quotas(service_quotas, "vpc")
    show_table(
        "some default VPC quotas",
        ["code", "name", "value", "adjustable"],
        [[code, q["QuotaName"], q["Value"], q["Adjustable"]] for code, q in sorted(quotas.items())[:8]],
    )
    vpcs = quotas[VPCS_PER_REGION]

    assert (vpcs["QuotaName"], vpcs["Value"]) == ("VPCs per Region", 5.0)
    assert vpcs["Adjustable"] is True  # a soft limit: an increase can be requested
    assert vpcs["GlobalQuota"] is False  # counted per Region


def test_some_quotas_cannot_be_raised(service_quotas):
    policy = default_quotas(service_quotas, "vpc")[ENDPOINT_POLICY_CHARACTERS]

    assert (policy["QuotaName"], policy["Value"]) == ("Characters per VPC endpoint policy", 20480.0)
    assert policy["Adjustable"] is False  # a hard limit


@pytest.mark.diverges(
    MOTO,
    "has no GetAWSDefaultServiceQuota (NotImplementedError); AWS returns the one default quota asked for",
    evidence=f"{MODEL}#GetAWSDefaultServiceQuota ; {VPC_QUOTAS}",
)
def test_get_aws_default_service_quota_reads_one_default_by_its_code(service_quotas):
    quota = service_quotas.get_aws_default_service_quota(ServiceCode="vpc", QuotaCode=VPCS_PER_REGION)["Quota"]

    assert (quota["QuotaName"], quota["Value"], quota["Adjustable"]) == ("VPCs per Region", 5.0, True)


@pytest.mark.diverges(
    MOTO,
    "gives every quota the ARN arn:aws:servicequotas:eu-west-1::vpc/<code>, with no account and a fixed Region; "
    "an applied quota's ARN names this account and Region",
    evidence=f"{QUOTA_ARN} ; {MODEL}#AmazonResourceName",
)
def test_the_applied_quota_belongs_to_this_account_and_region(service_quotas, aws_account_id, aws_region):
    quota = service_quotas.get_service_quota(ServiceCode="vpc", QuotaCode=VPCS_PER_REGION)["Quota"]

    assert quota["QuotaArn"] == f"arn:aws:servicequotas:{aws_region}:{aws_account_id}:vpc/{VPCS_PER_REGION}"
    assert quota["Value"] >= 5.0  # the default, or more if this account was granted an increase


@pytest.mark.diverges(
    MOTO,
    "knows the vpc quotas only (NoSuchResourceException for lambda); AWS's default for concurrent executions is "
    "1,000 per Region, adjustable",
    evidence=f"{LAMBDA_QUOTAS} ; unverified: the quota code L-B99A9384 for it (not on that page); "
    "`aws service-quotas list-aws-default-service-quotas --service-code lambda` on AWS settles it",
)
def test_lambda_concurrent_executions_default_to_1000_per_region(service_quotas):
    quota = default_quotas(service_quotas, "lambda")[LAMBDA_CONCURRENT_EXECUTIONS]

    assert (quota["QuotaName"], quota["Value"]) == ("Concurrent executions", 1000.0)
    assert quota["Adjustable"] is True
