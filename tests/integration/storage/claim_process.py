"""A claimer process for the multi-process tests: claims until the queue is dry.

Run as `python -m tests.integration.storage.claim_process NAME THREADS BATCH` with
DATABASE_URL naming the test database; prints the claimed task ids as a JSON list.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from datetime import timedelta


def main() -> None:
    """Claim with THREADS threads in batches of BATCH and print every id claimed."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    import django

    django.setup()
    from django.db import connections

    from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

    name, threads, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    claimed: list[str] = []
    lock = threading.Lock()

    def claim_until_dry(thread_number: int) -> None:
        queue = DjangoQueue(DjangoTaskRepository())
        worker_id = f"{name}-t{thread_number}"
        empty_rounds = 0
        try:
            # Two empty claims in a row: the other claimers have taken the rest.
            while empty_rounds < 2:
                tasks = queue.claim(worker_id, ["default"], batch, timedelta(minutes=5))
                empty_rounds = 0 if tasks else empty_rounds + 1
                with lock:
                    claimed.extend(str(task.id) for task in tasks)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=claim_until_dry, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    json.dump(claimed, sys.stdout)


if __name__ == "__main__":
    main()
