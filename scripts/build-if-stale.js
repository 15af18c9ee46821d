#!/usr/bin/env node
/*
 * `npm start` helper: exits 0 when dist/ is newer than every TypeScript source (so the server
 * starts at once), 1 when a build is needed. `npm start` touches dist/.built after a
 * successful (incremental) build; a failed build leaves the old stamp, so it is retried.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.built');

function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return /\.(ts|json)$/.test(p) ? st.mtimeMs : 0;
  let m = 0;
  for (const e of fs.readdirSync(p)) m = Math.max(m, newest(path.join(p, e)));
  return m;
}

let built = 0;
try {
  built = fs.statSync(stamp).mtimeMs;
} catch {
  process.exit(1);
}
const inputs = ['src', 'test', 'scripts', 'bench', 'migrations', 'tsconfig.json', 'package.json'];
process.exit(inputs.some((i) => newest(path.join(root, i)) > built) ? 1 : 0);
