"""The machine images moto's EC2 starts with, made smaller: its default images and the region's latest ones, not
the 1,227 ECS-optimized images it also loads.

moto builds every image, with a volume and a snapshot each, whenever an EC2 backend is created, and the labs
start each test from a fresh backend: 1,301 images took 0.16 s (0.45 s on a busy machine) of every test that
touches EC2, VPCs, load balancers, Auto Scaling or RDS. The labs look images up by name (``labkit.network.
amazon_linux_image``: the newest Amazon Linux 2023), and every image they can find is still there. moto reads
``MOTO_AMIS_PATH`` once, when its EC2 models are imported, so this runs before that.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path

VARIABLE = "MOTO_AMIS_PATH"


def use_fewer_images(region: str = "us-east-1") -> None:
    """Point moto at a file of its default images plus ``region``'s latest ones (unless the user chose a file)."""
    if os.environ.get(VARIABLE):
        return
    import moto

    resources = Path(moto.__file__).parent / "ec2" / "resources"
    target = Path(tempfile.gettempdir()) / f"labs-moto-{moto.__version__}-amis-{region}.json"
    if not target.is_file():
        images = [*_load(resources / "amis.json.gz"), *_load(resources / "latest_amis" / f"{region}.json.gz")]
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(images), encoding="utf-8")
        partial.replace(target)  # atomic: parallel workers never read half a file
    os.environ[VARIABLE] = str(target)


def _load(path: Path) -> list[dict[str, object]]:
    with gzip.open(path, "rt", encoding="utf-8") as file:
        loaded: list[dict[str, object]] = json.load(file)
    return loaded
