"""The README's promises, kept: its curl session works as written against the demo data."""

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from actions.models import Action, ProgressUpdate, Rag

README = Path(__file__).resolve().parent.parent / "README.md"


def curl_session() -> str:
    """The first shell block of the README's "Using the API" section."""
    text = README.read_text()
    section = text[text.index("## Using the API") :]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match, "the API section has no sh block"
    return match.group(1)


# A new user's machine may lack curl; CI's has it, so there a missing curl fails the test.
@pytest.mark.skipif(
    shutil.which("curl") is None and not os.environ.get("CI"),
    reason="the README session needs curl",
)
@pytest.mark.django_db(transaction=True)
def test_the_curl_session_works_as_written_against_the_demo_plan(
    live_server: LiveServer,
) -> None:
    call_command("load_demo", stdout=io.StringIO())
    script = curl_session()
    assert "BASE=http://127.0.0.1:8000" in script
    script = script.replace("BASE=http://127.0.0.1:8000", f"BASE={live_server.url}", 1)
    before = ProgressUpdate.objects.count()

    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 0, run.stderr
    # Exactly one update was recorded, by the owner who signed in, as the session says.
    assert ProgressUpdate.objects.count() == before + 1
    update = ProgressUpdate.objects.latest("pk")
    assert update.author.email == "ehc.manager@northshire.example"
    assert update.rag == Rag.AMBER
    assert update.commentary == "Waiting for the new SENCO to start in January."
    action = Action.objects.get(pk=update.action_id)
    assert action.rag == Rag.AMBER and action.latest_update_id == update.pk
    # The last step printed the history, newest first, starting with that update.
    assert f'"results":[{{"id":{update.pk},' in run.stdout.replace(" ", "")


def test_the_two_commands_exist_in_the_makefile() -> None:
    makefile = (README.parent / "Makefile").read_text()
    text = README.read_text()
    for target in ("run", "test"):
        assert f"make {target}" in text
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
