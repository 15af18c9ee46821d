#!/usr/bin/env python3
"""Writes ticketlab_notebook.ipynb from ticketlab_notebook.py: one code cell per `# %%` block,
its title as a markdown cell. Only the standard library (no nbformat/jupytext needed).
`--check` exits 1 when the notebook differs from what the script gives."""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
src = open(os.path.join(here, "ticketlab_notebook.py"), encoding="utf-8").read()
blocks = src.split("\n# %%")
cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# ticketlab from a notebook\n", "\n",
          "Generated from `ticketlab_notebook.py` by `make_ipynb.py`; edit the script, not this file."]}]
for block in blocks[1:]:
    title, _, code = block.partition("\n")
    cells.append({"cell_type": "markdown", "metadata": {}, "source": [f"## {title.strip()}"]})
    lines = code.strip("\n").splitlines(keepends=True)
    cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": lines})
nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
      "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
target = os.path.join(here, "ticketlab_notebook.ipynb")
if "--check" in sys.argv:  # exit 1 when the notebook is stale
    current = open(target, encoding="utf-8").read() if os.path.exists(target) else ""
    sys.exit(0 if current == text else "ticketlab_notebook.ipynb is stale: run examples/notebook/make_ipynb.py")
with open(target, "w", encoding="utf-8") as f:
    f.write(text)
print(f"wrote ticketlab_notebook.ipynb ({len(cells)} cells)")
