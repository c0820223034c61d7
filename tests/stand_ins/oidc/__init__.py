"""A real OpenID provider on loopback (oauth2-mock-server, run by ``provider.mjs`` under node).

``OidcStandIn.running()`` starts one on a free port and stops it afterwards; a test says what
the next ID tokens assert with ``sign_in_as`` and reads what the provider saw with ``seen``.
Its packages come from ``npm ci`` here (``make install`` runs it).
"""

import json
import os
import select
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

HERE = Path(__file__).resolve().parent
START_SECONDS = 20


def _unavailable(reason: str) -> None:
    # A green CI run must mean single sign-on was tested against the real provider.
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


class OidcStandIn:
    def __init__(self, issuer: str, process: "subprocess.Popen[str]") -> None:
        self.issuer = issuer
        self.process = process

    def sign_in_as(self, claims: dict[str, Any] | None = None, tamper: str | None = None) -> None:
        """What the ID tokens say from now on (None removes a claim) and how they are spoilt."""
        answer = requests.post(
            f"{self.issuer}/_stand-in/sign-in",
            json={"claims": claims or {}, "tamper": tamper},
            timeout=5,
        )
        answer.raise_for_status()

    def seen(self, kind: str | None = None) -> list[dict[str, Any]]:
        answer = requests.get(f"{self.issuer}/_stand-in/seen", timeout=5)
        answer.raise_for_status()
        return [event for event in answer.json() if kind is None or event["kind"] == kind]

    @classmethod
    @contextmanager
    def running(cls, *, client_id: str, client_secret: str) -> Iterator["OidcStandIn"]:
        node = shutil.which("node")
        if node is None:
            _unavailable("node is not installed: the single sign-on tests need it (node 20)")
        if not (HERE / "node_modules" / "oauth2-mock-server").is_dir():
            _unavailable("the OpenID provider stand-in is not installed: run make install")
        process = subprocess.Popen(
            [str(node), "provider.mjs", "--client-id", client_id, "--client-secret", client_secret],
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            ready, _, _ = select.select([process.stdout], [], [], START_SECONDS)
            line = process.stdout.readline() if ready else ""
            if not line:
                process.kill()
                _, errors = process.communicate(timeout=5)
                raise RuntimeError(f"the OpenID provider stand-in did not start: {errors}")
            yield cls(json.loads(line)["issuer"], process)
        finally:
            # Closing its standard input stops it; a kill if it does not.
            if process.stdin is not None:
                process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
