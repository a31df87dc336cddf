"""The operator's upkeep jobs: pruning old documents and backing up the embedded state.

Both work on the protocols (``index.retention.Prunable``, ``bus.base.Retention``)
or on plain SQLite files; the CLI wires the concrete backends.
"""
