#!/usr/bin/env python3
"""ticketlab from a notebook: tickets into a DataFrame, a sparsity curve, a live run, a mask applied.

Needs only `requests` and `websockets` (numpy, pandas and matplotlib are used where installed).
Every step is a cell (`# %%`), so the file runs as a script or opens as a notebook (Jupyter with
jupytext, VS Code, PyCharm); examples/notebook/ticketlab_notebook.ipynb is generated from it.

    python3 ticketlab_notebook.py --url http://127.0.0.1:4000/graphql --out out/ \
        [--token T] [--model tiny] [--task synthetic-snli-ve] [--follow RUN_ID | --start]

What it writes to --out: tickets.csv, sparsity_curve.png, events.jsonl, masked.safetensors and
summary.json (the numbers the steps found, e.g. for a test).
"""
# %% Setup: the server, the token, and two small helpers for GraphQL over HTTP
import argparse
import asyncio
import json
import os
import struct
import sys

import requests
import websockets

try:
    import numpy as np
except ImportError:  # the mask step then counts with plain Python
    np = None
try:
    import pandas as pd
except ImportError:
    pd = None
try:
    import matplotlib

    matplotlib.use("Agg")  # files, not windows: works without a display
    import matplotlib.pyplot as plt
except ImportError:
    plt = None

parser = argparse.ArgumentParser(description="ticketlab from a notebook: tickets, a sparsity curve, a live run, a mask applied")
parser.add_argument("--url", default=os.environ.get("TICKETLAB_URL", "http://127.0.0.1:4000/graphql"))
parser.add_argument("--token", default=os.environ.get("TICKETLAB_TOKEN"))
parser.add_argument("--out", default="out")
parser.add_argument("--model", help="model name or id (default: the model with the most tickets)")
parser.add_argument("--task", help="task name or id (default: the task with the most tickets)")
parser.add_argument("--follow", metavar="RUN_ID", help="follow this run live")
parser.add_argument("--start", action="store_true", help="start a small IMP run and follow it live")
parser.add_argument("--steps", type=int, default=40, help="steps per level of the run --start starts")
parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the live run")
# In a notebook, sys.argv holds the kernel's arguments: parse none there, and set what you need
# here instead, e.g. args.start = True (start and follow a small run) or args.follow = "<run id>".
args = parser.parse_args(None if __name__ == "__main__" and "ipykernel" not in sys.modules else [])
os.makedirs(args.out, exist_ok=True)
BASE = args.url.rsplit("/graphql", 1)[0]
HEADERS = {"authorization": f"Bearer {args.token}"} if args.token else {}
summary = {}


def gql(query, **variables):
    """One GraphQL request; a GraphQL error raises with its message and code."""
    r = requests.post(args.url, json={"query": query, "variables": variables}, headers=HEADERS, timeout=60)
    body = r.json()
    if body.get("errors"):
        e = body["errors"][0]
        raise RuntimeError(f"{e['message']} ({e.get('extensions', {}).get('code')})")
    return body["data"]


def paginate(field, query, **variables):
    """All nodes of a Relay connection, 100 per page."""
    nodes, after = [], None
    while True:
        page = gql(query, first=100, after=after, **variables)[field]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


print("server:", gql("{ health compute { backend device gpu } }"))

# %% 1. Every ticket into a DataFrame (one row per ticket)
tickets, total = paginate("tickets", """
query($first: Int, $after: String) { tickets(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { id method sparsity level seed createdAt model { id name } task { id name }
                 layerSparsity { pruned total } evaluations { score relativeScore task { name } } } } } }""")
rows = [{
    "id": t["id"], "model": t["model"]["name"], "model_id": t["model"]["id"], "task": t["task"]["name"] if t["task"] else None,
    "task_id": t["task"]["id"] if t["task"] else None, "method": t["method"], "level": t["level"], "seed": t["seed"],
    "sparsity": t["sparsity"], "pruned": sum(l["pruned"] for l in t["layerSparsity"]),
    "score": t["evaluations"][0]["score"] if t["evaluations"] else None,
} for t in tickets]
if pd is not None:
    df = pd.DataFrame(rows)
    df.to_csv(os.path.join(args.out, "tickets.csv"), index=False)
    print(df[["model", "task", "method", "level", "sparsity", "score"]].head(10).to_string())
    summary["tickets_rows"] = int(len(df))
