#!/usr/bin/env python3
"""A ticketlab study's report in pandas: the paper's three tables as DataFrames and the curves drawn.

Needs requests, pandas and matplotlib. Every step is a cell (`# %%`), so the file runs as a
script or opens as a notebook; study_report.ipynb is generated from it (make_ipynb.py).

    python3 study_report.py --url http://127.0.0.1:4000/graphql --out out/ [--token T] \
        [--study STUDY_ID | --name "paper seed 1"]

Without --study or --name it takes the newest study. What it writes to --out: report.json,
report.csv, table1.csv, table2.csv, table5.csv, study_curves.png and summary.json.
"""
# %% Setup: the server, the token, and GraphQL over HTTP
import argparse
import io
import json
import os

import matplotlib
import pandas as pd
import requests

matplotlib.use("Agg")  # files, not windows: works without a display
import matplotlib.pyplot as plt  # noqa: E402

parser = argparse.ArgumentParser(description="a ticketlab study's report in pandas")
parser.add_argument("--url", default=os.environ.get("TICKETLAB_URL", "http://127.0.0.1:4000/graphql"))
parser.add_argument("--token", default=os.environ.get("TICKETLAB_TOKEN"))
parser.add_argument("--out", default="out")
parser.add_argument("--study", help="study id (default: the newest study, or the newest with --name)")
parser.add_argument("--name", help="study name")
args, _ = parser.parse_known_args()  # a Jupyter kernel passes its own argv: ignore what is not ours

BASE = args.url.rsplit("/graphql", 1)[0]
HEADERS = {"authorization": f"Bearer {args.token}"} if args.token else {}
os.makedirs(args.out, exist_ok=True)


def gql(query, variables=None):
    r = requests.post(args.url, json={"query": query, "variables": variables or {}}, headers=HEADERS, timeout=60)
    body = r.json()
    if body.get("errors"):
        raise RuntimeError("; ".join(f"{e.get('extensions', {}).get('code', '')}: {e['message']}" for e in body["errors"]))
    return body["data"]


# %% Find the study
study_id = args.study
if not study_id:
    nodes = [e["node"] for e in gql("{ studies(first: 100) { edges { node { id name status createdAt } } } }")["studies"]["edges"]]
    if args.name:
        nodes = [n for n in nodes if n["name"] == args.name]
    if not nodes:
        raise SystemExit("no study found" + (f" named {args.name!r}" if args.name else ""))
    study_id = max(nodes, key=lambda n: n["createdAt"])["id"]
print("study", study_id)

# %% Download the report: the whole of it as JSON, and one CSV row per table cell
report = requests.get(f"{BASE}/export/studies/{study_id}/report.json", headers=HEADERS, timeout=60)
report.raise_for_status()
report = report.json()
csv_text = requests.get(f"{BASE}/export/studies/{study_id}/report.csv", headers=HEADERS, timeout=60)
csv_text.raise_for_status()
# round_trip: pandas' default parser may miss the last bit of a double; this reads what the server wrote.
cells = pd.read_csv(io.StringIO(csv_text.text), float_precision="round_trip")
with open(os.path.join(args.out, "report.json"), "w", encoding="utf-8") as f:
    json.dump(report, f, indent=1)
cells.to_csv(os.path.join(args.out, "report.csv"), index=False)
st = report["study"]
print(f"{st['name']}: {st['status']}, progress {st['progress']:.3f}, {len(cells)} cells, seeds {st['params']['seeds']}")

# %% Table 1: per task, the relaxed and strict sparsities and every method's mean at the baseline sparsity
t1 = cells[cells.table == "tickets"]
means = t1.dropna(subset=["mean"]).pivot(index="task", columns="column", values="mean")
levels = t1[t1.column.isin(["relaxedSparsity", "strictSparsity"])].pivot(index="task", columns="column", values="sparsity")
table1 = levels.join(means)
order = [c for c in ["relaxedSparsity", "strictSparsity", "dense", "imp", "randomPruning", "randomInit", "shuffledWeights", "oneShot", "earlyBird"] if c in table1]
table1 = table1[order]
table1.to_csv(os.path.join(args.out, "table1.csv"))
print(table1.round(4).to_string())

