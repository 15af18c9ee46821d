#!/usr/bin/env node
/*
 * Builds the optional OpenBLAS addon (native/) during `npm ci` / `npm install`.
 * The addon only speeds up kernels (matmul, elementwise, AdamW); without it everything runs on the plain tfjs kernels.
 * So this script never fails the install: when g++, node-gyp, Node's headers or
 * libopenblas-dev are missing it prints one warning line and exits 0.
 * TICKETLAB_SKIP_NATIVE=1 skips the build.
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const nativeDir = path.join(root, 'native');
const target = path.join(root, 'build', 'ticketlab_blas.node');

function warn(msg) {
  console.warn(`ticketlab: native BLAS kernels not built (${msg}); using plain tfjs kernels`);
  process.exit(0);
}

function nodeGypCommand() {
  // Prefer the project's devDependency; npm exposes its bundled copy as npm_config_node_gyp.
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] })];
  } catch {
    const bundled = process.env.npm_config_node_gyp;
    if (bundled && fs.existsSync(bundled)) return [process.execPath, bundled];
  }
  return null;
}

function main() {
  if (process.env.TICKETLAB_SKIP_NATIVE === '1') warn('TICKETLAB_SKIP_NATIVE=1');
  if (!fs.existsSync(path.join(nativeDir, 'binding.gyp'))) warn('native/ sources missing');
  const gyp = nodeGypCommand();
  if (!gyp) warn('node-gyp not found');
  const args = [...gyp.slice(1), 'rebuild', '--directory', nativeDir];
  // Use the headers installed next to this node binary so the build never downloads them
  // (air-gapped machines); node-gyp falls back to its cache/download otherwise.
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const res = spawnSync(gyp[0], args, { cwd: root, encoding: 'utf8', env: process.env });
  if (res.error || res.status !== 0) {
    const log = `${res.stdout || ''}\n${res.stderr || ''}`;
    const reason = /cblas\.h|lopenblas/.test(log) ? 'libopenblas-dev missing'
      : /not found: (make|g\+\+|c\+\+)|No such file or directory.*(g\+\+|c\+\+|make)/i.test(log) ? 'no C++ toolchain'
      : `node-gyp exited ${res.status ?? res.error?.message}`;
    if (process.env.TICKETLAB_NATIVE_VERBOSE === '1') console.warn(log);
    warn(reason);
  }
  const built = path.join(nativeDir, 'build', 'Release', 'ticketlab_blas.node');
  if (!fs.existsSync(built)) warn('build produced no addon');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // Copy then rename: a process that has the old addon loaded keeps its (unlinked) file;
  // overwriting it in place would change code under a running process.
  const tmp = `${target}.${process.pid}.tmp`;
  fs.copyFileSync(built, tmp);
  fs.renameSync(tmp, target);
  // Loading it here catches a missing libopenblas.so.0 at install time rather than at run time.
  try {
    const addon = require(target);
    console.log(`ticketlab: native BLAS kernels built (${addon.config()})`);
  } catch (e) {
    fs.rmSync(target, { force: true });
    warn(`addon does not load: ${String(e && e.message).split('\n')[0]}`);
  }
}

main();
