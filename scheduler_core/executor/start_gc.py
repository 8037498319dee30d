"""The garbage collector, paused while a worker process starts, runs again.

Setting Django up makes several hundred thousand objects (modules, classes, functions,
the models' and the apps' registries) and frees few of them; every few thousand new
objects the collector walked the young ones, and now and then all of them, looking for
cycles that were not there. `manage.py runworkers` pauses the collector before its first
import, and a worker reached `handle()` 15 to 30 ms (about a tenth) sooner
(docs/performance.md, round 18).

What the start made then lives as long as the process: `gc.freeze()` sets it aside, so
the collections of a running worker walk only what came later, and the slots (forked
from this process through the forkserver) share those pages rather than copy them when a
collection would have touched their headers.
"""

from __future__ import annotations

import gc


def resume_collector() -> None:
    """Set aside what the start made and collect again, if manage.py paused the collector.

    A process whose collector was never paused (a test calling the command) is left alone:
    freezing there would keep its garbage for good.
    """
    if gc.isenabled():
        return
    gc.freeze()
    gc.enable()
