// The browser entry and the playground must never reach a Node built-in: a bundler would stub it and
// the app would fail at run time. This walks the static import graph from each entry, resolving the
// '.js' specifiers of the sources to their '.ts' files, and lists every `node:` (or bare built-in)
// import with the chain that leads to it (a type-only `typeof import('node:zlib')` is no import).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BUILTINS = new Set(builtinModules);
const SPECIFIER =
  /(?:^|[\s;}])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|(?<!typeof\s+)import\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolveLocal(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier.replace(/\?.*$/, ''));
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, `${base}/index.ts`]) {
    if (existsSync(candidate) && /\.(ts|js)$/.test(candidate)) return candidate;
  }
  return undefined;
}

/** Every Node built-in reachable from `entry`, as 'module (via a → b → c)'. */
function nodeImports(entry: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      const here = [...chain, relative(ROOT, file)];
      if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]!)) {
        found.push(`${specifier} (via ${here.join(' → ')})`);
      } else if (specifier.startsWith('.')) {
        const next = resolveLocal(file, specifier);
        if (next) walk(next, here);
      }
    }
  };
  walk(entry, []);
  return found;
}

test('src/browser.ts reaches no Node built-in module', () => {
  assert.deepEqual(nodeImports(resolve(ROOT, 'src/browser.ts')), []);
});

test('the playground (web/src) reaches no Node built-in module', () => {
  assert.deepEqual(nodeImports(resolve(ROOT, 'web/src/main.ts')), []);
  assert.deepEqual(nodeImports(resolve(ROOT, 'web/src/worker.ts')), []);
});

test('the main entry src/index.ts is not browser-safe (why src/browser.ts exists)', () => {
  const leaks = nodeImports(resolve(ROOT, 'src/index.ts'));
  assert.ok(leaks.length > 0, 'src/index.ts reaches no Node module any more: the web app could import it');
});
