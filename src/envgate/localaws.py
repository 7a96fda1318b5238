"""The embedded AWS: a moto server on loopback, and the tofu wiring that points at it.

Nothing here is used against real AWS: the provider override and backend settings are written
only into scratch working copies, and `sandbox_env` makes every non-loopback HTTPS request fail.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from envgate.errors import EnvgateError

DEFAULT_REGION = "us-east-1"  # moto serves Aurora DSQL here; it refused DSQL in us-west-2
STATE_BUCKET = "envgate-tfstate"
LOCK_TABLE = "envgate-tflock"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
# Provider endpoint keys for every service the stack uses.
PROVIDER_SERVICES = (
    "apigateway", "cloudwatch", "dsql", "dynamodb", "events", "iam", "lambda", "logs",
    "s3", "secretsmanager", "sns", "sqs", "sts",
)
OVERRIDE_NAME = "zz_envgate_local_aws_override.tf"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return host in LOOPBACK or host.startswith("127.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class MotoServer:
    """A moto server process on 127.0.0.1; `with MotoServer() as m: m.endpoint`."""

    port: int = 0
    log: Path | None = None
    _proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> MotoServer:
        """Start on a free port. A free port can be handed to two processes at once: the loser's moto
        dies on bind after its health check was answered by the winner's, and two sessions would share
        one AWS. So a server only counts once its own process holds the listening socket."""
        if importlib.util.find_spec("moto.server") is None:
            raise EnvgateError("moto[server] is not installed: run scripts/bootstrap")
        wanted = self.port
        for _ in range(5):
            self.port = wanted or free_port()
            try:
                self._launch(timeout)
            except EnvgateError:
                if wanted:
                    raise
                continue  # lost the port to another process between free_port() and bind
            if _owns_port(self._proc, self.port):
                return self
            self.stop()
        raise EnvgateError(f"moto server could not get a port of its own on 127.0.0.1; see {self.log}")

    def _launch(self, timeout: float) -> None:
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "envgate.motoserver", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ, **FAKE_CREDENTIALS),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise EnvgateError(f"moto server exited at start (code {self._proc.returncode}); see {self.log}")
            if self.healthy():
                return
            time.sleep(0.2)
        self.stop()
        raise EnvgateError(f"moto server did not answer on {self.endpoint} within {timeout:.0f} s")

    def healthy(self) -> bool:
        import urllib.request  # ~0.1 s of imports the static tier, which never starts moto, should not pay

        try:
            with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=2):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def sandbox_env(endpoint: str, region: str = DEFAULT_REGION) -> dict[str, str]:
    """Environment for tofu and boto3 in a local run: fake credentials, the endpoint, and a dead
    proxy for everything that is not loopback, so a missed endpoint fails instead of reaching AWS."""
    if not is_loopback(endpoint):
        raise EnvgateError(f"local runs only talk to loopback endpoints, got {endpoint}")
    return {
        **FAKE_CREDENTIALS,
        "AWS_SESSION_TOKEN": "",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_PROFILE": "",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
    }


def provider_override(endpoint: str, region: str = DEFAULT_REGION) -> str:
    """An override file for a scratch copy of the stack: the provider talks only to `endpoint`."""
    if not is_loopback(endpoint):
        raise EnvgateError(f"the local provider override only points at loopback, got {endpoint}")
    endpoints = "\n".join(f'    {svc} = "{endpoint}"' for svc in PROVIDER_SERVICES)
    return (
        "# Generated by envgate for the local AWS emulator. Never used against real AWS.\n"
        'provider "aws" {\n'
        f'  region                      = "{region}"\n'
        '  access_key                  = "test"\n'
        '  secret_key                  = "test"\n'
        "  skip_credentials_validation = true\n"
        "  skip_metadata_api_check     = true\n"
        "  skip_region_validation      = true\n"
        "  s3_use_path_style           = true\n"
        "  endpoints {\n"
        f"{endpoints}\n"
        "  }\n"
        "}\n"
    )


def backend_config(endpoint: str | None, region: str = DEFAULT_REGION, bucket: str = STATE_BUCKET,
                   lock_table: str = LOCK_TABLE, *, key: str) -> dict[str, str]:
    """-backend-config values for the stack's partial `backend "s3" {}`; state per workspace under env:/."""
    config = {
        "bucket": bucket,
        "key": key,
        "region": region,
        "dynamodb_table": lock_table,
        "encrypt": "true",
    }
    if endpoint:
        config.update({
            "endpoints": f'{{s3="{endpoint}",dynamodb="{endpoint}",sts="{endpoint}",iam="{endpoint}"}}',
            "use_path_style": "true",
            "skip_credentials_validation": "true",
            "skip_metadata_api_check": "true",
            "skip_region_validation": "true",
            "access_key": "test",
            "secret_key": "test",
        })
    return config


def boto_credentials() -> dict[str, str]:
    return {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


def ensure_state_backend(client, bucket: str = STATE_BUCKET, lock_table: str = LOCK_TABLE) -> None:
    """Create the state bucket (versioned) and the lock table if missing; client(service) -> boto3 client."""
    s3 = client("s3")
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        region = s3.meta.region_name
        kwargs = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **kwargs)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ddb = client("dynamodb")
    if lock_table not in ddb.list_tables().get("TableNames", []):
        ddb.create_table(
            TableName=lock_table,
            AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )


def _owns_port(proc: subprocess.Popen, port: int, timeout: float = 15) -> bool:
    """Whether `proc` (not another process) listens on `port` (Linux /proc; elsewhere: it stays alive)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is None or proc.poll() is not None:
            return False
        inodes = _listening_inodes(port)
        if inodes is None:
            time.sleep(2)
            return proc.poll() is None
        if inodes & _socket_inodes(proc.pid):
            return True
        time.sleep(0.2)
    return False


def _listening_inodes(port: int) -> set[str] | None:
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            return None
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                found.add(fields[9])
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes: set[str] = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes
