"""The image runs as an unprivileged user that can write its data volume (the poller's feed store)."""

from __future__ import annotations

import shlex

from support import REPO


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1] if " " in ln else "") for ln in lines]


def test_the_data_volume_is_owned_by_the_user_the_image_runs_as() -> None:
    steps = instructions()
    users = [(i, args.split(":")[0]) for i, (op, args) in enumerate(steps) if op == "USER"]
    assert users, "the image must not run as root"
    user_at, user = users[-1]
    assert user != "root"
    volumes = [args.strip("[]\" ") for op, args in steps if op == "VOLUME"]
    assert "/data" in volumes
    data_dir = [args for op, args in steps if op == "ENV" and "PIPELINE_DATA_DIR=/data" in args]
    assert data_dir, "the services keep their state in the volume"
    for volume in volumes:
        owned = [args for op, args in steps[:user_at] if op == "RUN"
                 and any(w.startswith("chown") for w in args.split())
                 and f"{user}:" in args and volume in shlex.split(args)]
        assert owned, f"{volume} is created by root and not given to {user}: the services cannot write it"
