"""PostgreSQL and Redis from the distribution's packages, started on loopback for a test run.

Used by `make test-scale` (tools/scale_test.py) and the scale-out tests: each server gets a fresh data
directory and a free port, and is stopped (and its directory removed) at the end. Nothing here replaces
the engines; it only starts the real ones.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, Optional, Tuple

from tools.stack import Service, free_port

# Debian's package names; `apt-get install` is run only for what is missing, and only as root.
PACKAGES = {"postgresql": "postgresql", "redis": "redis-server"}


class ServiceError(RuntimeError):
    """A server could not be installed or started; the message says what to do."""


def postgres_bin_dir() -> Optional[Path]:
    """Debian installs PostgreSQL's server programs under /usr/lib/postgresql/<version>/bin."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path else None


def redis_server() -> Optional[str]:
    return shutil.which("redis-server")


def ensure_installed() -> None:
    """Install PostgreSQL and Redis from the distribution's packages when they are missing."""
    missing = []
    if postgres_bin_dir() is None:
        missing.append(PACKAGES["postgresql"])
    if redis_server() is None:
        missing.append(PACKAGES["redis"])
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise ServiceError(f"Please install {' and '.join(missing)} (e.g. `sudo apt-get install {' '.join(missing)}`).")
    print(f"==> Installing {', '.join(missing)} from the distribution's packages", file=sys.stderr, flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]
    if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        # A fresh machine may have no package lists yet.
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(install, env=env, check=True, stdout=subprocess.DEVNULL)
    if postgres_bin_dir() is None or redis_server() is None:
        raise ServiceError(f"{' and '.join(missing)} did not install")


def _as_postgres_user() -> Tuple[Dict[str, object], Dict[str, str]]:
    """Popen arguments and environment that run PostgreSQL as Debian's `postgres` user when we are root
    (it refuses to run as root). The server stays our direct child, so signals reach it."""
    if os.geteuid() != 0:
        return {}, dict(os.environ)
    account = pwd.getpwnam("postgres")
    return ({"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []},
            dict(os.environ, HOME=account.pw_dir, USER="postgres", LOGNAME="postgres"))


@dataclass
class Postgres:
    host: str
    port: int
    user: str
    # The server process, which a fault test may stop and start again (its data stays).
    process: Optional[Service] = field(default=None, repr=False)

    def url(self, database: str, driver: str = "postgresql+psycopg2") -> str:
        return f"{driver}://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        import psycopg2

        connection = psycopg2.connect(host=self.host, port=self.port, user=self.user, dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()

    def start(self) -> None:
        self.process.start()
        self.process.wait_ready()

    def stop(self) -> None:
        """PostgreSQL's "fast" shutdown (SIGINT): open connections are cut, as in an outage."""
        self.process.stop()


@contextlib.contextmanager
def running_postgres(log_dir: Path, user: str = "groupinsurance") -> Iterator[Postgres]:
    """A throw-away PostgreSQL cluster on 127.0.0.1:<free port> with superuser `user` (trust auth, loopback only)."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise ServiceError("PostgreSQL is not installed (tools.services.ensure_installed installs it)")
    data_parent = Path(tempfile.mkdtemp(prefix="groupinsurance-pg-"))
    data_dir = data_parent / "data"
    popen_kwargs, env = _as_postgres_user()
    if popen_kwargs:
        os.chown(data_parent, popen_kwargs["user"], popen_kwargs["group"])
    port = free_port()
    server = Postgres(host="127.0.0.1", port=port, user=user)
    server.process = Service(
        "PostgreSQL",
        [str(bin_dir / "postgres"), "-D", str(data_dir), "-h", "127.0.0.1", "-p", str(port), "-k", str(data_parent),
         # A test database: durability traded for speed, nothing else changed.
         "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "max_connections=200"],
        Path("/"), env, Path(log_dir) / f"postgres-{port}.log", lambda: _postgres_ready(server), 60, popen_kwargs,
    )
    try:
        try:
            subprocess.run(
                [str(bin_dir / "initdb"), "-D", str(data_dir), "-U", user, "-A", "trust",
                 "--encoding", "UTF8", "--no-instructions"],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/", env=env, **popen_kwargs,
            )
        except subprocess.CalledProcessError as error:
            raise ServiceError(f"initdb failed: {error.stderr.decode(errors='replace')[-500:]}") from None
        with server.process.running():
            yield server
    finally:
        shutil.rmtree(data_parent, ignore_errors=True)


def _postgres_ready(server: Postgres) -> bool:
    import psycopg2

    try:
        psycopg2.connect(host=server.host, port=server.port, user=server.user, dbname="postgres",
                         connect_timeout=2).close()
        return True
    except psycopg2.OperationalError:
        return False


@dataclass
class Redis:
    host: str
    port: int

    def url(self, db: int = 0) -> str:
        return f"redis://{self.host}:{self.port}/{db}"


@contextlib.contextmanager
def running_redis(log_dir: Path) -> Iterator[Redis]:
    """A Redis server on 127.0.0.1:<free port>, in memory only (no snapshots, no append-only file)."""
    program = redis_server()
    if program is None:
        raise ServiceError("Redis is not installed (tools.services.ensure_installed installs it)")
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="groupinsurance-redis-"))
    server = Redis(host="127.0.0.1", port=port)
    process = Service(
        "Redis",
        [program, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(workdir), "--protected-mode", "yes"],
        workdir, dict(os.environ), Path(log_dir) / f"redis-{port}.log", lambda: _redis_ready(server), 30,
    )
    try:
        with process.running():
            yield server
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _redis_ready(server: Redis) -> bool:
    import redis

    try:
        return bool(redis.Redis(host=server.host, port=server.port, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False
