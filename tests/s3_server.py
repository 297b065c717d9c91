"""An S3-protocol server for the tests: moto's server mode in a child process on 127.0.0.1.

A child process, not a thread: its memory is not this process's, so a test can measure that the
store streams large files, and every request crosses real HTTP.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from storage.s3_blobs import s3_client

# moto accepts any credentials; these make the tests independent of the machine's AWS set-up.
ACCESS_KEY_ID = "AKIAGENBATESTKEY0001"
SECRET_ACCESS_KEY = "genba-test-secret-" + "x" * 22
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MotoServer:
    """`python -m moto.server` listening on a free port of 127.0.0.1."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.endpoint = ""

    def start(self, attempts: int = 3) -> MotoServer:
        for _ in range(attempts):
            port = _free_port()
            with self.log.open("ab") as out:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                    stdout=out,
                    stderr=out,
                )
            self.endpoint = f"http://127.0.0.1:{port}"
            if self._wait_ready():
                return self
            self.stop()  # the port was taken meanwhile: try another
        raise RuntimeError(f"moto server did not start:\n{self.log.read_text()}")

    def _wait_ready(self, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return False
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.endpoint}/moto-api/", timeout=1).status_code < 500:
                    return True
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def client(self):  # an S3Client (mypy_boto3_s3)
        """A boto3 client for this server, with the test credentials."""
        return s3_client(
            endpoint_url=self.endpoint,
            region=REGION,
            access_key_id=ACCESS_KEY_ID,
            secret_access_key=SECRET_ACCESS_KEY,
        )


@dataclass
class Bucket:
    """A fresh bucket on the test server."""

    server: MotoServer
    name: str
    client: object

    def env(self, prefix: str = "genba") -> dict[str, str]:
        """The environment that points genba at this bucket."""
        return {
            "MEDIA_STORE_URL": f"s3://{self.name}/{prefix}",
            "AWS_ENDPOINT_URL": self.server.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            "AWS_REGION": REGION,
        }

    def object_keys(self) -> list[str]:
        """Every object key in the bucket, whatever its prefix."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)  # type: ignore[attr-defined]
        return [o["Key"] for page in pages for o in page.get("Contents", [])]

    def unfinished_uploads(self) -> list[str]:
        """Keys of multipart uploads begun and neither completed nor aborted."""
        found = self.client.list_multipart_uploads(Bucket=self.name)  # type: ignore[attr-defined]
        return [u["Key"] for u in found.get("Uploads", [])]


def new_bucket(server: MotoServer) -> Bucket:
    """Create a bucket with a unique name."""
    client = server.client()
    name = f"genba-test-{secrets.token_hex(6)}"
    client.create_bucket(Bucket=name)
    return Bucket(server=server, name=name, client=client)
