"""Running on a Ray cluster: :class:`RayScheduler` is a tessera scheduler.

Map
---
- :class:`RayScheduler` -- ``RayScheduler(address=None, **ray_init_kwargs)``; calling it
  computes keys on Ray, :meth:`RayScheduler.persist` leaves results in Ray's object store
  and returns one ``ObjectRef`` per key, :meth:`RayScheduler.close` shuts down a Ray it
  started itself.
- :class:`Submission` -- one graph on Ray: submits the tasks, holds and drops their
  refs, fetches the requested results, cancels what is pending on failure.
- :func:`import_ray` -- the one import of ``ray`` (``tessera[ray]``).

Policy (the graph is prepared by :mod:`tessera.scheduling.remote_plan`):

- Ray is initialised on first use, and only if it is not already; ``close`` (or leaving a
  ``with`` block) calls ``ray.shutdown`` only when this scheduler did that ``ray.init``.
- One remote task per key, named by its key (``fuse_chains=True``: one per linear chain
  of keys, as tessera's local engine batches them, named by its last key), submitted in
  tessera's static order, with its dependencies passed as ``ObjectRef`` arguments, so
  data stays in the cluster.  Large literals, also inside a task's arguments, are put in
  the object store once.
- The driver drops its reference to a result once the last dependent task is submitted
  and the result is known to be ready; only the requested keys are fetched.
- When a task fails, every task still pending is cancelled and the user's exception is
  re-raised (its own type, the worker's traceback as ``__cause__``, the key in a note).
- tessera callbacks (``ProgressBar``...) see every task as the driver learns it is
  submitted and finished (see :mod:`tessera.scheduling.remote_report`).

>>> from tessera.scheduling.ray import RayScheduler
>>> from operator import add
>>> with RayScheduler(num_cpus=2) as ray_scheduler:  # doctest: +SKIP
...     ray_scheduler({"a": 1, "b": (add, "a", 1)}, "b")
2
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from tessera.extras import import_extra
from tessera.scheduling.graph import cull, flatten_keys
from tessera.scheduling.local import _pack, run_graph
from tessera.scheduling.remote import local_error, rerun_requested, run_step, unpicklable_task
from tessera.scheduling.remote_plan import Plan, plan
from tessera.scheduling.remote_report import Reporter, reporter, reporting

__all__ = ["FORWARDED", "SCATTER_THRESHOLD", "RayScheduler", "Submission", "import_ray"]

#: Literals of at least this many bytes are put in the object store once, not inlined.
SCATTER_THRESHOLD = 100_000
#: Keywords passed on to every task's ``.options()``.
FORWARDED = ("num_cpus", "num_gpus", "memory", "resources", "max_retries", "scheduling_strategy")
#: Seconds between two checks of which tasks have finished.
POLL_SECONDS = 0.1
_remote: dict[str, Any] = {}


def import_ray() -> Any:
    """Import and return ``ray``, or say which extra to install.

    >>> import_ray().__name__
    'ray'
    """
    return import_extra("ray", "Computing on a Ray cluster", "ray")


def _task_name(key: Any) -> str:
    return key if type(key) is str else repr(key)


def _explain(ray: Any, exc: BaseException) -> BaseException:
    """The user's exception inside Ray's wrappers, or a clear error for a missing tessera."""
    while isinstance(exc, ray.exceptions.RayTaskError) and exc.cause is not None:
        exc = exc.cause
    if isinstance(exc, ray.exceptions.RaySystemError) and "tessera" in str(exc):
        return ImportError(
            f"tessera cannot be imported on a Ray worker ({exc}). tessera must be installed "
            "on every node of the Ray cluster, in the same version as here: install it in "
            "the environment or image the cluster runs from, or pass it in a runtime_env."
        )
    return exc


class RayScheduler:
    """A Ray cluster as a tessera scheduler.

    Parameters
    ----------
    address : str, optional
        Passed to ``ray.init``: ``None`` starts a local Ray (unless one is running in this
        process already), ``"auto"`` joins the cluster of this machine, ``"ray://..."``
        connects a client.
    fuse_chains : bool
        Submit each linear chain of tasks as one Ray task (fewer, larger tasks; the chain
        is named by its last key) instead of one Ray task per key.
    **ray_init_kwargs
        Other keywords for ``ray.init`` (``num_cpus``, ``object_store_memory``,
        ``runtime_env``...).

    Notes
    -----
    Calling it as ``get(dsk, keys, **kwargs)`` computes ``keys``.  Keywords:
    ``num_cpus``, ``num_gpus``, ``memory``, ``resources``, ``max_retries``,
    ``scheduling_strategy`` (each task's Ray options); ``scatter_threshold`` (bytes);
    ``rerun_exceptions_locally``; ``callbacks`` (added to the active ones).  Other
    keywords of the local schedulers are ignored.

    Examples
    --------
    >>> RayScheduler(address="auto")
    RayScheduler(address='auto')
    """

    def __init__(
        self, address: str | None = None, *, fuse_chains: bool = False, **ray_init_kwargs: Any
    ) -> None:
        self.address = address
        self.fuse = fuse_chains
        self.init_kwargs = ray_init_kwargs
        self.started = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        extra = ", fuse_chains=True" if self.fuse else ""
        extra += "".join(f", {k}={v!r}" for k, v in self.init_kwargs.items())
        return f"RayScheduler(address={self.address!r}{extra})"

    def __enter__(self) -> RayScheduler:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def ray(self) -> Any:
        """Return the ``ray`` module, initialised (``ray.init`` only if not done yet)."""
        ray = import_ray()
        with self._lock:
            if not ray.is_initialized():
                ray.init(address=self.address, **self.init_kwargs)
                self.started = True
        return ray

    def close(self) -> None:
        """Shut Ray down if this scheduler started it; otherwise leave it running."""
        with self._lock:
            if self.started:
                import_ray().shutdown()
                self.started = False

    def submission(
        self, dsk: Mapping[Any, Any], flat: list[Any], kwargs: dict[str, Any]
    ) -> Submission:
        """Plan ``flat`` keys of ``dsk`` for Ray, with the large literals already put.

        Nothing runs until :meth:`Submission.submit`.
        """
        ray = self.ray()
        threshold = kwargs.get("scatter_threshold") or SCATTER_THRESHOLD
        p = plan(dsk, flat, lambda x: isinstance(x, ray.ObjectRef), threshold, fuse=self.fuse)
        options = {k: kwargs[k] for k in FORWARDED if kwargs.get(k) is not None}
        return Submission(ray, p, options)

    def __call__(self, dsk: Mapping[Any, Any], keys: Any, **kwargs: Any) -> Any:
        """Compute ``keys`` (a key or nested lists of keys) of ``dsk`` on Ray."""
        flat = flatten_keys(keys)
        if not flat:
            return _pack(keys, [])
        sub = self.submission(dsk, flat, kwargs)
        sub.report = reporter(dsk, kwargs.get("callbacks"))
        ray = sub.ray
        with reporting(sub.report):
            sub.submit()
            try:
                values = sub.fetch()
            except BaseException as e:
                sub.cancel()
                if not isinstance(e, Exception):
                    raise
                exc, key = local_error(_explain(ray, e))
                if key is not None and rerun_requested(kwargs):
                    _rerun(ray, dsk, key)
                raise exc from exc.__cause__
        return values[0] if type(keys) is not list else _pack(keys, values)

    def persist(self, dsk: Mapping[Any, Any], keys: Any, **kwargs: Any) -> Any:
        """Start computing ``keys``; return their ``ObjectRef`` s (same structure as ``keys``).

        The results stay in Ray's object store; errors surface when they are fetched.
        """
        flat = flatten_keys(keys)
        if not flat:
            return _pack(keys, [])
        sub = self.submission(dsk, flat, kwargs)
        sub.submit()
        outputs = sub.outputs
        return outputs[0] if type(keys) is not list else _pack(keys, outputs)


def _rerun(ray: Any, dsk: Mapping[Any, Any], key: Any) -> None:
    """Run the failed task and what it needs in this thread, so it raises here."""
    part = cull(dsk, key)
    run_graph(
        {k: ray.get(v) if isinstance(v, ray.ObjectRef) else v for k, v in part.items()}, key, None
    )


class Submission:
    """One graph submitted to Ray: the refs the driver holds, and what to do with them.

    ``held`` maps a unit to its result's ref while a unit not yet submitted still needs
    it, or while it is requested: the driver drops the ref once the last dependent is
    submitted.  ``pending`` maps the refs of the tasks not yet seen finished to their
    units (to cancel them, and to report them to callbacks); :meth:`fetch` drops each as
    soon as ``ray.wait`` reports it.  ``outputs`` has one ref per requested key.
    ``run`` is the remote function every task calls; ``report`` calls the callbacks.
    """

    def __init__(self, ray: Any, p: Plan, options: dict[str, Any]) -> None:
        self.ray = ray
        self.plan = p
        self.options = options
        self.lifted = [
            x if remote else ray.put(x) for x, remote in zip(p.lifted, p.remote, strict=True)
        ]
        if "run" not in _remote:
            _remote["run"] = ray.remote(run_step)
        self.run = _remote["run"]
        self.held: dict[int, Any] = {}
        self.pending: dict[Any, int] = {}
        self.outputs: list[Any] = []
        self.report: Reporter | None = None

    def submit(self) -> None:
        """Submit every unit in order, each named by its key, its inputs passed as refs."""
        p, held, lifted = self.plan, self.held, self.lifted
        keep = {a for a in p.outputs if a >= 0}
        remaining = list(p.dependents)
        for n, u in enumerate(p.units):
            args = [held[a] if a >= 0 else lifted[-a - 1] for a in u.args]
            name = _task_name(u.step.keys[-1])
            try:
                ref = self.run.options(name=name, **self.options).remote(u.step, *args)
            except Exception as e:
                self.cancel()
                err = unpicklable_task([u.step])
                if err is None:
                    raise
                raise err from e
            held[n] = ref
            self.pending[ref] = n
            if self.report is not None:
                self.report.submitted(u.step.keys)
            for a in set(u.args):
                if a >= 0:
                    remaining[a] -= 1
                    if not remaining[a] and a not in keep:
                        del held[a]
        self.outputs = [held[a] if a >= 0 else lifted[-a - 1] for a in p.outputs]

    def fetch(self) -> list[Any]:
        """Wait for every task; fetch (``ray.get``) the requested keys' values only."""
        ray, pending, report, units = self.ray, self.pending, self.report, self.plan.units
        values: dict[Any, Any] = {}
        want = set(self.outputs)
        while pending:
            ready, _ = ray.wait(
                list(pending), num_returns=len(pending), timeout=POLL_SECONDS, fetch_local=False
            )
            for ref in ready:
                keys = units[pending.pop(ref)].step.keys
                if ref in want:
                    values[ref] = ray.get(ref)
                if report is not None:
                    report.finished(keys[:-1])
                    report.finished(keys[-1:], values.get(ref))
        for ref in want - values.keys():  # handles that were in the graph already
            values[ref] = ray.get(ref)
        return [values[ref] for ref in self.outputs]

    def cancel(self) -> None:
        """Cancel every task still pending (a finished one is left alone)."""
        for ref in self.pending:
            with contextlib.suppress(Exception):  # the task finished meanwhile
                self.ray.cancel(ref)
        self.pending.clear()
