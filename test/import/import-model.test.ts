/**
 * importModel against the real server: path containment (.., absolute, symlinks), header checks
 * naming missing/unknown weights, a verified write that fails leaving no file and no row, and an
 * imported model that a worker really loads and fine-tunes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { decodeSafetensors } from '../../src/core/io/safetensors';
import { createDataSource } from '../../src/app/data-source';
import { ENTITIES } from '../../src/app/entities';
import { ArtifactWriteError } from '../../src/artifacts/verified-write';
import { ModelImporter } from '../../src/import/model-import';
import { taskIdOf, waitForRun } from '../helpers/runs';
import { withDb } from '../helpers/seed';
import { startServer, tempHome, type TestServer } from '../helpers/server';
import { IMPORT_CONFIG, importsOf, tinyWeights, writeCheckpoint } from './fixtures';

let server: TestServer;
let outside: string;

const IMPORT = `mutation($i: ImportModelInput!) { importModel(input: $i) { id name source parameterCount prunableParameterCount weightsSha256 config { layers hidden heads vocabSize maxRegions } } }`;
type Imported = {
  importModel: {
    id: string;
    name: string;
    source: string;
    parameterCount: number;
    prunableParameterCount: number;
    weightsSha256: string;
    config: Record<string, number>;
  };
};

const importModel = (input: Record<string, unknown>) => server.gql<Imported>(IMPORT, { i: input });
const errorOf = async (input: Record<string, unknown>) => {
  const r = await importModel(input);
  expect(r.data).toBeNull();
  return { code: r.errors![0].extensions?.code, message: r.errors![0].message };
};

beforeAll(async () => {
  server = await startServer({ env: { TICKETLAB_HEARTBEAT_S: '0.5', TICKETLAB_STALE_S: '3' } });
  outside = tempHome();
  fs.writeFileSync(path.join(outside, 'secret.safetensors'), 'not yours');
  writeCheckpoint(server.home, 'tiny', tinyWeights());
}, 90_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(outside, { recursive: true, force: true });
});

test('paths must stay inside $TICKETLAB_HOME/imports: .., absolute outside, symlinks out, missing', async () => {
  const imports = importsOf(server.home);
  fs.symlinkSync(path.join(outside, 'secret.safetensors'), path.join(imports, 'link-out.safetensors'));
  fs.symlinkSync(outside, path.join(imports, 'dir-out'));
  const cases: Array<[string, RegExp]> = [
    ['../runtime.json', /must not contain "\.\."/],
    ['sub/../../runtime.json', /must not contain "\.\."/],
    [path.join(outside, 'secret.safetensors'), /outside \$TICKETLAB_HOME\/imports/],
    ['/etc/passwd', /outside \$TICKETLAB_HOME\/imports/],
    ['link-out.safetensors', /resolves \(through a symbolic link\) outside/],
    ['dir-out/secret.safetensors', /resolves \(through a symbolic link\) outside/],
    ['nope.safetensors', /does not exist/],
    ['', /must name a path/],
  ];
  for (const [p, why] of cases) {
    const e = await errorOf({ name: `escape-${p}`, path: p, configPath: 'tiny.config.json' });
    expect([p, e.code]).toEqual([p, 'BAD_USER_INPUT']);
    expect(e.message).toMatch(why);
    expect(e.message).not.toContain('not yours');
  }
  // The config path is checked the same way.
  const c = await errorOf({ name: 'escape-config', path: 'tiny.safetensors', configPath: '../runtime.json' });
  expect(c.code).toBe('BAD_USER_INPUT');
  expect(c.message).toMatch(/^configPath: must not contain/);
  // A symlink that stays inside is fine.
  fs.symlinkSync(path.join(imports, 'tiny.safetensors'), path.join(imports, 'link-in.safetensors'));
  const ok = await importModel({ name: 'via-link', path: 'link-in.safetensors', configPath: 'tiny.config.json' });
  expect(ok.errors).toBeUndefined();
  expect(ok.data!.importModel.source).toBe('IMPORTED');
});

test('missing, unknown and misshapen weights are listed (first names + count); nothing is stored', async () => {
  const all = tinyWeights();
  const missing = all.filter((t) => !t.name.includes('layer.0.attention'));
  writeCheckpoint(server.home, 'missing', [
    ...missing,
    { name: 'cls.predictions.bias', dtype: 'F32', shape: [2], data: new Float32Array(2) },
  ]);
  const before = fs.readdirSync(path.join(server.home, 'artifacts')).length;
  const e = await errorOf({ name: 'missing', path: 'missing.safetensors', configPath: 'missing.config.json' });
  expect(e.code).toBe('BAD_USER_INPUT');
  const dropped = all.length - missing.length;
  expect(e.message).toContain(`${dropped} missing weight(s): uniter.encoder.layer.0.attention.self.query.weight`);
  expect(e.message).toMatch(new RegExp(`and ${dropped - 8} more`));
  expect(e.message).toContain('1 unknown weight(s)');
  expect(e.message).toContain('cls.predictions.bias');
  // A config that does not match the file: every shape that differs is named.
  const w = await errorOf({
    name: 'wrong',
    path: 'tiny.safetensors',
    configPath: 'tiny.config.json',
    config: { hidden: 32, heads: 4 },
  });
  expect(w.message).toMatch(
    /weight\(s\) of the wrong shape for this config: uniter\.embeddings\.word_embeddings\.weight \[100, 16\] \(expected \[100, 32\]\)/,
  );
  expect(fs.readdirSync(path.join(server.home, 'artifacts')).length).toBe(before);
  const rows = await withDb(
    server.databaseUrl,
    async (db) => (await db.query(`SELECT name FROM model WHERE name IN ('missing', 'wrong')`)).rows,
  );
  expect(rows).toEqual([]);
  // With ignoreUnknownWeights an extra head is skipped (the missing ones still are not).
  writeCheckpoint(server.home, 'extra', [
    ...all,
    { name: 'cls.predictions.bias', dtype: 'F32', shape: [2], data: new Float32Array(2) },
  ]);
  expect(
    (await errorOf({ name: 'extra', path: 'extra.safetensors', configPath: 'extra.config.json' })).message,
  ).toContain('unknown weight(s)');
  const ok = await importModel({
    name: 'extra',
    path: 'extra.safetensors',
    configPath: 'extra.config.json',
    ignoreUnknownWeights: true,
  });
  expect(ok.errors).toBeUndefined();
});

test('an imported model: counts, the stored F32 artifact equals the file, and a worker fine-tunes it', async () => {
  const r = await importModel({
    name: 'tiny-imported',
    path: 'tiny.safetensors',
    configPath: 'tiny.config.json',
    config: { maxRegions: 8 },
  });
  expect(r.errors).toBeUndefined();
  const m = r.data!.importModel;
  expect(m.config).toEqual({ layers: 1, hidden: 16, heads: 2, vocabSize: 100, maxRegions: 8 });
  const weights = tinyWeights();
  expect(m.parameterCount).toBe(weights.reduce((a, t) => a + t.data.length, 0));
  const stored = decodeSafetensors(
    fs.readFileSync(path.join(server.home, 'artifacts', `${m.weightsSha256}.safetensors`)),
  );
  for (const t of weights)
    expect([t.name, Array.from(stored.tensors.get(t.name)!.data)]).toEqual([t.name, Array.from(t.data)]);
  expect(stored.metadata.source).toBe('import');
  // Same name twice: refused, the first stays.
  expect(
    (await errorOf({ name: 'tiny-imported', path: 'tiny.safetensors', configPath: 'tiny.config.json' })).message,
  ).toMatch(/already exists/);
  // The worker loads the imported θ0 from the artifact store and fine-tunes it.
  const taskId = await taskIdOf(server, 'SNLI_VE');
  const ev = await server.gql<{ evaluate: { id: string } }>(
    `mutation($i: EvaluateInput!) { evaluate(input: $i) { id } }`,
    { i: { modelId: m.id, taskId, steps: 3 } },
  );
  expect(ev.errors).toBeUndefined();
  await waitForRun(server, ev.data!.evaluate.id, ['SUCCEEDED'], 60_000);
}, 90_000);

test('a verified write that fails (sha256 mismatch after writing) leaves no file, no temp file and no row', async () => {
  const ds = createDataSource(server.databaseUrl, ENTITIES);
  await ds.initialize();
  try {
    const artifacts = path.join(server.home, 'artifacts');
    const before = new Set(fs.readdirSync(artifacts));
    let tmpSeen = '';
    const importer = new ModelImporter(ds, server.home, {
      afterWrite: (tmp) => {
        tmpSeen = tmp;
        fs.appendFileSync(tmp, Buffer.from([0])); // a torn / corrupted write
      },
    });
    const w = tinyWeights(IMPORT_CONFIG, 99); // new content, so a new artifact would be created
    writeCheckpoint(server.home, 'torn', w);
    await expect(
      importer.importModel({ name: 'torn', path: 'torn.safetensors', configPath: 'torn.config.json' }),
    ).rejects.toThrow(ArtifactWriteError);
    expect(tmpSeen).toMatch(/\.tmp$/);
    expect(fs.existsSync(tmpSeen)).toBe(false);
    expect(fs.readdirSync(artifacts).filter((f) => !before.has(f))).toEqual([]);
    expect((await ds.query(`SELECT 1 FROM model WHERE name = 'torn'`)) as unknown[]).toEqual([]);
    // The same import without the fault succeeds: the failure left nothing in the way.
    const ok = await new ModelImporter(ds, server.home).importModel({
      name: 'torn',
      path: 'torn.safetensors',
      configPath: 'torn.config.json',
    });
    expect(ok.name).toBe('torn');
    expect(fs.existsSync(path.join(artifacts, `${ok.weightsSha256}.safetensors`))).toBe(true);
  } finally {
    await ds.destroy();
  }
});