else:
    summary["tickets_rows"] = len(rows)
summary["tickets_total"] = total
print(f"{summary['tickets_rows']} tickets (server says {total})")


# %% 2. A sparsity curve: score vs sparsity, IMP against random pruning, the dense line
def pick(items, arg, counts):
    """By id or name; without one, the item with the most tickets."""
    if arg:
        return next(i for i in items if arg in (i["id"], i["name"]))
    return max(items, key=lambda i: counts.get(i["id"], 0))


catalog = gql("{ models { id name } tasks { id name kind } }")
count = lambda key: {r[key]: sum(1 for x in rows if x[key] == r[key]) for r in rows}
model = pick(catalog["models"], args.model, count("model_id"))
task = pick(catalog["tasks"], args.task, count("task_id"))
CURVE = """query($m: ID!, $t: ID!, $method: PruningMethod!) {
  sparsityCurve(modelId: $m, taskId: $t, method: $method) { sparsity score scoreStd relativeScore n dense } }"""
curves = {m: gql(CURVE, m=model["id"], t=task["id"], method=m)["sparsityCurve"] for m in ("IMP", "RANDOM")}
summary["curve_points"] = {m: len(c) for m, c in curves.items()}
if plt is not None:
    fig, ax = plt.subplots(figsize=(6, 4))
    for method, pts in curves.items():
        pts = [p for p in pts if not p["dense"]]
        if pts:
            ax.errorbar([p["sparsity"] for p in pts], [p["score"] for p in pts], yerr=[p["scoreStd"] for p in pts],
                        marker="o", capsize=3, label=method)
    dense = next((p for p in curves["IMP"] if p["dense"]), None)
    if dense:
        ax.axhline(dense["score"], color="gray", linestyle="--", label="dense")
    ax.set(xlabel="sparsity", ylabel="score", title=f"{model['name']} on {task['name']}")
    ax.legend()
    fig.savefig(os.path.join(args.out, "sparsity_curve.png"), dpi=100)
    summary["plot"] = "sparsity_curve.png"
print("curve:", json.dumps(curves["IMP"]))


