"""CloudFront helpers shared by the labs: the managed cache policies' ids and a cache behaviour with its own TTLs."""

from __future__ import annotations

from typing import Any

#: The managed cache policies' ids
#: (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html).
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
#: The id the labs give their one origin.
ORIGIN_ID = "s3-origin"


def legacy_behaviour(**ttls: Any) -> dict[str, Any]:
    """A cache behaviour with its own TTLs and forwarded values (the settings the notes' console shows), for the
    labs' origin; ``MinTTL`` is 0 unless given."""
    return {
        "TargetOriginId": ORIGIN_ID,
        "ViewerProtocolPolicy": "redirect-to-https",
        "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
        "MinTTL": 0,
        **ttls,
    }
