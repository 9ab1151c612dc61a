"""A Sphinx extension: a Markdown link may point at any id of another page.

MyST checks `[text](page.md#id)` against the headings of `page` only, so a link
to a glossary term (`glossary.md#term-Flow`) or to a bibliography entry
(`references.md#cite-lipman2023flow`) is reported missing although the page has
that id. Registering every id of every page as a link target lets such links
resolve, while a link to an id that no page has still fails the build.
"""


def _register_ids(app, doctree):
    targets = app.env.metadata[app.env.docname].setdefault("myst_slugs", {})
    for target in doctree.ids:
        # MyST's entries are (heading level, id, title); the title is only
        # shown for links without text, which the book does not write.
        targets.setdefault(target, (0, target, target))


def setup(app):
    app.connect("doctree-read", _register_ids)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