# %% 3. Follow a run live over WebSocket (graphql-transport-ws, the protocol of graphql-ws)
async def follow(run_id=None, start=None, timeout=300.0):
    """Subscribes to runEvents first, then starts the run (`start()` returns its id), so no event is
    missed; returns the events of the run up to its final status."""
    final = {"SUCCEEDED", "FAILED", "CANCELLED"}
    events = []
    async with websockets.connect(args.url.replace("http", "ws", 1), subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": HEADERS["authorization"]} if HEADERS else {}}))
        ack = json.loads(await ws.recv())
        assert ack["type"] == "connection_ack", ack
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription($id: ID) { runEvents(runId: $id) { runId status step totalSteps progress phase metrics at } }",
            "variables": {"id": run_id}}}))
        await asyncio.sleep(0.3)  # the server registers the subscription
        if start is not None:
            run_id = start()
        # the run may have ended before the subscription existed: its stored status says so
        status = gql("query($id: ID!) { run(id: $id) { status } }", id=run_id)["run"]["status"]
        while status not in final:
            msg = json.loads(await asyncio.wait_for(ws.recv(), timeout))
            if msg["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif msg["type"] == "next" and msg["payload"].get("data"):
                ev = msg["payload"]["data"]["runEvents"]
                if ev["runId"] == run_id:
                    events.append(ev)
                    status = ev["status"]
                    loss = (ev["metrics"] or {}).get("loss")
                    print(f"  {ev['status']:9} {100 * ev['progress']:5.1f}%  step {ev['step']}/{ev['totalSteps'] or '?'}"
                          f"  {'' if loss is None else f'loss {loss:.4f}  '}{ev['phase'] or ''}")
            elif msg["type"] in ("error", "complete"):
                raise RuntimeError(f"subscription ended: {msg}")
        await ws.send(json.dumps({"id": "1", "type": "complete"}))
    return run_id, status, events


def start_run():
    r = gql("""mutation($i: PruningInput!) { startPruning(input: $i) { id status } }""",
            i={"modelId": model["id"], "taskId": task["id"], "sparsities": [0.3, 0.5], "stepsPerLevel": args.steps, "force": True})
    print("started run", r["startPruning"]["id"])
    return r["startPruning"]["id"]


def run_async(coro):
    """asyncio.run in a script; inside Jupyter (whose event loop is already running) on a thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


if args.follow or args.start:
    run_id, status, events = run_async(follow(args.follow, start_run if args.start else None, args.timeout))
    with open(os.path.join(args.out, "events.jsonl"), "w") as f:
        f.writelines(json.dumps(e) + "\n" for e in events)
    summary["live"] = {"run": run_id, "status": status, "events": len(events),
                       "statuses": sorted({e["status"] for e in events}), "steps": [e["step"] for e in events]}
    print(f"run {run_id}: {status} after {len(events)} live events")


# %% 4. Download a mask and apply it to the model's weights (safetensors parsed by hand)
def read_safetensors(data):
    """{name: (dtype, shape, bytes)} and the metadata of a safetensors file."""
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    body = data[8 + n:]
    return {k: (v["dtype"], v["shape"], body[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items()}, meta


def write_safetensors(path, tensors):
    header, offset, chunks = {}, 0, []
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        chunks.append(raw)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))


ticket = max((r for r in rows if r["model_id"] == model["id"]), key=lambda r: r["sparsity"])
mask_bytes = requests.get(f"{BASE}/export/tickets/{ticket['id']}/mask.safetensors", headers=HEADERS, timeout=60).content
weights_resp = requests.get(f"{BASE}/export/models/{model['id']}/weights.safetensors", headers=HEADERS, timeout=120)
weights_resp.raise_for_status()
mask, mask_meta = read_safetensors(mask_bytes)
weights, _ = read_safetensors(weights_resp.content)
masked, zeros, already_zero, covered = dict(weights), 0, 0, 0
for name, (dtype, shape, raw) in mask.items():
    wdtype, wshape, wraw = weights[name]
    assert dtype == "U8" and wdtype == "F32" and wshape == shape, (name, dtype, wdtype, shape, wshape)
    if np is not None:
        m = np.frombuffer(raw, dtype=np.uint8).reshape(shape)
        w = np.frombuffer(wraw, dtype="<f4").reshape(shape)
        already_zero += int(np.count_nonzero((w == 0) & (m == 1)))
        w = w * m
        zeros += int(np.count_nonzero(w == 0))
        masked[name] = (wdtype, wshape, w.astype("<f4").tobytes())
    else:
        w = struct.unpack(f"<{len(raw)}f", wraw)
        out = [x * b for x, b in zip(w, raw)]
        already_zero += sum(1 for x, b in zip(w, raw) if b and x == 0)
        zeros += sum(1 for x in out if x == 0)
        masked[name] = (wdtype, wshape, struct.pack(f"<{len(out)}f", *out))
    covered += len(raw)
write_safetensors(os.path.join(args.out, "masked.safetensors"), masked)
pruned = int(mask_meta["ticketlab.pruned"])
summary["mask"] = {"ticket": ticket["id"], "sparsity": ticket["sparsity"], "pruned": pruned, "ticket_pruned": ticket["pruned"],
                   "zeros": zeros, "already_zero": already_zero, "prunable": covered, "tensors": len(mask)}
# Every pruned weight is now zero; a kept weight is zero only if it was zero in θ0 already.
assert zeros == pruned + already_zero == ticket["pruned"] + already_zero, summary["mask"]
print(f"ticket {ticket['id']} (sparsity {ticket['sparsity']:.4f}): {zeros} of {covered} prunable weights are zero, "
      f"mask prunes {pruned}")

# %% Summary
with open(os.path.join(args.out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=2)
print(json.dumps(summary))
