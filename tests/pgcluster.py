"""A private PostgreSQL cluster for tests and benchmarks that stop, restart or crash the database.

    with PgCluster() as cluster:
        cluster.create_database("kam")
        url = cluster.url("kam")   # postgres://postgres@127.0.0.1:<port>/kam
        cluster.restart()          # pg_ctl restart -m fast

initdb in a temporary directory, on a free loopback port, with its unix socket in that directory:
the shared server on 5432 is never touched. initdb and pg_ctl refuse to run as root, so as root
every command runs as the ``postgres`` OS user through runuser (the directory is handed to it).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from kam.backups import binary_candidates, binary_version

OS_USER = "postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bin_dir() -> Path:
    """The newest PostgreSQL server installed (a directory holding initdb, pg_ctl and postgres)."""
    found = [(binary_version(p) or 0, p.parent) for p in binary_candidates("initdb")]
    found = [(v, d) for v, d in found if (d / "pg_ctl").is_file()]
    if not found:
        raise RuntimeError("No PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql")
    return max(found, key=lambda c: c[0])[1]


class PgCluster:
    def __init__(self, *, settings: dict[str, str] | None = None) -> None:
        self.bin = bin_dir()
        self.port = _free_port()
        self.settings = {"fsync": "on", "max_connections": "50", **(settings or {})}
        self.dir: Path | None = None

    # Life cycle ----------------------------------------------------------------------------------

    def __enter__(self) -> PgCluster:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.destroy()

    @property
    def data(self) -> Path:
        assert self.dir is not None
        return self.dir / "data"

    @property
    def log(self) -> Path:
        assert self.dir is not None
        return self.dir / "postgres.log"

    def _run(self, *command: str, timeout: float = 120) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", OS_USER, "--"] if os.geteuid() == 0 else []
        result = subprocess.run(
            [*prefix, *command], capture_output=True, text=True, timeout=timeout, cwd=self.dir, env=self._env()
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {result.stdout}{result.stderr}\n{self.log_tail()}")
        return result

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        return {**env, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}

    def start(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="kam-pgcluster-"))
        if os.geteuid() == 0:
            user = pwd.getpwnam(OS_USER)
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        self._run(
            str(self.bin / "initdb"),
            f"--pgdata={self.data}",
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        options = [f"-p {self.port}", "-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={self.dir}"]
        options += [f"-c {key}={value}" for key, value in self.settings.items()]
        self._run(
            str(self.bin / "pg_ctl"),
            f"--pgdata={self.data}",
            f"--log={self.log}",
            "-w",
            "-o",
            " ".join(options),
            "start",
        )

    def restart(self, mode: str = "fast") -> None:
        """pg_ctl restart: every session is ended (fast: rolled back), the server comes back on the
        same port with the same options."""
        # --log again: else the new postmaster writes to pg_ctl's stdout and holds our pipe open.
        self._run(str(self.bin / "pg_ctl"), f"--pgdata={self.data}", f"--log={self.log}", "-w", "-m", mode, "restart")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), f"--pgdata={self.data}", "-w", "-m", mode, "stop")

    def destroy(self) -> None:
        """Stop the server (if running) and remove its directory."""
        if self.dir is None:
            return
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except (OSError, AssertionError):
            return ""

    # Use -----------------------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """One statement's result, unaligned (for counts in tests)."""
        result = self._run(
            str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
            "-Atc", sql,
        )  # fmt: skip
        return result.stdout.strip()

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._run(str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), timeout=10)
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
