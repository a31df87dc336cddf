"""``pipeline serve`` as a command: a clear one-line error when it cannot listen."""

from __future__ import annotations

import socket
from pathlib import Path

from support import run_cli


def test_port_in_use_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = run_cli(tmp_path, "serve", "--port", str(port), check=False, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and f"127.0.0.1:{port}" in proc.stderr
    assert "Traceback" not in proc.stderr
