"""Elasticsearch backups: the snapshot API on a shared-filesystem repository (a part of the adapter).

A snapshot needs a repository, and an ``fs`` repository's location must lie
under a directory named in the node's ``path.repo`` setting (``scripts/servers``
sets one; elsewhere add ``path.repo: [/backups]`` to elasticsearch.yml on every
node and restart). Snapshots are incremental: each copies only segments the
repository lacks. Called by :class:`~pipeline.index.elastic.ElasticIndex`,
which translates driver errors.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.errors import PermanentError

REPOSITORY = "pipeline-backup"
POLL_S = 0.5


def repo_paths(es: Elasticsearch) -> list[str]:
    """The ``path.repo`` directories every node allows (empty: snapshots to ``fs`` are impossible)."""
    nodes = es.nodes.info(metric="settings", filter_path="nodes.*.settings.path.repo")
    allowed: set[str] | None = None
    for node in (nodes.body.get("nodes") or {}).values():
        paths = node.get("settings", {}).get("path", {}).get("repo") or []
        mine = {paths} if isinstance(paths, str) else set(paths)
        allowed = mine if allowed is None else allowed & mine
    return sorted(allowed or ())


def steps(url: str, indices: list[str], location: str = "/backups/pipeline") -> str:
    """The snapshot API, step by step, as curl commands (what to do where ``path.repo`` is not set yet)."""
    names = ",".join(indices)
    return "\n".join([
        "Elasticsearch backups use the snapshot API. Once, on every node: add to elasticsearch.yml",
        f"  path.repo: [\"{location.rsplit('/', 1)[0] or '/'}\"]",
        "and restart. Then:",
        f"  curl -X PUT '{url}/_snapshot/{REPOSITORY}' -H 'Content-Type: application/json' \\",
        f"       -d '{{\"type\": \"fs\", \"settings\": {{\"location\": \"{location}\"}}}}'",
        f"  curl -X PUT '{url}/_snapshot/{REPOSITORY}/pipeline-$(date -u +%Y%m%d-%H%M%S)?wait_for_completion=true'"
        " -H 'Content-Type: application/json' \\",
        f"       -d '{{\"indices\": \"{names}\", \"include_global_state\": false}}'",
        f"  curl '{url}/_snapshot/{REPOSITORY}/_all'          # list snapshots",
        f"  curl -X POST '{url}/_snapshot/{REPOSITORY}/SNAPSHOT/_restore' -H 'Content-Type: application/json' \\",
        f"       -d '{{\"indices\": \"{names}\"}}'   # restore (close or delete those indices first)",
        "or run `pipeline backup DEST` again once path.repo is set: it registers the repository and snapshots.",
    ])


def snapshot(es: Elasticsearch, location: str, name: str, indices: list[str],
             progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Register the ``fs`` repository at ``location`` (idempotent), snapshot ``indices`` as ``name``, wait.

    ``progress`` gets (shards done, shards in all) while the snapshot runs. Raises PermanentError when the
    snapshot ends other than SUCCESS.
    """
    es.snapshot.create_repository(name=REPOSITORY, repository={"type": "fs", "settings": {"location": location}})
    es.snapshot.create(repository=REPOSITORY, snapshot=name, indices=",".join(indices),
                       include_global_state=False, wait_for_completion=False)
    while True:
        info = es.snapshot.get(repository=REPOSITORY, snapshot=name)["snapshots"][0]
        shards = info.get("shards") or {}
        if progress and shards:
            progress(int(shards.get("successful", 0)), int(shards.get("total", 0)))
        if info["state"] not in ("IN_PROGRESS", "STARTED"):
            break
        time.sleep(POLL_S)
    if info["state"] != "SUCCESS":
        raise PermanentError(f"snapshot {name} ended {info['state']}: {info.get('failures') or ''}")
    return dict(info)
