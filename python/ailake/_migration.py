"""Migration: re-embed a live table with a new model (docs/MIGRATION.md, docs/PYTHON.md)."""

from . import _ailake, _progress


def _native_table(table):
    return table._native if hasattr(table, "_native") else table


class Migration:
    """A migration job persisted in its table: plan -> run (or run_task per task on many workers) -> commit.

    ``Migration.plan(tbl, embedder=..., new_model="e5@2")`` plans a job; ``Migration.load(tbl)`` picks up
    the running one from any process (give it the embedder again with ``use_embedder`` unless it was
    planned with a built-in spec string).
    """

    def __init__(self, native, table):
        self._native = native
        self._table = table

    # ---- construction ----------------------------------------------------------------------------
    @classmethod
    def plan(cls, table, embedder, new_model, new_dim=None, new_metric=None, new_precision=None,
             strategy="atomic-replace", keep_old_column=False, new_column=None, old_column=None,
             text_column=None, batch_size=256, concurrency=4, file_parallelism=2, null_text="skip",
             build_threads=0):
        native = _ailake._Migration.plan(
            _native_table(table), embedder, new_model, new_dim or 0, new_metric or "", new_precision or "",
            old_column or "", new_column or "", text_column or "", strategy, keep_old_column, batch_size,
            concurrency, file_parallelism, null_text, build_threads)
        return cls(native, table)

    @classmethod
    def dry_run(cls, table, embedder, new_model, new_dim=None, new_metric=None, new_precision=None,
                strategy="atomic-replace", keep_old_column=False, new_column=None, old_column=None,
                text_column=None, batch_size=256, concurrency=4, file_parallelism=2, null_text="skip",
                build_threads=0):
        """What plan + run would do (files, rows, tokens, time, peak extra storage); writes nothing."""
        return _ailake._Migration.dry_run(
            _native_table(table), embedder, new_model, new_dim or 0, new_metric or "", new_precision or "",
            old_column or "", new_column or "", text_column or "", strategy, keep_old_column, batch_size,
            concurrency, file_parallelism, null_text, build_threads)

    @classmethod
    def load(cls, table, embedder=None, dim=None):
        """The table's running job (ailake.NotFound when none)."""
        m = cls(_ailake._Migration.load(_native_table(table)), table)
        if embedder is not None:
            m.use_embedder(embedder, dim=dim)
        return m

    @classmethod
    def load_latest(cls, table):
        """The running job, else the most recent one (for status)."""
        return cls(_ailake._Migration.load_latest(_native_table(table)), table)

    @staticmethod
    def list(table):
        """Every job of the table, oldest first (dicts)."""
        return _ailake._Migration.list(_native_table(table))

    # ---- the job ---------------------------------------------------------------------------------
    @property
    def info(self):
        return self._native.info()

    @property
    def job_id(self):
        return self._native.info()["job_id"]

    def use_embedder(self, embedder, dim=None):
        """The new model's embedder for a loaded job (its model must be the job's new model)."""
        self._native.use_embedder(embedder, dim or 0)
        return self

    def status(self):
        return self._native.status()

    def tasks(self):
        """Task dicts (task_id, source, state, rows, output); run_task takes a task_id or source."""
        return self._native.status()["tasks"]

    def run(self, progress=True):
        """Runs every unfinished task, commits, catches up with concurrent appends and cuts over."""
        p = _progress.make(progress, "migrate")
        try:
            result = self._native.run(p)
        finally:
            _progress.close(p)
        self._refresh_table()
        return result

    def run_task(self, task, progress=False):
        """One task (id or source file), recorded but not committed: for distributed runs."""
        p = _progress.make(progress, "migrate task")
        try:
            return self._native.run_task(task, p)
        finally:
            _progress.close(p)

    def commit(self):
        """Commits every finished task; with none missing, also cuts over. Embeds nothing."""
        result = self._native.commit()
        self._refresh_table()
        return result

    def abort(self, rollback=False):
        """Stops the job and deletes its staged files; rollback=True also restores the base snapshot."""
        self._native.abort(rollback)
        self._refresh_table()

    def stop_for_later(self):
        """Marks the job stopped; Table.migration_resume() finishes it later."""
        self._native.stop_for_later()

    def stop(self):
        """Asks a run()/run_task() running in another thread to stop after its current batches."""
        self._native.stop()

    def _refresh_table(self):
        if hasattr(self._table, "refresh"):
            self._table.refresh()

    def __repr__(self):
        i = self._native.info()
        return (f"ailake.Migration({i['job_id']}: {i['old_model']['id']} -> {i['new_model']['id']}, "
                f"{i['strategy']}, {i['state']})")
