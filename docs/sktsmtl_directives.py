"""Sphinx directives that write what the code knows, so that the pages cannot go stale.

``.. sktsmtl-help:: benchmark --help``
    The command line and the help the ``sktsmtl`` command prints for it, at 80 columns.
``.. sktsmtl-backbones::``
    A table of the registered backbones: name, class, what it is, and the benchmark
    methods it gives.
"""

import contextlib
import io
import os
import shlex


def cli_output(args, columns=80):
    """What ``sktsmtl <args>`` prints (help text ends the program: SystemExit)."""
    from sktsmtl.cli import main

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(columns)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            try:
                main(list(args))
            except SystemExit:
                pass
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return out.getvalue().rstrip("\n")


def backbone_rows():
    """``[(name, class path, summary, methods)]`` of the registered backbones."""
    from sktsmtl.benchmarking import list_methods
    from sktsmtl.nets import backbone_names, get_backbone

    methods = set(list_methods())
    rows = []
    for name in backbone_names():
        cls = get_backbone(name)
        summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        own = [m for m in (name, f"{name}-mtl") if m in methods]
        rows.append((name, f"{cls.__module__.rsplit('.', 1)[0]}.{cls.__name__}", summary,
                     own))
    return rows


def _outdated(app, env, added, changed, removed):
    """The pages that use these directives are read again on every build: their content
    is the code's, which Sphinx does not watch."""
    pages = []
    for docname in env.found_docs - set(removed):
        path = env.doc2path(docname)
        try:
            with open(path, encoding="utf-8") as f:
                if ".. sktsmtl-" in f.read():
                    pages.append(docname)
        except OSError:
            continue
    return sorted(pages)


def setup(app):
    # Sphinx is imported here only: the helpers above run without it (the tests use them)
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class CliHelp(SphinxDirective):
        has_content = False
        required_arguments = 1
        final_argument_whitespace = True

        def run(self):
            args = shlex.split(self.arguments[0])
            text = f"$ sktsmtl {' '.join(args)}\n{cli_output(args)}"
            block = nodes.literal_block(text, text)
            block["language"] = "text"
            return [block]

    class BackboneTable(SphinxDirective):
        has_content = False

        def run(self):
            lines = [".. list-table::", "   :header-rows: 1", "",
                     "   * - ``backbone=``", "     - class", "     - what it is",
                     "     - benchmark methods"]
            for name, path, summary, own in backbone_rows():
                lines += [f"   * - ``\"{name}\"``", f"     - :class:`~{path}`",
                          f"     - {summary}",
                          "     - " + (", ".join(f"``{m}``" for m in own) or "-")]
            container = nodes.container()
            self.state.nested_parse(StringList(lines, source="sktsmtl-backbones"),
                                    self.content_offset, container)
            return container.children

    app.add_directive("sktsmtl-help", CliHelp)
    app.add_directive("sktsmtl-backbones", BackboneTable)
    app.connect("env-get-outdated", _outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
