/**
 * `descent serve [runsDir]`: serves the built playground (web/dist) and, read-only, the files of a
 * runs directory under /runs/ (a directory answers with a JSON listing), so the app can open the
 * JSONL logs of `descent train` and `descent compare`. It binds to 127.0.0.1 unless told otherwise:
 * the runs may hold private data. Only GET and HEAD; no path leaves the runs directory, through
 * `..`, an encoded separator or a symbolic link; dot-files are not served.
 */
import { createReadStream, existsSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandSpec, ParsedOptions } from '../args.js';
import type { CliIo } from '../io.js';

/** The built app inside the package: dist/cli/commands/ and src/cli/commands/ are both 3 levels down. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

export const serveCommand: CommandSpec = {
  name: 'serve',
  summary:
    'Serve the playground and, read-only at /runs/, a runs directory (the first argument, default ./runs). ' +
    'Binds to 127.0.0.1 unless --host says otherwise.',
  options: [
    { name: 'runs', kind: 'string', metavar: 'DIR', description: 'Runs directory to serve at /runs/ (or give it as the first argument)' },
    { name: 'port', kind: 'integer', min: 0, max: 65535, default: 5173, description: 'Port to listen on (0: any free port)' },
    { name: 'host', kind: 'string', default: '127.0.0.1', metavar: 'ADDRESS', description: 'Address to bind; any other than a loopback one exposes the runs to the network' },
    { name: 'web', kind: 'string', metavar: 'DIR', description: "The built app (default: the package's web/dist)" },
  ], // prettier-ignore
  positional: { option: 'runs', metavar: 'RUNS_DIR' },
  epilog: 'Examples:\n  descent serve\n  descent serve runs --port 8080',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

export interface ServeOptions {
  /** The built app (with index.html). */
  webDir: string;
  /** The runs directory served at /runs/; null serves none. */
  runsDir: string | null;
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export interface RunningServer {
  /** http://host:port/ */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * The file under `root` that the URL path `path` names, or null if it names none or would leave
 * `root`: each segment is decoded on its own, so an encoded '/' or '\' cannot make a new one.
 */
async function resolveInside(root: string, path: string): Promise<string | null> {
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment.startsWith('.') || /[/\\\0]/.test(segment)) return null;
    segments.push(segment);
  }
  const realRoot = await realpath(root);
  let target: string;
  try {
    target = await realpath(join(realRoot, ...segments));
  } catch {
    return null;
  }
  return target === realRoot || target.startsWith(realRoot + sep) ? target : null;
}

async function serveFile(res: ServerResponse, file: string): Promise<void> {
  const info = await stat(file);
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'no-cache',
  });
  if (res.req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

async function serveRuns(res: ServerResponse, runsDir: string | null, path: string): Promise<void> {
  if (runsDir === null || !existsSync(runsDir)) {
    send(res, 404, `no runs directory is being served${runsDir ? ` (${runsDir} does not exist)` : ''}\n`);
    return;
  }
  const target = await resolveInside(runsDir, path);
  if (target === null) {
    send(res, 404, 'not found\n');
    return;
  }
  const info = await stat(target);
  if (!info.isDirectory()) {
    await serveFile(res, target);
    return;
  }
  const entries = [];
  for (const entry of await readdir(target, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || !(entry.isFile() || entry.isDirectory())) continue;
    const s = await stat(join(target, entry.name));
    entries.push({
      name: entry.name,
      type: entry.isDirectory() ? 'directory' : 'file',
      size: s.size,
      modified: s.mtime.toISOString(),
    });
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  send(res, 200, JSON.stringify({ path: `/runs/${path}`, entries }, null, 2) + '\n', TYPES['.json']);
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ServeOptions): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'read-only: GET and HEAD only\n');
    return;
  }
  const path = (req.url ?? '/').split(/[?#]/)[0]!;
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // Cross-origin isolation: it gives the page SharedArrayBuffer, which the wasm backend's Web Worker
  // threads need (src/backend/wasm/web.ts). Everything the app loads comes from here.
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  if (path === '/runs' || path.startsWith('/runs/')) {
    await serveRuns(res, options.runsDir, path.slice('/runs'.length));
    return;
  }
  const file = await resolveInside(options.webDir, path === '/' ? '/index.html' : path);
  if (file === null || !(await stat(file)).isFile()) {
    send(res, 404, 'not found\n');
    return;
  }
  await serveFile(res, file);
}

/** Starts the server; resolves once it listens. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const webDir = resolve(options.webDir);
  const runsDir = options.runsDir === null ? null : resolve(options.runsDir);
  if (!existsSync(join(webDir, 'index.html'))) {
    throw new Error(
      `the playground is not built: ${join(webDir, 'index.html')} is missing; run npm run build`,
    );
  }
  const resolved = { ...options, webDir, runsDir };
  const server = createServer((req, res) => {
    handle(req, res, resolved).catch((error: Error) => {
      if (!res.headersSent) send(res, 500, `error: ${error.message}\n`);
      else res.destroy(error);
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => {
      server.off('error', fail);
      done();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    server,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Runs until SIGINT or SIGTERM (or `stop`, for tests), then closes the server. */
export async function runServe(options: ParsedOptions, io: CliIo, stop?: Promise<void>): Promise<number> {
  const host = options.host as string;
  const runsDir = resolve((options.runs as string | undefined) ?? 'runs');
  const running = await startServer({
    webDir: (options.web as string | undefined) ?? DEFAULT_WEB_DIR,
    runsDir,
    host,
    port: options.port as number,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') {
      throw new Error(`port ${options.port as number} is in use; pick another with --port (0: any free one)`);
    }
    throw error;
  });
  io.out(`Descent playground at ${running.url}`);
  io.out(
    existsSync(runsDir)
      ? `  runs from ${runsDir} at ${running.url}runs/ (read-only)`
      : `  no runs directory at ${runsDir}: /runs/ is empty (give one: descent serve DIR)`,
  );
  if (!isLoopback(host)) {
    io.err(
      `descent serve: warning: listening on ${host}, not a loopback address: anyone who can reach it can read the runs`,
    );
  }
  io.out('  press Ctrl+C to stop');
  await new Promise<void>((done) => {
    const finish = () => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      done();
    };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    stop?.then(finish);
  });
  await running.close();
  return 0;
}
