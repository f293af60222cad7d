"""Real SQL servers for the differential tests: a PostgreSQL server and a Spark session.

Both are started once per test session, by the tests themselves, so that ``.ci/run`` on a
fresh machine needs nothing more than the Debian image it runs on:

- **PostgreSQL**: the server binaries are looked up in ``/usr/lib/postgresql/*/bin`` and
  on PATH, and installed with apt when absent. A fresh cluster is made in a temporary
  directory, listening only on a unix socket in that directory, with durability off
  (fsync, full page writes, synchronous commit: the data is thrown away), and JIT off.
  PostgreSQL refuses to run as root, so as root it runs as the ``postgres`` system user.
  It is stopped and its directory removed at the end, whatever happened.
- **Spark**: a ``local[2]`` session, UI off, two shuffle partitions, a small heap; Java is
  installed with apt when absent. One session serves every Spark test.

Nothing here skips: a server that cannot be installed or started is an error that says
why (the issue asks for these tests in CI, not for their absence). Every wait is bounded.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

START_TIMEOUT = 60  # seconds for a server to accept connections

# Stops the server and removes its directory once the test process is gone, however it
# ended: a killed pytest runs no teardown, and a server left running holds its port.
_WATCHDOG = """
import os, shutil, subprocess, sys, time
pid, root, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
while True:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        break
    time.sleep(1)
if os.path.exists(os.path.join(root, "data", "postmaster.pid")):
    subprocess.run(stop, timeout=60, stdin=subprocess.DEVNULL, capture_output=True)
shutil.rmtree(root, ignore_errors=True)
"""
INSTALL_TIMEOUT = 600  # seconds for apt to install a missing package


class ServerSetupError(RuntimeError):
    """A server the differential tests need could not be installed or started."""


def _apt_install(package: str, needed_for: str) -> None:
    """Install a Debian package; only root on a Debian machine can."""
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise ServerSetupError(f"{needed_for} is not installed and cannot be installed here "
                               f"(apt-get install {package} needs root on Debian); install it and run again")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "--no-install-recommends", package]):
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ServerSetupError(f"{' '.join(command)} did not finish in {INSTALL_TIMEOUT} s") from None
        if done.returncode != 0:
            raise ServerSetupError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")


# ---- PostgreSQL -------------------------------------------------------------------------------


def _postgres_bin() -> Path | None:
    """The directory of the newest installed PostgreSQL server (initdb, pg_ctl, postgres)."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if found:
        return Path(max(found, key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)).parent
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(os.path.realpath(on_path)).parent
    return None


