"""tessera must import on every process of a Dask cluster, also on workers that join later.

Map
---
- :func:`check_workers` -- raise a clear ``ImportError`` unless a module (tessera)
  imports on the scheduler and on every worker.
- :func:`join_check` -- the ``WorkerPlugin`` that tries the import on each worker as it
  joins and reports a failure as an event on a topic the client subscribes to.
- :func:`forget` -- drop what is known about a client (its checks and reports).

State (per client and module): whether the first check passed (``_checked``) and the
failures reported since by workers that joined later (``_late``), guarded by
``_reported``.

Policy: the first compute on a client checks the scheduler and every worker (one round
trip) and registers :func:`join_check`, which also covers the workers that join
afterwards; later computes cost nothing: they only read what joining workers reported,
which arrives in the background (a compute that starts while a worker is still joining
may run before its report arrives).  The plugin and the probe are defined inside
functions, so they reach the workers by value: they run where tessera is missing.

>>> check_workers(client)  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["check_workers", "forget", "join_check"]

Ident = tuple[str, str]
_checked: set[Ident] = set()
_late: dict[Ident, dict[str, str]] = {}  # worker address -> why the import failed
_reported = threading.Condition()


def _probe(module: str) -> Callable[[], str | None]:
    def probe() -> str | None:  # pickled by value: runs where tessera may be missing
        try:
            __import__(module)
        except Exception as e:
            return f"{type(e).__name__}: {e}"
        return None

    return probe


def _topic(module: str) -> str:
    return f"tessera-import-check-{module}"


def join_check(module: str) -> Any:
    """A ``distributed.WorkerPlugin`` that tries ``import module`` on every worker it
    is set up on, and logs a failure as the event ``{"worker": ..., "error": ...}``.

    >>> from types import SimpleNamespace
    >>> events = []
    >>> worker = SimpleNamespace(address="tcp://w:1", log_event=lambda *e: events.append(e))
    >>> join_check("no_such_module_xyz").setup(worker)
    >>> events[0][1]["worker"], events[0][1]["error"].split(":")[0]
    ('tcp://w:1', 'ModuleNotFoundError')
    """
    from tessera.scheduling.distributed import import_distributed

    base = import_distributed().WorkerPlugin
    probe, topic = _probe(module), _topic(module)

    class ImportCheck(base):  # type: ignore[misc, valid-type]
        idempotent = True

        def setup(self, worker: Any) -> None:
            why = probe()
            if why:
                worker.log_event(topic, {"worker": worker.address, "error": why})

    return ImportCheck()


def _raise(module: str, failed: dict[str, str], total: int | None) -> None:
    shown = "; ".join(f"{where}: {why}" for where, why in list(failed.items())[:3])
    where = f"{total} processes of the cluster" if total else "the workers that joined later"
    raise ImportError(
        f"{module} cannot be imported on {len(failed)} of {where} ({shown}). tessera "
        "must be installed on the scheduler and on every worker, in the same version as "
        "here: install it in the environment or image the cluster runs from "
        "(pip install tessera)."
    )


def check_workers(client: Any, module: str = "tessera") -> None:
    """Raise ``ImportError`` unless ``module`` imports on the scheduler and every worker.

    The first call for a client checks every process and registers :func:`join_check`
    for the workers that join later; the next calls only raise what those reported.

    >>> check_workers(client)  # doctest: +SKIP
    """
    ident = (str(client.id), module)
    with _reported:
        late = _late.pop(ident, None)
    if late:
        _raise(module, late, None)
    if ident in _checked:
        return
    probe = _probe(module)
    answers: dict[str, str | None] = dict(client.run(probe))
    answers["the scheduler"] = client.run_on_scheduler(probe)
    failed = {where: why for where, why in answers.items() if why}
    if failed:
        _raise(module, failed, len(answers))

    def report(event: tuple[float, dict[str, str]]) -> None:
        with _reported:
            _late.setdefault(ident, {})[event[1]["worker"]] = event[1]["error"]
            _reported.notify_all()

    client.subscribe_topic(_topic(module), report)
    client.register_plugin(join_check(module), name=_topic(module))
    _checked.add(ident)


def forget(client: Any, module: str = "tessera") -> None:
    """Forget the checks of ``module`` on ``client``: the next compute checks again.

    >>> forget(client)  # doctest: +SKIP
    """
    ident = (str(client.id), module)
    with _reported:
        _late.pop(ident, None)
    if ident in _checked:
        _checked.discard(ident)
        client.unsubscribe_topic(_topic(module))
        client.unregister_worker_plugin(_topic(module))
