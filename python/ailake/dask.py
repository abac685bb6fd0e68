"""Embedding-model migration on a Dask cluster (docs/PYTHON.md "ailake.dask").

    import ailake.dask
    from distributed import Client
    res = ailake.dask.migrate(("s3://bucket/wh", "default.docs"), "hash:dim=384", "hash-384@seed0",
                              client=Client(...), catalog="postgresql://ailake@db:5432/lake")

The job is planned on the client (ailake.Migration.plan). Each migration task is one Dask task:
the worker opens the table itself from the warehouse URI and catalog, gets the embedder (a spec
string or a picklable callable) and runs Migration.run_task, which records its output but commits
nothing. The client commits as tasks finish; when every task is in, commit() cuts over. Files
appended meanwhile become catch-up tasks, run the same way, until the cut-over lands.

Tasks are idempotent and checkpoint per batch, so a worker lost mid-task is harmless: Dask retries
the task on another worker (``retries``) and it redoes at most the unfinished batches.
"""

import ailake as _ailake

__all__ = ["migrate"]


def _locate(table, warehouse, catalog):
    """(warehouse uri, catalog, table name) from a Table, or a (warehouse, name) pair."""
    if isinstance(table, tuple):
        wh, name = table
        return str(wh), catalog or "fs", name
    conn = getattr(table, "_connection", None)
    uri = warehouse or (conn.uri if conn is not None else None)
    if uri is None:
        raise ValueError("ailake.dask.migrate: give the table as (warehouse_uri, name) or an opened Table")
    return uri, catalog or getattr(conn, "_catalog", None) or "fs", table.name


def _worker_embedder(embedder):
    return embedder


def _run_task(warehouse, catalog, name, embedder, task_id):
    """On a worker: open the table from the warehouse, load the job, run one task (no commit)."""
    table = _ailake.connect(warehouse, catalog, create=False).open_table(name)
    job = _ailake.Migration.load(table, embedder=_worker_embedder(embedder))
    done = job.run_task(task_id)
    return {"task_id": task_id, "rows": int(done.get("rows", 0)) if hasattr(done, "get") else 0}


def migrate(table, embedder, new_model, client=None, strategy="atomic-replace", warehouse=None, catalog=None,
            retries=3, max_passes=20, **options):
    """Plans a migration of ``table`` to ``new_model`` and runs its tasks on ``client`` (a
    distributed.Client; the default client when None). Returns a dict: job_id, tasks, rows,
    passes, cut_over, and the last commit's result."""
    from distributed import as_completed, get_client

    if client is None:
        client = get_client()
    wh, cat, name = _locate(table, warehouse, catalog)
    tbl = _ailake.connect(wh, cat, create=False).open_table(name)
    job = _ailake.Migration.plan(tbl, embedder, new_model, strategy=strategy, **options)
    submitted = set()
    rows = 0
    last = {}
    passes = 0
    while passes < max_passes:
        passes += 1
        todo = [t["task_id"] for t in job.tasks() if t["state"] == "pending" and t["task_id"] not in submitted]
        futures = []
        for tid in todo:
            submitted.add(tid)
            futures.append(client.submit(_run_task, wh, cat, name, embedder, tid, retries=retries, pure=False,
                                         key="ailake-migrate-%s-%s" % (job.job_id, tid)))
        for fut in as_completed(futures):
            rows += fut.result()["rows"]
            last = job.commit()
            if last.get("cut_over"):
                break
        if last.get("cut_over"):
            break
        last = job.commit()
        if last.get("cut_over"):
            break
        if not [t for t in job.tasks() if t["state"] == "pending" and t["task_id"] not in submitted]:
            # Nothing new to run and no cut-over: tasks that failed are resubmitted once more.
            pending = [t["task_id"] for t in job.tasks() if t["state"] == "pending"]
            if not pending:
                break
            submitted.difference_update(pending)
    return {"job_id": job.job_id, "tasks": len(submitted), "rows": rows, "passes": passes,
            "cut_over": bool(last.get("cut_over")), "commit": last}
