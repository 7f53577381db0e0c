// A bench file run on its own (`npx tsx bench/x.bench.ts`) prints its figures as JSON; imported by
// bench/run.ts it only exports run(). One copy of that check for every bench.
import { fileURLToPath } from 'node:url';

/** When `moduleUrl` is the script node was started with, runs `run` and prints its result as JSON. */
export function runIfMain(moduleUrl: string, run: () => Promise<unknown>): void {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  run().then(
    (r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
