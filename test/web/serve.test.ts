// `descent serve`: the built app, the runs read-only, nothing outside them, loopback by default.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { runServe, serveCommand, startServer, type RunningServer } from '../../src/cli/commands/serve.js';
import { parseOptions } from '../../src/cli/args.js';

const parseServeArgs = (argv: string[]) => parseOptions(serveCommand, argv);
import { capture } from '../helpers/cli.js';

/** A raw GET (or other method) that sends the path exactly as given, without URL normalisation. */
function fetchRaw(
  port: number,
  path: string,
  method = 'GET',
): Promise<{ status: number; body: string; type: string; headers: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        done({
          status: res.statusCode!,
          body,
          type: String(res.headers['content-type']),
          headers: res.headers,
        }),
      );
    });
    req.on('error', fail);
    req.end();
  });
}

describe('descent serve', () => {
  const root = mkdtempSync(join(tmpdir(), 'descent-serve-'));
  const web = join(root, 'web');
  const runs = join(root, 'runs');
  let server: RunningServer;

  before(async () => {
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(web, 'assets', 'app.js'), 'export {};');
    mkdirSync(join(runs, 'adam'), { recursive: true });
    writeFileSync(join(runs, 'adam', 'log.jsonl'), '{"epoch":1,"loss":0.5}\n');
    writeFileSync(join(runs, '.secret'), 'hidden');
    writeFileSync(join(root, 'outside.txt'), 'private');
    symlinkSync(join(root, 'outside.txt'), join(runs, 'link.txt'));
    server = await startServer({ webDir: web, runsDir: runs, host: '127.0.0.1', port: 0 });
  });
  after(() => server.close());

  test('serves the app, and the runs with a JSON listing per directory', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await fetchRaw(server.port, '/');
    assert.equal(index.status, 200);
    assert.match(index.type, /text\/html/);
    // Cross-origin isolated, so that the wasm backend's Web Workers can share memory.
    assert.equal(index.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(index.headers['cross-origin-embedder-policy'], 'require-corp');
    assert.equal((await fetchRaw(server.port, '/assets/app.js')).type, 'text/javascript; charset=utf-8');
    const listing = JSON.parse((await fetchRaw(server.port, '/runs/')).body) as {
      entries: { name: string; type: string }[];
    };
    assert.deepEqual(
      listing.entries.map((e) => [e.name, e.type]),
      [['adam', 'directory']],
      'no dot-files, no links',
    );
    const log = await fetchRaw(server.port, '/runs/adam/log.jsonl');
    assert.equal(log.status, 200);
    assert.match(log.type, /application\/x-ndjson/);
    assert.equal(log.body, '{"epoch":1,"loss":0.5}\n');
  });

  test('no path leaves the runs directory, and dot-files stay hidden', async () => {
    for (const path of [
      '/runs/../index.html',
      '/runs/%2e%2e/outside.txt',
      '/runs/..%2foutside.txt',
      '/runs/adam/..%5c..%5coutside.txt',
      '/runs/link.txt',
      '/runs/.secret',
      '/runs/%00',
      '/../outside.txt',
      '/%2e%2e/outside.txt',
    ]) {
      const res = await fetchRaw(server.port, path);
      assert.equal(res.status, 404, `${path} gave ${res.status}: ${res.body}`);
      assert.doesNotMatch(res.body, /private|hidden/);
    }
  });

  test('it is read-only', async () => {
    const res = await fetchRaw(server.port, '/runs/adam/log.jsonl', 'PUT');
    assert.equal(res.status, 405);
    assert.equal((await fetchRaw(server.port, '/runs/adam/log.jsonl', 'HEAD')).status, 200);
  });

  test('the runs directory is the first argument or --runs; 127.0.0.1 is the default host', () => {
    assert.equal(parseServeArgs(['runs', '--port', '0']).runs, 'runs');
    assert.equal(parseServeArgs(['--port', '8080', 'mine']).runs, 'mine');
    assert.equal(parseServeArgs(['--runs', 'x']).runs, 'x');
    assert.equal(parseServeArgs([]).host, '127.0.0.1');
    assert.throws(() => parseServeArgs(['a', 'b']), /unexpected argument 'b'/);
    assert.throws(() => parseServeArgs(['a', '--runs', 'b']), /give RUNS_DIR once, not both 'a' and --runs/);
  });

  test('a missing build is a clear error', async () => {
    const io = capture();
    const code = await main(['serve', '--web', join(root, 'nowhere'), '--port', '0'], io);
    assert.equal(code, 1);
    assert.match(
      io.stderr.join('\n'),
      /the playground is not built: .*index\.html is missing; run npm run build/,
    );
  });

  test('the command prints where it listens and stops cleanly', async () => {
    const io = capture();
    let stop!: () => void;
    const stopped = new Promise<void>((done) => (stop = done));
    const running = runServe(parseServeArgs([runs, '--web', web, '--port', '0']), io, stopped);
    while (io.stdout.length < 2) await new Promise((r) => setTimeout(r, 10));
    const url = /at (http:\S+)/.exec(io.stdout[0]!)![1]!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(io.stdout[1]!, /runs from .* \(read-only\)/);
    stop();
    assert.equal(await running, 0);
  });
});
