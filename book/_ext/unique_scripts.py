"""A Sphinx extension: every page lists each of its scripts once.

sphinx-thebe adds its inline configuration script each time Sphinx's environment
is read, and the book's build reads it twice (the bibliography asks for a second
pass). The page then declares `const THEBE_JS_URL` twice, a console error.
"""


def _drop_repeated_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context["script_files"]:
        # A script given by its body alone may carry filename None or "": the same script.
        filename = getattr(script, "filename", script) or ""
        key = (str(filename), str(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # In place: later handlers (MathJax's, for one) add their scripts to this same list.
    context["script_files"][:] = unique


def setup(app):
    # Early: Sphinx stops calling this event's handlers at the first that returns a value.
    app.connect("html-page-context", _drop_repeated_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
