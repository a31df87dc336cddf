"""Run pipeline services as real processes against the real Kafka and Elasticsearch."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from pipeline.backends import open_bus, open_index
from pipeline.bus.base import ENRICHED
from pipeline.config import Settings, load_settings
from pipeline.records import decode

REPO = Path(__file__).resolve().parents[2]


class Deployment:
    """One isolated pipeline (own topic namespace and index prefix) on the shared servers."""

    def __init__(self, tmp: Path, partitions: int = 4, index_url: str = "http://127.0.0.1:9200",
                 batch_size: int = 8) -> None:
        tag = uuid.uuid4().hex[:10]
        self.tmp = tmp
        self.env = {
            **os.environ, "PIPELINE_CONFIG": str(REPO / "config" / "distributed.toml"),
            "PIPELINE_DATA_DIR": str(tmp / "data"), "PIPELINE_BUS__NAMESPACE": f"t{tag}.",
            "PIPELINE_INDEX__PREFIX": f"t{tag}-", "PIPELINE_BUS__PARTITIONS": str(partitions),
            "PIPELINE_WORKER__BATCH_SIZE": str(batch_size), "PIPELINE_INDEX__URL": index_url,
        }
        self.procs: list[subprocess.Popen] = []

    def settings(self, **overrides: str) -> Settings:
        env = {k: v for k, v in self.env.items() if k.startswith("PIPELINE_")}
        return load_settings(None, {**env, **overrides})

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=REPO, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        assert proc.returncode == 0, f"pipeline {' '.join(args)}: {proc.stderr}"
        return proc

    def start(self, stage: str, name: str | None = None, **env: str) -> subprocess.Popen:
        with (self.tmp / f"{name or stage}.log").open("a") as log:  # the child keeps its own descriptor
            proc = subprocess.Popen([sys.executable, "-m", "pipeline", "-v", stage], cwd=REPO,
                                    env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text() if path.exists() else ""

    def counts(self) -> dict[str, int]:
        index = open_index(self.settings(PIPELINE_INDEX__URL="http://127.0.0.1:9200"))
        try:
            index.refresh()
            return index.counts()
        finally:
            index.close()

    def threaded(self, claim_ids: set[str]) -> int:
        """How many of ``claim_ids`` have a thread link."""
        index = open_index(self.settings(PIPELINE_INDEX__URL="http://127.0.0.1:9200"))
        try:
            ids = sorted(claim_ids)
            return sum(len(index.thread_links(ids[i:i + 1000])) for i in range(0, len(ids), 1000))
        finally:
            index.close()

    def lag(self, group: str) -> int:
        """Records of articles.enriched the consumer group has not committed."""
        bus = open_bus(self.settings())
        try:
            return sum(bus.lag(s, group) for s in bus.stats([ENRICHED]))
        finally:
            bus.close()

    def expected_claim_ids(self) -> tuple[int, set[str]]:
        """(articles, claim ids) of the latest enriched record per article on the bus."""
        bus = open_bus(self.settings())
        try:
            latest = {}
            for message in bus.read(ENRICHED, limit=100_000):
                enriched = decode(message.value)
                latest[enriched.article.id] = enriched
        finally:
            bus.close()
        return len(latest), {c.id for e in latest.values() for c in e.claims}

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            for proc in self.procs:
                assert proc.poll() in (None, -9, 0), f"a service died (exit {proc.returncode}) waiting for {what}"
            time.sleep(0.5)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}; counts {self.counts()}\n"
                             f"{self.log_tails()}")

    def log_tails(self, lines: int = 25) -> str:
        """The last lines of every service's log: what a failed wait needs to be diagnosed from CI output."""
        tails = []
        for path in sorted(self.tmp.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            tails.append(f"--- {path.name} (last {len(tail)} lines)\n" + "\n".join(tail))
        return "\n".join(tails)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def drop_index(self) -> None:
        index = open_index(self.settings(PIPELINE_INDEX__URL="http://127.0.0.1:9200"))
        try:
            index.drop()  # type: ignore[attr-defined]
        finally:
            index.close()


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 that can refuse and sever connections for a while (an outage)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = threading.Event()
        self.stopped = threading.Event()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        """Sever every open connection and refuse new ones until ``restore``."""
        self.down.set()
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.sockets.clear()

    def restore(self) -> None:
        self.down.clear()

    def close(self) -> None:
        self.stopped.set()
        self.cut()
        self.listener.close()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.close()
