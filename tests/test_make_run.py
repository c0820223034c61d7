"""End to end: `make run` as a new user runs it, on the embedded defaults (SQLite, the
filesystem broker, mail to files), then Ctrl-C. Web, worker and beat all come up, the demo
plan is served, the worker does work sent through the broker, and Ctrl-C stops every process.
"""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from actions.dates import local_today

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(what: str, done: Callable[[], bool], log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if done():
                return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"{what}: not within {seconds}s. Output of make run:\n{log.read_text()}")


def manage(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_run_serves_the_demo_plan_with_worker_and_beat_and_ctrl_c_stops_all(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "DJANGO_SETTINGS_MODULE")
    }
    env.update(VAR_DIR=str(tmp_path / "var"), WEB_PORT=str(port))
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        # A session of its own, like a terminal: Ctrl-C signals the whole process group.
        make = subprocess.Popen(
            ["make", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pgid = make.pid
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for("the web process", lambda: get(f"{base}/api/plans/")[0] == 200, log)
        _, body = get(f"{base}/api/plans/")
        titles = [plan["title"] for plan in json.loads(body)["results"]]
        assert titles == ["Northshire Local Area SEND Written Statement of Action"]
        assert get(f"{base}/api/docs/")[0] == 200
        assert get(f"{base}/api/schema/")[0] == 200
        wait_for(
            "the worker", lambda: "celery@" in log.read_text() and " ready." in log.read_text(), log
        )
        wait_for("beat", lambda: "beat: Starting..." in log.read_text(), log)
        assert "DatabaseScheduler" in log.read_text()

        # Work sent through var/broker reaches the worker.
        sent = subprocess.run(
            [str(ROOT / ".venv/bin/celery"), "-A", "workers.celery", "call", "workers.ping"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        task_id = sent.stdout.strip().splitlines()[-1]
        wait_for(
            "the ping task",
            lambda: f"Task workers.ping[{task_id}] succeeded" in log.read_text(),
            log,
            seconds=30,
        )
        assert (tmp_path / "var" / "db.sqlite3").exists()
        assert (tmp_path / "var" / "broker").is_dir()

        # What a new user does next (README): the public page, the digest, the sample import.
        status, page = get(f"{base}/plans/northshire-wsoa/")
        assert status == 200
        assert "Northshire Local Area SEND Written Statement of Action" in page.decode()
        today = local_today().isoformat()
        digest = manage(env, "compile_digest", "--plan", "northshire-wsoa", "--as-of", today)
        assert digest.returncode == 0, digest.stdout + digest.stderr
        [html] = (tmp_path / "var" / "digests").glob("northshire-wsoa-*-executive.html")
        text = html.read_text()
        assert "Weekly digest: Northshire Local Area SEND" in text and "Open escalations" in text
        sample = manage(env, "import_plan", "samples/northshire-wsoa-sample.xlsx")
        assert sample.returncode == 0, sample.stdout + sample.stderr

        os.killpg(pgid, signal.SIGINT)
        make.wait(timeout=30)
        wait_for("every process to stop", lambda: not group_alive(pgid), log, seconds=15)
        text = log.read_text()
        for name in ("web.1", "worker.1", "beat.1"):
            assert f"{name} stopped" in text, text
    finally:
        if group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)
        make.wait(timeout=10)
