"""The processes of the real stack, each started in a process group of its own on loopback.

Everything is started by the harness and torn down by ``Stack.close`` (also on failure and on
Ctrl-C): the machine's shared PostgreSQL and Redis are never touched.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATABASE_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"


class StackError(RuntimeError):
    """A part of the stack would not start or stop: the harness stops with one clear line."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for(done: Callable[[], bool], *, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise StackError(f"gave up after {timeout:.0f}s waiting for {what}")
        time.sleep(0.1)


class Process:
    """One command in its own session, so that a signal reaches every process it started."""

    def __init__(self, name: str, argv: Sequence[str], *, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = env
        self.log = log
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> "Process":
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def is_running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum: int) -> None:
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGKILL to the whole group: the machine dies, nothing is finished or recorded."""
        if self.popen is None:
            return
        self.signal(signal.SIGKILL)
        self.popen.wait(timeout=20)

    def stop(self, timeout: float = 15) -> None:
        if self.popen is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        else:
            # Children of the group that outlived their parent.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGKILL)


def _postgres_bin() -> Path:
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    raise StackError("PostgreSQL's server programs (initdb, pg_ctl) are not installed")


class Postgres:
    """A PostgreSQL cluster of the harness's own in a temporary folder, on a free port.

    PostgreSQL refuses to run as root: as root the cluster belongs to the ``postgres`` user.
    """

    def __init__(self, folder: Path) -> None:
        self.bin = _postgres_bin()
        self.logs = folder
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # The postgres user must be able to reach every folder above the cluster, and
            # pytest's temporary folders are root's alone (0700): the cluster lives in the
            # system's temp instead, and its log is copied back beside the others on stop.
            self.folder = Path(tempfile.mkdtemp(prefix="faults-pg-"))
            shutil.chown(self.folder, user="postgres", group="postgres")
            self.folder.chmod(0o700)
        else:
            self.folder = folder
        self.data = self.folder / "data"
        self.port = free_port()
        self.logfile = self.folder / "postgres.log"

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [*argv]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.folder)
        if check and result.returncode != 0:
            raise StackError(f"{Path(argv[0]).name} failed: {result.stderr.strip()[-500:]}")
        return result

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=100"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.logfile),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def crash(self) -> None:
        """Immediate shutdown: every backend dies at once, recovery runs at the next start."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "-w",
                "stop",
                check=False,
            )
        if self.folder != self.logs:
            with contextlib.suppress(OSError):
                shutil.copy(self.logfile, self.logs / "postgres.log")
            shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self, name: str) -> str:
        self._run(str(self.bin / "createdb"), "-h", str(self.folder), "-p", str(self.port), name)
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


class Redis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            raise StackError("redis-server is not installed")
        argv = [
            server,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.folder),
        ]
        self.process = Process("redis", argv, env=dict(os.environ), log=self.folder / "redis.log")
        self.process.start()
        wait_for(lambda: port_open(self.port), what="Redis to listen", timeout=20)

    def crash(self) -> None:
        """SIGKILL: with no persistence, every queued and unacknowledged message is gone."""
        if self.process is not None:
            self.process.kill()

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()


class SmtpServer:
    """The recording SMTP server (faults.smtp_server), stopped and started on one port."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.port = free_port()
        self.env = env
        self.record = folder / "smtp-received.jsonl"
        self.control = folder / "smtp-control.json"
        self.control.write_text("{}")
        self.process: Process | None = None

    def start(self) -> None:
        argv = [
            PYTHON,
            "-m",
            "faults.smtp_server",
            "--port",
            str(self.port),
            "--log",
            str(self.record),
            "--control",
            str(self.control),
        ]
        self.process = Process("smtp", argv, env=self.env, log=self.folder / "smtp.log").start()
        wait_for(lambda: port_open(self.port), what="the SMTP server to listen", timeout=20)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(timeout=10)
        wait_for(lambda: not port_open(self.port), what="the SMTP server to stop", timeout=10)

    def slow(self, *, data: float = 0.0, quit: float = 0.0, jitter: bool = False) -> None:
        control = {"data_delay": data, "quit_delay": quit, "jitter": jitter}
        self.control.write_text(json.dumps(control))

    def received(self) -> list[dict[str, object]]:
        if not self.record.exists():
            return []
        lines = self.record.read_text().splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def accepted(self) -> list[dict[str, object]]:
        return [entry for entry in self.received() if entry["event"] == "accepted"]


def celery_argv(*args: str) -> list[str]:
    """Celery's command line on the shared pinned clock (tests/e2e/pinned_clock.py)."""
    return [PYTHON, "-m", "tests.e2e.pinned_clock", "-A", "workers.celery", *args]


class Stack:
    """Owns every process and folder it starts; ``close`` stops them all, whatever happened."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes: list[Process] = []
        self.postgres: Postgres | None = None
        self.redis: Redis | None = None
        self.smtp: SmtpServer | None = None
        self.env: dict[str, str] = {}

    def process(self, name: str, argv: Sequence[str]) -> Process:
        log = self.folder / f"{len(self.processes):02}-{name}.log"
        started = Process(name, argv, env=self.env, log=log).start()
        self.processes.append(started)
        return started

    def worker(self, *, concurrency: int) -> Process:
        name = f"worker{len(self.processes)}"
        return self.process(
            name,
            celery_argv(
                "worker",
                "--pool=threads",
                f"--concurrency={concurrency}",
                "--loglevel=INFO",
                f"--hostname={name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ),
        )

    def beat(self) -> Process:
        name = f"beat{len(self.processes)}"
        return self.process(
            name,
            celery_argv(
                "beat",
                "--loglevel=INFO",
                f"--scheduler={DATABASE_SCHEDULER}",
                f"--schedule={self.folder / (name + '-schedule')}",
                "--max-interval=1",
            ),
        )

    def web(self, *, port: int) -> Process:
        return self.process(
            "web",
            [
                PYTHON,
                "-m",
                "faults.web",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
            ],
        )

    def close(self) -> None:
        for process in reversed(self.processes):
            with contextlib.suppress(Exception):
                process.kill()
        for part in (self.smtp, self.redis, self.postgres):
            if part is None:
                continue
            with contextlib.suppress(Exception):
                part.stop()