class PostgresServer:
    """A throwaway PostgreSQL cluster listening on a unix socket in its own directory."""

    def __init__(self) -> None:
        binaries = _postgres_bin()
        if binaries is None:
            _apt_install("postgresql", "PostgreSQL")
            binaries = _postgres_bin()
            if binaries is None:
                raise ServerSetupError("apt-get installed postgresql, but no initdb is in /usr/lib/postgresql/*/bin")
        self.bin = binaries
        self.port = 5432
        self.root = Path(tempfile.mkdtemp(prefix="perfrules-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_user: list[str] = []
        if os.geteuid() == 0:  # the server will not run as root
            try:
                import pwd

                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise ServerSetupError("running as root, and there is no postgres system user to run "
                                       "PostgreSQL as (apt-get install postgresql creates it)") from None
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            runuser = shutil.which("runuser")
            if runuser is None:
                raise ServerSetupError("running as root without runuser to start PostgreSQL as postgres")
            self._as_user = [runuser, "-u", "postgres", "--"]
        self.started = time.monotonic()
        self._watchdog: subprocess.Popen | None = None

    def _run(self, *args: str, timeout: float) -> subprocess.CompletedProcess:
        command = [*self._as_user, *args]
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                                  cwd=self.root)
        except subprocess.TimeoutExpired:
            raise ServerSetupError(f"{' '.join(args[:2])} did not finish in {timeout} s; log: {self._log()}") from None

    def _log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return "(no server log)"

    def start(self) -> None:
        stop = [*self._as_user, str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", "-w"]
        self._watchdog = subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(self.root), *stop],
                                          start_new_session=True, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        done = self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                         "--no-sync", "--encoding=UTF8", "--locale=C", timeout=START_TIMEOUT)
        if done.returncode != 0:
            raise ServerSetupError(f"initdb failed ({done.returncode}):\n{done.stderr[-3000:]}")
        options = " ".join([
            "-c listen_addresses=''", f"-c unix_socket_directories='{self.root}'", f"-p {self.port}",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c jit=off",
            "-c max_connections=10", "-c shared_buffers=64MB", "-c work_mem=32MB",
            "-c statement_timeout=300s",  # a query that runs away fails instead of hanging CI
        ])
        done = self._run(str(self.bin / "pg_ctl"), "start", "-D", str(self.data), "-l", str(self.log),
                         "-w", "-t", str(START_TIMEOUT), "-o", options, timeout=START_TIMEOUT + 10)
        if done.returncode != 0:
            raise ServerSetupError(f"pg_ctl start failed ({done.returncode}): {done.stderr[-2000:]}\n"
                                   f"server log:\n{self._log()}")

    def connect(self):
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                return psycopg.connect(host=str(self.root), port=self.port, user="postgres", dbname="postgres",
                                       autocommit=True, connect_timeout=10)
            except psycopg.OperationalError as error:
                if time.monotonic() > deadline:
                    raise ServerSetupError(f"PostgreSQL does not accept connections: {error}\n{self._log()}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server (immediately: its data is thrown away) and remove its directory."""
        try:
            if (self.data / "postmaster.pid").exists():
                try:
                    self._run(str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate",
                              "-w", "-t", "30", timeout=40)
                except ServerSetupError:
                    pass
                pid_file = self.data / "postmaster.pid"
                if pid_file.exists():  # pg_ctl could not stop it: end the postmaster we started
                    try:
                        os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
                    except (OSError, ValueError, IndexError):
                        pass
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            if self._watchdog is not None:
                self._watchdog.terminate()
                self._watchdog.wait(timeout=10)


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer()
    try:
        server.start()
        server.started = time.monotonic() - server.started
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres(postgres_server):
    """A psycopg connection (autocommit) to a fresh PostgreSQL server of this session."""
    connection = postgres_server.connect()
    try:
        yield connection
    finally:
        connection.close()


# ---- Spark ------------------------------------------------------------------------------------


def _java() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


@pytest.fixture(scope="session")
def spark():
    """One Spark session in local mode for every Spark test, stopped at the end."""
    if _java() is None:
        _apt_install("default-jre-headless", "Java (for Spark)")
        if _java() is None:
            raise ServerSetupError("apt-get installed default-jre-headless, but there is still no java on PATH")
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise ServerSetupError(f"pyspark is not installed ({error}); pip install -e '.[test]' installs it") from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    started = time.monotonic()
    # A local JVM: serial GC and a small heap start fast on two shared cores.
    java_options = "-XX:+UseSerialGC -Xss16m"
    builder = (SparkSession.builder.master("local[2]").appName("perfrules-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.default.parallelism", "2")
               .config("spark.driver.memory", "1g")
               .config("spark.driver.extraJavaOptions", java_options)
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.driver.host", "127.0.0.1"))
    session = _bounded(builder.getOrCreate, START_TIMEOUT * 2, "Spark did not start")
    session.sparkContext.setLogLevel("ERROR")
    session.perfrules_startup = time.monotonic() - started
    try:
        yield session
    finally:
        session.stop()


def _bounded(call, seconds: float, what: str):
    """``call()``, or an error after ``seconds`` (a JVM that never comes up must not hang CI)."""
    import threading

    outcome: dict = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as error:  # reported below, in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise ServerSetupError(f"{what} within {seconds} s")
    if "error" in outcome:
        raise ServerSetupError(f"{what}: {outcome['error']}") from outcome["error"]
    return outcome["value"]
