"""Running on a Dask ``distributed`` cluster: a ``Client`` is accepted wherever a scheduler is.

Map
---
- :class:`ClientScheduler` -- what a ``distributed.Client`` becomes as a scheduler: calling
  it computes keys and gathers only those; :meth:`ClientScheduler.persist` leaves the
  results on the cluster and returns one ``Future`` per key (``tessera.persist`` builds
  collections whose graphs hold these futures, so later computes reuse them).
- :data:`get` -- a :class:`ClientScheduler` on the default client (``scheduler="distributed"``).
- :func:`to_tasks` -- the translation: a tessera graph as Dask ``Task`` objects.
- :func:`check_workers` -- tessera must import on the scheduler and the workers, also
  on those that join later (see :mod:`tessera.scheduling.distributed_check`).
- :func:`import_distributed` -- the one import of ``distributed`` (``tessera[distributed]``).

Translation policy (see :mod:`tessera.scheduling.remote`): every cluster task is a call of
:func:`~tessera.scheduling.remote.run_step` whose arguments are its dependencies, so Dask
never interprets tessera's task tuples; a linear chain of tasks is one cluster task.
Keys are deterministic: a task's tessera key with a token of its content and of its
dependencies' keys appended (``("x", 0)`` becomes ``("x-<token>", 0)``), so equal work
shares keys and a reused tessera key with different content never meets a stale result.
Literals of at least :data:`SCATTER_THRESHOLD` bytes are scattered once (``hash=True``)
instead of embedded.  tessera's static order is passed as each task's ``priority``
annotation: ``priority - rank / n`` (``priority=`` defaults to 0), which the scheduler
sorts before its own ordering.  A failing task re-raises the user's exception with the
worker's traceback as ``__cause__``.  tessera callbacks see the start and the end of a
compute and the requested keys as they arrive (see
:mod:`tessera.scheduling.remote_report`); the Dask dashboard shows every task.

>>> from distributed import Client                          # doctest: +SKIP
>>> client = Client()                                        # doctest: +SKIP
>>> from operator import add
>>> ClientScheduler(client)({"a": 1, "b": (add, "a", 1)}, "b")  # doctest: +SKIP
2
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tessera.extras import import_extra
from tessera.hashing import tokenize
from tessera.scheduling.distributed_check import check_workers
from tessera.scheduling.graph import cull, flatten_keys
from tessera.scheduling.local import _pack, run_graph
from tessera.scheduling.remote import local_error, rerun_requested, run_step, unpicklable_task
from tessera.scheduling.remote_plan import Plan, plan
from tessera.scheduling.remote_report import Reporter, reporter, reporting

__all__ = [
    "SCATTER_THRESHOLD",
    "ClientScheduler",
    "Submission",
    "check_workers",
    "get",
    "import_distributed",
    "to_tasks",
]

#: Literals of at least this many bytes are scattered rather than embedded in tasks.
SCATTER_THRESHOLD = 100_000
#: Keywords passed on to ``Client.get`` (``priority`` is combined with tessera's order).
FORWARDED = ("workers", "allow_other_workers", "resources", "retries", "fifo_timeout")


def import_distributed() -> Any:
    """Import and return ``distributed``, or say which extra to install.

    >>> import_distributed().__name__
    'distributed'
    """
    return import_extra("distributed", "Computing on a Dask cluster", "distributed")


def _is_future(x: object) -> bool:
    from distributed import Future

    return isinstance(x, Future)


@dataclass
class Submission:
    """A graph translated for a client.

    ``tasks`` maps cluster keys to Dask ``Task`` objects; ``outputs[k]`` is the cluster
    key of the ``k``-th requested key or, for a value already on the cluster, its
    ``Future``; ``held`` are the scattered literals' futures (kept until submitted);
    ``priority`` maps cluster keys to their priority annotation.
    """

    tasks: dict[Any, Any]
    outputs: list[Any]
    held: list[Any]
    priority: dict[Any, float]
    plan: Plan


def _cluster_key(key: Any, token: str) -> Any:
    if type(key) is tuple and key and type(key[0]) is str:
        return (f"{key[0]}-{token}", *key[1:])
    return f"{key if type(key) is str else repr(key)}-{token}"


def to_tasks(
    client: Any,
    dsk: Mapping[Any, Any],
    keys: list[Any],
    *,
    threshold: int = SCATTER_THRESHOLD,
    priority: float = 0,
) -> Submission:
    """Translate ``keys`` of ``dsk`` into Dask tasks for ``client`` (scattering big literals).

    >>> sub = to_tasks(client, {"a": 1, "b": (abs, "a")}, ["b"])  # doctest: +SKIP
    >>> list(sub.tasks)                                          # doctest: +SKIP
    ['b-6f0e...']
    """
    from dask.task_spec import Task, TaskRef

    p = plan(dsk, keys, _is_future, threshold, fuse=True)
    lifted = list(p.lifted)
    uploads = [j for j, remote in enumerate(p.remote) if not remote]
    held: list[Any] = []
    if uploads:
        held = client.scatter([lifted[j] for j in uploads], hash=True)
        for j, fut in zip(uploads, held, strict=True):
            lifted[j] = fut
    ckeys: list[Any] = []
    tasks: dict[Any, Any] = {}
    prio: dict[Any, float] = {}
    n = max((u.rank for u in p.units), default=0) + 1
    for u in p.units:
        args = [TaskRef(ckeys[a]) if a >= 0 else lifted[-a - 1] for a in u.args]
        step = u.step
        step.token = tokenize(step.keys, step.ops, [a.key for a in args])
        ckey = _cluster_key(step.keys[-1], step.token)
        ckeys.append(ckey)
        tasks[ckey] = Task(ckey, run_step, step, *args)
        prio[ckey] = priority - u.rank / n
    outputs = [ckeys[a] if a >= 0 else lifted[-a - 1] for a in p.outputs]
    return Submission(tasks, outputs, held, prio, p)


def _forwarded(kwargs: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """The keywords for ``Client.get`` and the base priority (keyword, then annotation)."""
    import dask

    priority = kwargs.get("priority")
    if priority is None:
        priority = dask.get_annotations().get("priority", 0)
    base = float(priority) if isinstance(priority, (int, float)) else 0.0
    return {k: kwargs[k] for k in FORWARDED if kwargs.get(k) is not None}, base


class ClientScheduler:
    """A ``distributed.Client`` as a tessera scheduler.

    Parameters
    ----------
    client : distributed.Client, optional
        The client; ``None`` means the default client at the time of each compute (inside
        a task running on the cluster: the worker's client, so nested computes work).

    Notes
    -----
    Calling it as ``get(dsk, keys, **kwargs)`` computes ``keys`` on the cluster and
    gathers only them.  Keywords: ``workers``, ``allow_other_workers``, ``resources``,
    ``retries``, ``fifo_timeout`` and ``priority`` as for ``Client.get``;
    ``scatter_threshold`` (bytes); ``rerun_exceptions_locally``; ``callbacks`` (added to
    the active ones).  Other keywords of the local schedulers (``num_workers``, ``pool``)
    are accepted and ignored.

    Examples
    --------
    >>> ClientScheduler(None)
    ClientScheduler(<default client>)
    """

    def __init__(self, client: Any = None) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"ClientScheduler({self.client if self.client is not None else '<default client>'})"

    def _client(self) -> Any:
        distributed = import_distributed()
        if self.client is not None:
            return self.client
        try:
            return distributed.get_client()  # inside a task: the worker's client
        except ValueError:
            raise ValueError(
                "scheduler='distributed' needs a running distributed.Client, and none was "
                "found. Create one first (Client('tcp://scheduler:8786'), or Client() for a "
                "local cluster), or pass it: compute(scheduler=client)."
            ) from None

    def _submit(
        self, dsk: Mapping[Any, Any], flat: list[Any], kwargs: dict[str, Any]
    ) -> tuple[Any, list[Any], list[Any]]:
        """Send the graph; return the client, one future per key of ``flat``, and the
        futures created here (the others were in the graph: they are the caller's)."""
        import dask

        client = self._client()
        forward, priority = _forwarded(kwargs)
        threshold = kwargs.get("scatter_threshold") or SCATTER_THRESHOLD
        sub = to_tasks(client, dsk, flat, threshold=threshold, priority=priority)
        check_workers(client)
        wanted = [k for k in dict.fromkeys(sub.outputs) if not _is_future(k)]
        futures: dict[Any, Any] = {}
        if wanted:
            with dask.annotate(priority=defaultdict(float, sub.priority).__getitem__):
                try:
                    got = client.get(sub.tasks, wanted, sync=False, **forward)
                except Exception as e:
                    err = unpicklable_task([u.step for u in sub.plan.units])
                    if err is None:
                        raise
                    raise err from e
            futures = dict(zip(wanted, got, strict=True))
        return client, [futures.get(k, k) for k in sub.outputs], list(futures.values())

    def __call__(self, dsk: Mapping[Any, Any], keys: Any, **kwargs: Any) -> Any:
        """Compute ``keys`` (a key or nested lists of keys) of ``dsk`` on the cluster."""
        flat = flatten_keys(keys)
        if not flat:
            return _pack(keys, [])
        rep = reporter(dsk, kwargs.get("callbacks"))
        with reporting(rep):
            client, futures, own = self._submit(dsk, flat, kwargs)
            try:
                values = _gather(client, futures, flat, rep)
            except Exception as e:
                exc, key = local_error(e)
                if key is not None and rerun_requested(kwargs):
                    _rerun(client, dsk, key)
                raise exc from exc.__cause__
            finally:
                for f in own:
                    f.release()
        return values[0] if type(keys) is not list else _pack(keys, values)

    def persist(self, dsk: Mapping[Any, Any], keys: Any, **kwargs: Any) -> Any:
        """Start computing ``keys`` and return their futures (same structure as ``keys``).

        The results stay on the cluster; errors surface when the futures are gathered.
        """
        flat = flatten_keys(keys)
        if not flat:
            return _pack(keys, [])
        _, futures, _ = self._submit(dsk, flat, kwargs)
        return futures[0] if type(keys) is not list else _pack(keys, futures)


def _gather(client: Any, futures: list[Any], keys: list[Any], rep: Reporter | None) -> Any:
    """Gather ``futures`` (of ``keys``), reporting each to ``rep`` as it arrives; inside a
    task (a nested compute), free the worker's thread meanwhile."""
    distributed = import_distributed()

    try:
        distributed.secede()
    except ValueError:  # not running inside a task
        return _collect(distributed, client, futures, keys, rep)
    try:
        return _collect(distributed, client, futures, keys, rep)
    finally:
        distributed.rejoin()


def _collect(
    distributed: Any, client: Any, futures: list[Any], keys: list[Any], rep: Reporter | None
) -> list[Any]:
    if rep is None:
        return client.gather(futures)  # type: ignore[no-any-return]
    named: dict[Any, list[Any]] = defaultdict(list)
    for key, fut in zip(keys, futures, strict=True):
        named[fut].append(key)
    got = {}
    for fut, value in distributed.as_completed(list(named), with_results=True):
        got[fut] = value
        rep.finished(named[fut], value)
    return [got[fut] for fut in futures]


def _rerun(client: Any, dsk: Mapping[Any, Any], key: Any) -> None:
    """Run the failed task and what it needs in this thread, so it raises here."""
    part = cull(dsk, key)
    local = {k: client.gather(v) if _is_future(v) else v for k, v in part.items()}
    run_graph(local, key, None)


#: The default client as a scheduler: ``scheduler="distributed"``.
get = ClientScheduler()