# %% Table 2: the pre-training ticket transferred to each task (rows: sparsity, columns: task)
t2 = cells[cells.table == "pretrainingTransfer"]
table2 = t2[t2.column == "score"].pivot(index="sparsity", columns="task", values="mean")
if len(table2):
    table2["averageRelative"] = t2[t2.column == "averageRelative"].set_index("sparsity")["mean"]
table2.to_csv(os.path.join(args.out, "table2.csv"))
print(table2.round(4).to_string())

# %% Table 5: standard and adversarial fine-tuning of the pre-training ticket
t5 = cells[cells.table == "adversarial"]
table5 = t5.pivot_table(index=["sparsity", "column"], columns="task", values="mean", aggfunc="first")
table5.to_csv(os.path.join(args.out, "table5.csv"))
print(table5.round(4).to_string())

# %% The curves: IMP per task with the baselines' points at the baseline sparsity, dense and threshold lines
tasks = report["tickets"]
threshold = st["params"]["threshold"]
fig, axes = plt.subplots(1, max(1, len(tasks)), figsize=(4 * max(1, len(tasks)), 3.2), squeeze=False)
for ax, row in zip(axes[0], tasks):
    curve = row["curve"]
    if row["dense"]:
        ax.axhline(row["dense"]["mean"], color="black", linestyle="--", linewidth=1, label="dense")
        ax.axhline(row["dense"]["mean"] * threshold, color="green", linestyle=":", linewidth=1, label=f"{threshold:.0%} of dense")
    xs = [0.0] + [p["sparsity"] for p in curve] if row["dense"] else [p["sparsity"] for p in curve]
    ys = ([row["dense"]["mean"]] if row["dense"] else []) + [p["stat"]["mean"] for p in curve]
    errs = ([0.0] if row["dense"] else []) + [p["stat"]["std"] or 0.0 for p in curve]
    ax.errorbar(xs, ys, yerr=errs, marker="o", markersize=3, label="IMP")
    for key, label, marker in [("randomPruning", "random pruning", "s"), ("randomInit", "random init", "^"),
                               ("shuffledWeights", "shuffled θ0", "v"), ("oneShot", "one-shot", "D"),
                               ("earlyBird", "Early-Bird", "*")]:
        if row.get(key) and row["baselineSparsity"] is not None:
            ax.errorbar([row["baselineSparsity"]], [row[key]["mean"]], yerr=[row[key]["std"] or 0.0], marker=marker, linestyle="none", label=label)
    ax.set_title(row["task"]["name"], fontsize=9)
    ax.set_xlabel("sparsity")
axes[0][0].set_ylabel("score")
axes[0][-1].legend(fontsize=6)
fig.tight_layout()
png = os.path.join(args.out, "study_curves.png")
fig.savefig(png, dpi=90)
print("wrote", png)

# %% The findings, and a summary of what this notebook read (for a test or a lab log)
for f in report["findings"]:
    print(f"{f['key']}: {'undecided' if f['holds'] is None else 'holds' if f['holds'] else 'does not hold'} — {f['evidence']}")
summary = {
    "studyId": study_id,
    "status": st["status"],
    "cells": len(cells),
    "table1": {task: {k: (None if pd.isna(v) else float(v)) for k, v in r.items()} for task, r in table1.iterrows()},
    "table2": {str(s): {k: (None if pd.isna(v) else float(v)) for k, v in r.items()} for s, r in table2.iterrows()},
    "table5": {f"{s}/{mode}": {k: (None if pd.isna(v) else float(v)) for k, v in r.items()} for (s, mode), r in table5.iterrows()},
    "findings": {f["key"]: f["holds"] for f in report["findings"]},
    "png": png,
}
with open(os.path.join(args.out, "summary.json"), "w", encoding="utf-8") as f:
    json.dump(summary, f, indent=1)
print(json.dumps({k: summary[k] for k in ["studyId", "status", "cells"]}))
