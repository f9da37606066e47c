"""A private redis-server for outage tests, started and stopped by the test itself.

It listens on a free port of its own and keeps nothing on disk, so the machine's
shared Redis is never touched and parallel test runs never meet.
"""

import shutil
import signal
import socket
import subprocess
import time

import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self) -> None:
        self.executable = shutil.which("redis-server")
        assert self.executable, "redis-server is needed (Debian package redis-server)"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def cache_settings(self) -> dict:
        """CACHES for the app's resilient cache on this server, with the
        production timeouts."""
        return {
            "default": {
                "BACKEND": "config.cache.ResilientRedisCache",
                "LOCATION": self.url,
                "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
            }
        }

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1)

    def start(self) -> None:
        """Start (again, after stop(): same port, empty) and wait until it answers."""
        assert self.process is None, "already running"
        self.process = subprocess.Popen(
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = self.client()
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert self.process.poll() is None, "redis-server exited"
                assert time.monotonic() < deadline, "redis-server did not answer"
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        """Stop at once, as a crash would: nothing is saved."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def pause(self) -> None:
        """Hang, keeping its data, as a server cut off by the network does: clients
        time out instead of being refused."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)
