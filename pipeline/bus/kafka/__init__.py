"""The bus on Apache Kafka, through kafka-python 3.x: the only package that imports ``kafka``.

Same contract as :mod:`pipeline.bus.base` and the SQLite log. Split by job:
``client`` (configuration and driver-error translation), ``bus`` (the factory and
admin views), ``producer`` and ``consumer``.
"""

from pipeline.bus.kafka.bus import KafkaBus

__all__ = ["KafkaBus"]
