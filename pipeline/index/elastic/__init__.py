"""The index on Elasticsearch 9.x: the only package that imports ``elasticsearch``.

Split by job: ``mappings`` (index settings and mappings, pure), ``documents``
(records as documents, pure), ``queries`` (search requests and facets, pure),
``schema`` (creating and migrating versioned indices behind aliases), ``rollover``
(time-based backing indices and the index holding each document),
``threads``, ``words`` (term statistics) and ``index`` (:class:`ElasticIndex`).
"""

from pipeline.index.elastic.index import ElasticIndex

__all__ = ["ElasticIndex"]
