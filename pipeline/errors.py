"""The project's own error types.

Adapters translate driver exceptions into these at their edge, so nothing
above an adapter catches ``kafka.errors.*`` or ``elasticsearch.*``.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(PipelineError):
    """The configuration is missing, unreadable or invalid. Not retried."""


class TransientError(PipelineError):
    """A failure that may go away when retried (timeouts, overload)."""


class BackendUnavailable(TransientError):
    """A bus or index server cannot be reached; retried with backoff."""


class PermanentError(PipelineError):
    """A failure that retrying cannot fix; the record goes to a dead-letter topic."""


class RecordTooLarge(PermanentError):
    """The bus refuses a record for its size; sending it again cannot help (it is dead-lettered)."""


class MalformedRecord(PermanentError):
    """A message that is not a valid record of the expected schema and version."""


class InputError(PipelineError):
    """Bad user input (a file, a query, a flag); reported without a traceback."""
