"""A progress bar for computes: tasks done out of total, elapsed time and an ETA.

Map
---
- :class:`ProgressBar` -- a :class:`~tessera.callbacks.Callback` that draws a bar while a
  compute runs.  Built on ``tqdm`` (``tqdm.auto``, so it also renders in notebooks) when
  tqdm is importable, else on a small text bar written to ``out``.

State and policy
----------------
The bar asks for worker-side task times (``task_times``) and does all its per-task
work in ``_task_time`` (called in the thread that called ``compute`` as each task is
reported finished): a dict lookup and three list updates for the task's group, an
integer increment and one ``time.monotonic()`` read -- about 0.3 us per task.  It
redraws only when ``dt`` seconds have passed since the last draw, so a graph of a
million tiny tasks costs a million increments, not a million writes.  ``_start`` counts
the graph's tasks per key name once (about 0.15 us per task; ``compute`` hands the
scheduler a culled graph, so that is what runs; a successful compute's last line shows
the tasks that ran).  Nothing is drawn before ``minimum`` seconds have passed, so short
computes stay silent.  ``_finish`` draws the last line -- at 100% on success, where the
bar stood on failure -- and ends it with a newline; nothing is written after that.
There is no background thread.

The ETA is priced per task group from the durations seen so far
(:class:`~tessera.diagnostics.eta.GroupETA`), not ``elapsed * remaining / done``.

>>> import io
>>> from operator import add
>>> from tessera.scheduling import synchronous
>>> out = io.StringIO()
>>> with ProgressBar(out=out, use_tqdm=False):
...     synchronous.get({"a": 1, "b": (add, "a", 1)}, "b")
2
>>> print(out.getvalue().split("\\r")[-1].rstrip())
[########################################] | 100% Completed | 2/2 tasks | ...
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from tessera.diagnostics.eta import GroupETA
from tessera.scheduling.callbacks import Callback

__all__ = ["ProgressBar"]

_WIDTH = 40


def _format_seconds(t: float) -> str:
    """Format a duration for the bar.

    >>> _format_seconds(3.14159), _format_seconds(125), _format_seconds(7322)
    ('3.1s', '2m05s', '2h02m02s')
    """
    if t < 60:
        return f"{t:.1f}s"
    m, s = divmod(int(t), 60)
    if m < 60:
        return f"{m}m{s:02d}s"
    h, m = divmod(m, 60)
    return f"{h}h{m:02d}m{s:02d}s"


@functools.cache
def _tqdm_class() -> Any:
    """Return a ``tqdm.auto.tqdm`` subclass, or ``None`` when tqdm is not installed.

    The subclass turns off tqdm's monitor thread (``monitor_interval = 0``): the bar is
    redrawn from ``_posttask`` at a bounded rate, and no thread may outlive a compute.
    Its format shows tessera's per-group ETA (the postfix) instead of tqdm's linear one.
    """
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return type("TesseraTqdm", (tqdm,), {"monitor_interval": 0})


_TQDM_FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}{postfix}]"


class ProgressBar(Callback):
    """Show the progress of computes: tasks done out of total, elapsed time, ETA.

    Parameters
    ----------
    minimum : float
        Draw nothing until the compute has run this many seconds (short computes
        stay silent).  Default 0: always show at least the final line.
    dt : float
        Redraw at most once every ``dt`` seconds while the compute runs.
    out : file-like, optional
        Where to write; default ``sys.stdout`` (read when a compute starts).
    use_tqdm : bool, optional
        ``True`` requires tqdm, ``False`` uses the built-in text bar, ``None`` (default)
        uses tqdm when it is installed.

    Notes
    -----
    Use it as a context manager around ``compute`` or ``register()`` it to show a bar
    for every compute.  ``last_line`` holds the last text line of the built-in bar.

    Examples
    --------
    >>> import io
    >>> from tessera.scheduling import threaded
    >>> out = io.StringIO()
    >>> pbar = ProgressBar(out=out, use_tqdm=False)
    >>> pbar.register()
    >>> threaded.get({"x": (sum, [1, 2, 3]), "y": (abs, "x")}, "y")
    6
    >>> pbar.unregister()
    >>> pbar.last_line
    '[########################################] | 100% Completed | 2/2 tasks | ...'
    """

    task_times = True

    def __init__(
        self,
        minimum: float = 0,
        dt: float = 0.1,
        out: TextIO | None = None,
        *,
        use_tqdm: bool | None = None,
    ) -> None:
        super().__init__()
        if minimum < 0 or dt < 0:
            raise ValueError(
                f"ProgressBar needs minimum >= 0 and dt >= 0 (seconds), got "
                f"minimum={minimum!r}, dt={dt!r}."
            )
        tqdm: Any = _tqdm_class() if use_tqdm is not False else None
        if use_tqdm and tqdm is None:
            raise ImportError(
                'ProgressBar(use_tqdm=True) needs tqdm: pip install "tessera[complete]" '
                "(or pip install tqdm), or pass use_tqdm=False for the built-in bar."
            )
        self._tqdm_cls = tqdm
        self._minimum = minimum
        self._dt = dt
        self._out = out
        self._file: TextIO = sys.stdout
        self._bar: Any = None
        self._done = 0
        self._total = 0
        self._t0 = 0.0
        self._next = 0.0
        self._drawn = False
        self._eta = GroupETA(())
        self.last_line = ""

    # hooks -------------------------------------------------------------------------------
    def _start(self, dsk: Mapping[Any, Any]) -> None:
        self._file = self._out if self._out is not None else sys.stdout
        self._done = 0
        self._total = len(dsk)
        self._eta = GroupETA(dsk)
        self._drawn = False
        self._bar = None
        self.last_line = ""
        self._t0 = time.monotonic()
        self._next = self._t0 + max(self._minimum, self._dt)

    def _task_time(
        self,
        key: Any,
        dsk: Mapping[Any, Any],
        start_time: float,
        end_time: float,
        worker_id: Any,
    ) -> None:
        eta = self._eta  # GroupETA.finished, inlined: this runs once per task
        name = key[0] if type(key) is tuple and key else key
        g = eta.slot.get(name)
        if g is None:
            g = eta.index(name)
        eta.left[g] -= 1
        eta.done[g] += 1
        eta.busy[g] += end_time - start_time
        self._done += 1
        now = time.monotonic()
        if now >= self._next:
            self._next = now + self._dt
            self._draw(now)

    def _finish(self, dsk: Mapping[Any, Any], state: Any, errored: bool) -> None:
        now = time.monotonic()
        if not errored:  # every task ran: graph keys that were not needed do not count
            self._total = self._done
        if self._drawn or now - self._t0 >= self._minimum:
            self._draw(now, final=True)
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    # drawing -----------------------------------------------------------------------------
    def _draw(self, now: float, final: bool = False) -> None:
        self._drawn = True
        done, total = self._done, max(self._total, 1)
        elapsed = now - self._t0
        left = self._eta.eta(elapsed) if not final and 0 < done < total else None
        eta = "" if left is None else f"ETA {_format_seconds(left)}"
        if self._tqdm_cls is not None:
            self._draw_tqdm(eta)
            return
        frac = min(done / total, 1.0)
        filled = int(_WIDTH * frac)
        line = (
            f"[{'#' * filled}{' ' * (_WIDTH - filled)}] | {int(100 * frac):3d}% Completed | "
            f"{done}/{self._total} tasks | {_format_seconds(elapsed)}"
        )
        if eta:
            line += f" | {eta}"
        self.last_line = line
        self._file.write("\r" + line + ("\n" if final else ""))
        self._file.flush()

    def _draw_tqdm(self, eta: str) -> None:
        if self._bar is None:
            self._bar = self._tqdm_cls(
                total=self._total,
                file=self._file,
                unit="task",
                mininterval=0,
                miniters=0,
                leave=True,
                bar_format=_TQDM_FORMAT,
            )
            # Start tqdm's clock at the compute's start, not at the first draw.
            self._bar.start_t -= time.monotonic() - self._t0
        self._bar.total = self._total
        self._bar.set_postfix_str(eta, refresh=False)
        self._bar.update(self._done - self._bar.n)
