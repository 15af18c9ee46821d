#!/usr/bin/env python3
"""Convert an official UNITER PyTorch checkpoint (.pt state dict) to ticketlab's import format.

Writes
  OUT.safetensors   the encoder's tensors (UNITER names, float32 little-endian), written by hand
                    (struct + json + numpy): the safetensors package is not needed;
  OUT.config.json   the config with ticketlab's names (layers, hidden, heads, intermediate,
                    vocabSize, regionFeatureDim, maxTextLength, maxRegions, dropout).

Then, with both files under $TICKETLAB_HOME/imports on the server:
  mutation { importModel(input: { name: "uniter-base", path: "OUT.safetensors",
                                  configPath: "OUT.config.json" }) { id } }

The checkpoint is read with torch.load(weights_only=True), so no pickled code is ever run. Keys
may carry a "module." prefix (DataParallel) or lack the "uniter." prefix; old BERT LayerNorm names
(gamma/beta) are renamed (weight/bias). Tensors that are not encoder parameters (MLM/ITM/MRM heads,
img_embeddings.mask_embedding, task heads) are dropped and listed, unless --keep-extra (then import
with ignoreUnknownWeights: true).

Usage: uniter_to_safetensors.py CHECKPOINT.pt OUT [--config uniter-base.json] [--heads N]
                                [--max-regions 100] [--keep-extra]
"""
import argparse
import json
import re
import struct
import sys

import numpy as np

ENCODER_PREFIXES = ('uniter.embeddings.', 'uniter.img_embeddings.', 'uniter.encoder.layer.', 'uniter.pooler.')
NOT_OURS = ('uniter.img_embeddings.mask_embedding.',)


def load_state_dict(path):
    import torch  # only the loader needs torch
    obj = torch.load(path, map_location='cpu', weights_only=True)
    for key in ('model', 'state_dict', 'model_state_dict'):
        if isinstance(obj, dict) and key in obj and isinstance(obj[key], dict):
            obj = obj[key]
    if not isinstance(obj, dict):
        sys.exit(f'{path}: expected a state dict, got {type(obj).__name__}')
    out = {}
    for k, v in obj.items():
        if not hasattr(v, 'detach'):
            continue
        out[k] = v.detach().to(dtype=torch.float32).cpu().numpy()
    return out


def rename(key):
    if key.startswith('module.'):
        key = key[len('module.'):]
    if key.startswith(('embeddings.', 'img_embeddings.', 'encoder.', 'pooler.')):
        key = 'uniter.' + key
    key = re.sub(r'LayerNorm\.gamma$', 'LayerNorm.weight', key)
    key = re.sub(r'LayerNorm\.beta$', 'LayerNorm.bias', key)
    key = re.sub(r'layer_norm\.gamma$', 'layer_norm.weight', key)
    key = re.sub(r'layer_norm\.beta$', 'layer_norm.bias', key)
    return key


def is_encoder(key):
    return key.startswith(ENCODER_PREFIXES) and not key.startswith(NOT_OURS)


def infer_config(t, uniter_cfg, heads, max_regions):
    layers = 1 + max(int(m.group(1)) for k in t for m in [re.match(r'uniter\.encoder\.layer\.(\d+)\.', k)] if m)
    hidden = t['uniter.embeddings.word_embeddings.weight'].shape[1]
    if heads is None:
        heads = uniter_cfg.get('num_attention_heads', max(1, hidden // 64))
    return {
        'layers': layers,
        'hidden': int(hidden),
        'heads': int(heads),
        'intermediate': int(t['uniter.encoder.layer.0.intermediate.dense.weight'].shape[0]),
        'vocabSize': int(t['uniter.embeddings.word_embeddings.weight'].shape[0]),
        'regionFeatureDim': int(t['uniter.img_embeddings.img_linear.weight'].shape[1]),
        'maxTextLength': int(t['uniter.embeddings.position_embeddings.weight'].shape[0]) - 2,
        'maxRegions': int(max_regions),
        'dropout': float(uniter_cfg.get('hidden_dropout_prob', 0.1)),
    }


def write_safetensors(path, tensors, metadata):
    header = {'__metadata__': metadata} if metadata else {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype='<f4')
        b = a.tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)  # aligns the data section for float32 views
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('checkpoint')
    ap.add_argument('out', help='output prefix: writes OUT.safetensors and OUT.config.json')
    ap.add_argument('--config', help="UNITER's model config JSON (num_attention_heads, hidden_dropout_prob, …)")
    ap.add_argument('--heads', type=int, help='attention heads (default: from --config, else hidden / 64)')
    ap.add_argument('--max-regions', type=int, default=100, help='most regions per image (default 100)')
    ap.add_argument('--keep-extra', action='store_true', help='keep tensors that are not encoder parameters')
    a = ap.parse_args()

    uniter_cfg = {}
    if a.config:
        with open(a.config) as f:
            uniter_cfg = json.load(f)
    raw = load_state_dict(a.checkpoint)
    tensors = {}
    for k, v in raw.items():
        n = rename(k)
        if n in tensors:
            sys.exit(f'two checkpoint keys map to {n}')
        tensors[n] = v
    dropped = sorted(k for k in tensors if not is_encoder(k))
    missing = [k for k in ('uniter.embeddings.word_embeddings.weight', 'uniter.embeddings.position_embeddings.weight',
                           'uniter.img_embeddings.img_linear.weight', 'uniter.encoder.layer.0.intermediate.dense.weight') if k not in tensors]
    if missing:
        sys.exit(f'not a UNITER checkpoint: missing {", ".join(missing)}')
    config = infer_config(tensors, uniter_cfg, a.heads, a.max_regions)
    if config['hidden'] % config['heads']:
        sys.exit(f"hidden {config['hidden']} is not divisible by heads {config['heads']}; pass --heads")
    if not a.keep_extra:
        tensors = {k: v for k, v in tensors.items() if k not in dropped}
    bad = [k for k, v in tensors.items() if not np.isfinite(v).all()]
    if bad:
        sys.exit(f'tensors hold NaN or Infinity: {", ".join(bad[:8])}')
    write_safetensors(a.out + '.safetensors', tensors, {'format': 'ticketlab-encoder', 'converted_from': a.checkpoint.split('/')[-1]})
    with open(a.out + '.config.json', 'w') as f:
        json.dump(config, f, indent=2)
        f.write('\n')
    print(f'wrote {a.out}.safetensors ({len(tensors)} tensors) and {a.out}.config.json: {json.dumps(config)}')
    if dropped:
        verb = 'kept (import with ignoreUnknownWeights)' if a.keep_extra else 'dropped'
        print(f'{verb} {len(dropped)} non-encoder tensor(s): {", ".join(dropped[:8])}{" …" if len(dropped) > 8 else ""}')


if __name__ == '__main__':
    main()
