"""A real server for the tests that need one: a uvicorn process on a SQLite file."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from app import migrate
from app.config import PROJECT_ROOT
from app.db import build_engines, session_scope
from app.seeding import load_seed, read_seed
from app.trust.keys import Role, create_key

SEED_FILE = PROJECT_ROOT / "seeds" / "ledger.yaml"


def prepare_database(path: Path) -> dict[str, str]:
    """Migrate and seed a SQLite file; return one key per role, named after the role."""
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    engines = build_engines(url)
    try:
        with session_scope(engines.write) as session:
            load_seed(session, read_seed(SEED_FILE))
            return {role.value: create_key(session, role.value, role)[1] for role in Role}
    finally:
        engines.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running server process, its address and its log file."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, as in a crash."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@contextmanager
def serve(database: Path, log: Path, **env: str) -> Iterator[Server]:
    """Run `uvicorn app.asgi:app` on the database until the block ends."""
    port = _free_port()
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
                   "RATE_LIMIT_PER_MINUTE": "0", "LOG_LEVEL": "info", **env}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.asgi:app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "info"],
            env=environment, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_ready(server)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def _wait_ready(server: Server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: {server.log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{server.url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not become ready")
