#!/usr/bin/env node
/*
 * Builds the browser side of the dashboard into <out> (default dist/dashboard), which
 * src/dashboard/mount.ts serves at `/`:
 *   app.js        the dashboard (dashboard/src/main.ts + the graphql-ws client), bundled by esbuild
 *   graphiql.js   GraphiQL + React, bundled by esbuild (no CDN at run time)
 *   graphiql.css  GraphiQL's stylesheet
 *   *.html, style.css copied from dashboard/public
 * The browser sources are type-checked first (tsc -p dashboard, strict, DOM lib).
 *
 *   node scripts/build-dashboard.js [--out DIR] [--if-stale] [--no-check]
 * --if-stale does nothing when every output is newer than every input (what `npm start` uses).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const outArg = args.indexOf('--out');
const out = path.resolve(root, outArg >= 0 ? args[outArg + 1] : 'dist/dashboard');
const stamp = path.join(out, '.built');
const inputs = [path.join(root, 'dashboard'), path.join(root, 'package-lock.json'), __filename];

function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of fs.readdirSync(p)) m = Math.max(m, newest(path.join(p, e)));
  return m;
}

function stale() {
  let built;
  try {
    built = fs.statSync(stamp).mtimeMs;
  } catch {
    return true;
  }
  return inputs.some((i) => newest(i) > built);
}

async function main() {
  if (args.includes('--if-stale') && !stale()) return;
  const t0 = Date.now();
  if (!args.includes('--no-check')) {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'dashboard')], { stdio: 'inherit' });
  }
  const esbuild = require('esbuild');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const common = {
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    target: ['es2022'],
    format: 'esm',
    logLevel: 'warning',
    legalComments: 'linked',
    define: { 'process.env.NODE_ENV': '"production"' },
  };
  await esbuild.build({ ...common, entryPoints: { app: path.join(root, 'dashboard/src/main.ts') }, outdir: out });
  await esbuild.build({
    ...common,
    entryPoints: { graphiql: path.join(root, 'dashboard/src/explorer.tsx') },
    outdir: out,
    jsx: 'automatic',
    sourcemap: false, // 6 MB of map for a third-party bundle nobody debugs here
    // GraphiQL's CSS refers to no external files; anything it might is inlined, never fetched.
    loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
  });
  for (const f of fs.readdirSync(path.join(root, 'dashboard/public'))) {
    fs.copyFileSync(path.join(root, 'dashboard/public', f), path.join(out, f));
  }
  fs.writeFileSync(stamp, '');
  const sizes = fs
    .readdirSync(out)
    .filter((f) => /\.(js|css|html)$/.test(f))
    .map((f) => `${f} ${(fs.statSync(path.join(out, f)).size / 1024).toFixed(0)} KiB`);
  console.log(`dashboard built in ${Date.now() - t0} ms → ${path.relative(root, out)}: ${sizes.join(', ')}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
