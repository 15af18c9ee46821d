#!/usr/bin/env python3
"""Writes each notebook (.ipynb) from its script (.py): one code cell per `# %%` block, its title
as a markdown cell. Only the standard library (no nbformat/jupytext needed).
`--check` exits 1 when a notebook differs from what its script gives."""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
NOTEBOOKS = {"ticketlab_notebook.py": "ticketlab from a notebook", "study_report.py": "A study's report in pandas"}


def notebook(script, title):
    src = open(os.path.join(here, script), encoding="utf-8").read()
    blocks = src.split("\n# %%")
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [f"# {title}\n", "\n",
              f"Generated from `{script}` by `make_ipynb.py`; edit the script, not this file."]}]
    for block in blocks[1:]:
        head, _, code = block.partition("\n")
        cells.append({"cell_type": "markdown", "metadata": {}, "source": [f"## {head.strip()}"]})
        lines = code.strip("\n").splitlines(keepends=True)
        cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": lines})
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
          "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n", len(cells)


stale = []
for script, title in NOTEBOOKS.items():
    text, n = notebook(script, title)
    target = os.path.join(here, script.replace(".py", ".ipynb"))
    if "--check" in sys.argv:
        current = open(target, encoding="utf-8").read() if os.path.exists(target) else ""
        if current != text:
            stale.append(os.path.basename(target))
        continue
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.basename(target)} ({n} cells)")
if stale:  # exit 1 when a notebook is stale
    sys.exit(f"{', '.join(stale)} stale: run examples/notebook/make_ipynb.py")
