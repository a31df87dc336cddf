"""spaCy's transition-based components (``ner``, ``parser``) run faster, with the same output.

Two costs of spaCy 3.8 on CPU that do not change what the model computes:

* **The greedy loop.** spaCy's compiled loop runs without the GIL, but every
  validity check of every transition (``StateC::B_``, 70-odd per token for
  NER) takes and drops the GIL again: about 40 % of NER's time on PolNeAR
  dev goes to GIL hand-offs. :func:`greedy_pipe` takes the same steps from
  Python, holding the GIL, through spaCy's own step model and
  ``transition_states`` (the calls spaCy's training uses): NER 4.6 -> 2.9 CPU
  seconds on dev, identical entities.
* **The matrix products.** thinc's default ``gemm`` (blis) falls back to its
  generic reference kernel on CPUs its build does not know (the project's
  AMD EPYC among them); NumPy's OpenBLAS runs the same products about three
  times faster. :func:`use_numpy_blas` switches components to thinc's
  ``NumpyOps(use_blis=False)``, which delegates ``gemm`` to NumPy, and
  keeps OpenBLAS to one thread per process (worker processes are the unit
  of parallelism; threads would compete with them for the same cores).

The only importers of thinc and threadpoolctl; spaCy objects come in from
:mod:`pipeline.nlp.spacy.parser`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import numpy as np
from spacy.tokens import Doc
from thinc.api import NumpyOps
from threadpoolctl import threadpool_limits

# Tokens decoded as one batch of states. Wider batches take fewer Python steps (on dev, 16,000
# against 4,000: NER -14 %, parser -25 % CPU); the precomputed features and tok2vec activations
# grow with it (whole 16-article batches of dev, up to ~25,000 tokens: +70 MB peak RSS).
MAX_TOKENS = 16_000
_BLAS_LIMITED: list[bool] = []


def use_numpy_blas(components: Iterable[Any]) -> None:
    """Run the thinc models of ``components`` on NumPy's BLAS, one BLAS thread per process.

    Mutates the components' models in place (their ops only: weights and
    results stay the same up to float rounding in the last bits).
    """
    if not _BLAS_LIMITED:  # process-wide, once: the limit holds for every later product
        threadpool_limits(limits=1, user_api="blas")
        _BLAS_LIMITED.append(True)
    ops = NumpyOps(use_blis=False)
    for component in components:
        model = getattr(component, "model", None)
        if model is not None and hasattr(model, "walk"):
            for node in model.walk():
                node.ops = ops


def is_greedy_transition_parser(component: Any) -> bool:
    """Whether ``component`` is a transition-based parser decoding greedily (beam width 1)."""
    return hasattr(component, "transition_states") and component.cfg.get("beam_width", 1) == 1


def greedy_pipe(component: Any, docs: Iterable[Doc], batch_size: int,
                max_tokens: int = MAX_TOKENS) -> Iterator[Doc]:
    """``component.pipe(docs)`` for a greedy transition-based parser, stepped from Python.

    Guarantee: the same model and the same transitions as spaCy's greedy
    decoder (each step takes the best valid action); docs come back in
    order, annotated in place. Each batch of ``batch_size`` docs is sorted by
    length and decoded in groups of at most ``max_tokens`` tokens (or one
    doc), which bounds the memory of the precomputed features.
    """
    it = iter(docs)
    while batch := list(islice(it, batch_size)):
        for group in _groups(sorted(batch, key=len), max_tokens):
            _parse(component, group)
        yield from batch


def _groups(docs: list[Doc], max_tokens: int) -> Iterator[list[Doc]]:
    """Consecutive groups of ``docs`` of at most ``max_tokens`` tokens (a longer doc alone)."""
    group: list[Doc] = []
    tokens = 0
    for doc in docs:
        if group and tokens + len(doc) > max_tokens:
            yield group
            group, tokens = [], 0
        group.append(doc)
        tokens += len(doc)
    if group:
        yield group


def _parse(component: Any, docs: list[Doc]) -> None:
    states = component.moves.init_batch(docs)
    if any(len(doc) for doc in docs):  # spaCy's predict skips a batch without tokens the same way
        step_model = component.model.predict(docs)
        scores = _scorer(step_model)
        todo = [state for state in states if not state.is_final()]
        while todo:
            todo = component.transition_states(todo, scores(todo))
        step_model.clear_memory()
    component.set_annotations(docs, states)


def _scorer(step_model: Any) -> Callable[[list[Any]], Any]:
    """``step_model.predict`` (spaCy's ``step_forward`` at inference), its layers called directly.

    The same arithmetic in the same order (the precomputed hidden layer, then
    NumPy's ``dot`` with the upper layer's transposed weights plus its bias,
    unseen classes set to the minimum), without thinc's wrappers and closures
    on every step: a third of the per-step cost, 34,000 steps on dev. Any other
    step model (no upper layer, blis ops) keeps its own ``predict``.
    """
    upper = getattr(step_model, "vec2scores", None)
    ops: Any = getattr(upper, "ops", None)
    if (upper is None or upper.name != "linear" or type(ops) is not NumpyOps or ops.use_blis
            or not step_model.attrs.get("has_upper")):
        predict: Callable[[list[Any]], Any] = step_model.predict
        return predict
    weights, bias = upper.get_param("W").T, upper.get_param("b")
    unseen = step_model._class_mask == 0
    any_unseen = bool(unseen.any())
    token_ids, hidden = step_model.get_token_ids, step_model.state2vec.predict

    def scores(states: list[Any]) -> Any:
        out = np.dot(hidden(token_ids(states)), weights)  # what thinc's Linear does on NumpyOps
        out += bias
        if any_unseen:
            out[:, unseen] = np.nanmin(out)
        return out

    return scores
