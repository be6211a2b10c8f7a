"""Self-signed certificates for TLS tests, made with the openssl CLI."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from memgrid_runtime.settings import TlsFiles


def self_signed(folder: Path, name: str) -> TlsFiles:
    """A certificate for 127.0.0.1 and localhost, valid one day, and its key."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the openssl CLI is needed to make a test certificate")
    cert, key = folder / f"{name}.cert.pem", folder / f"{name}.key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1", "-subj", f"/CN={name}",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return TlsFiles(cert, key)
