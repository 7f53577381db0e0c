// `npm run bench`: runs every bench/*.bench.ts (each exports `run(): Promise<Record<string, number>>`)
// and prints one JSON document with the figures. `npm run bench -- flow` runs only matching files.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filter.length === 0 || filter.some((p) => f.includes(p)))
  .sort();

const results: Record<string, Record<string, number> | { error: string }> = {};
for (const f of files) {
  const name = f.replace(/\.bench\.ts$/, '');
  process.stderr.write(`bench ${name}...\n`);
  try {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as {
      run?: () => Promise<Record<string, number>>;
    };
    if (typeof mod.run !== 'function') throw new Error('exports no run()');
    results[name] = await mod.run();
  } catch (err) {
    results[name] = { error: (err as Error).message };
  }
}
process.stdout.write(
  JSON.stringify(
    {
      node: process.version,
      cpus: (await import('node:os')).cpus().length,
      at: new Date().toISOString(),
      results,
    },
    null,
    2,
  ) + '\n',
);
