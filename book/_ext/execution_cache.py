"""A Sphinx extension: a chapter is read again when its stored execution is newer than its page.

The tests execute each chapter once (nbval) and store the executed notebook in
Jupyter Book's execution cache (conftest.py). Sphinx rereads a page only when its
source file changes, and a new execution leaves the notebook's file as it was:
without this, the website would keep showing the outputs of an earlier run.
"""

import datetime

from jupyter_cache import get_cache


def newer_executions(app, env, added, changed, removed):
    """The chapters whose latest execution was stored after Sphinx last read them."""
    path = app.config.nb_execution_cache_path
    if not path:
        return []
    outdated = []
    for record in get_cache(path).list_cache_records():
        docname = env.path2doc(record.uri)
        read = env.all_docs.get(docname)  # microseconds since the epoch, when Sphinx read the page
        stored = record.created.replace(tzinfo=datetime.timezone.utc)  # the cache keeps UTC, without its zone
        if read is not None and stored.timestamp() * 1_000_000 > read:
            outdated.append(docname)
    return outdated


def setup(app):
    app.connect("env-get-outdated", newer_executions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
