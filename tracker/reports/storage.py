"""Where evidence files live (`[storage] backend`): a local directory (one machine, the
default) or an S3-compatible object store (several web machines share it). Both hold
files under the generated names Evidence rows keep; neither knows about the rows."""
from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import IO, Protocol

from flask import current_app

from tracker.config import instance_file


class Storage(Protocol):
    def save(self, name: str, stream: IO[bytes]) -> None: ...
    def open(self, name: str) -> IO[bytes] | None:
        """The file to read, or None when it is missing."""


class LocalStorage:
    """Files in a directory ([uploads] directory, relative to instance/)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def path(self, name: str) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self.directory / name

    def save(self, name: str, stream: IO[bytes]) -> None:
        stream.seek(0)
        with self.path(name).open("wb") as out:
            shutil.copyfileobj(stream, out)

    def open(self, name: str) -> IO[bytes] | None:
        path = self.path(name)
        return path.open("rb") if path.is_file() else None


class S3Storage:
    """Objects in an S3-compatible bucket, under a prefix (boto3)."""

    def __init__(self, bucket: str, prefix: str = "", **client_options) -> None:
        import boto3  # only where the object store is configured

        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client("s3", **client_options)

    def save(self, name: str, stream: IO[bytes]) -> None:
        stream.seek(0)
        # put_object, not upload_fileobj: that one closes the caller's stream.
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=stream.read())

    def open(self, name: str) -> IO[bytes] | None:
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return io.BytesIO(body.read())


def storage() -> Storage:
    """The configured store of the current app (built once per app)."""
    app = current_app._get_current_object()
    cached = app.extensions.get("duban.storage")
    if cached is None:
        cached = app.extensions["duban.storage"] = _from_settings(app)
    return cached


def _from_settings(app) -> Storage:
    cfg = app.config["SETTINGS"]["storage"]
    if cfg["backend"] == "s3":
        options = {"region_name": cfg["s3_region"] or None,
                   "endpoint_url": cfg["s3_endpoint_url"] or None}
        if cfg["s3_access_key_id"]:
            options.update(aws_access_key_id=cfg["s3_access_key_id"],
                           aws_secret_access_key=cfg["s3_secret_access_key"])
        return S3Storage(cfg["s3_bucket"], cfg["s3_prefix"], **options)
    if cfg["backend"] != "local":
        raise ValueError(f"[storage] backend must be 'local' or 's3', not {cfg['backend']!r}")
    return LocalStorage(instance_file(app.config, app.instance_path, "uploads", "directory"))

