"""What ``docker push`` does, with the ECR API alone: upload each blob (the image's layers and its config) with
InitiateLayerUpload, UploadLayerPart and CompleteLayerUpload, then PutImage with a manifest that names the blobs by
their sha256 digest. The image here is one small layer holding one file, built the same way every time."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from typing import Any

MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG = "application/vnd.docker.container.image.v1+json"
LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def layer(name: str, content: bytes) -> tuple[bytes, bytes]:
    """(the layer as pushed: a gzipped tar with one file, the tar itself: what the config's diff_ids name)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo(name)
        info.size, info.mtime = len(content), 0
        tar.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), mtime=0), raw.getvalue()


def upload_blob(ecr: Any, repository: str, blob: bytes) -> str:
    """Upload one blob in a single part; its digest."""
    upload = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    ecr.upload_layer_part(repositoryName=repository, uploadId=upload, partFirstByte=0, partLastByte=len(blob) - 1,
                          layerPartBlob=blob)  # fmt: skip
    ecr.complete_layer_upload(repositoryName=repository, uploadId=upload, layerDigests=[digest(blob)])
    return digest(blob)


def manifest(content: bytes, upload: Any = None) -> tuple[str, list[bytes]]:
    """An image manifest for one layer holding ``cats.txt`` with ``content``, and the blobs it names (layer, config).
    ``upload(blob)`` is called for each blob first when given."""
    pushed, tar = layer("cats.txt", content)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [digest(tar)]}}).encode()  # fmt: skip
    for blob in (pushed, config):
        if upload:
            upload(blob)
    document = {
        "schemaVersion": 2, "mediaType": MANIFEST,
        "config": {"mediaType": CONFIG, "size": len(config), "digest": digest(config)},
        "layers": [{"mediaType": LAYER, "size": len(pushed), "digest": digest(pushed)}],
    }  # fmt: skip
    return json.dumps(document), [pushed, config]


def push(ecr: Any, repository: str, tag: str, content: bytes) -> str:
    """Push a one-layer image as ``repository:tag``; the manifest that was put."""
    document, _ = manifest(content, upload=lambda blob: upload_blob(ecr, repository, blob))
    ecr.put_image(repositoryName=repository, imageManifest=document, imageManifestMediaType=MANIFEST, imageTag=tag)
    return document
