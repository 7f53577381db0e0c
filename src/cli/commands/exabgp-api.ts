// `floodgate exabgp-api`: the process exabgp runs as its API process (exabgp.conf
// `process floodgate { run floodgate exabgp-api --connect unix:/run/floodgate/exabgp.sock; encoder text; }`).
// It relays between exabgp's stdin/stdout and the ExaBGP adapter's link; see src/adapters/exabgp/relay.ts.
import type { Command } from 'commander';
import { parseLinkAddress } from '../../adapters/exabgp/link-address.js';
import { runExabgpRelay } from '../../adapters/exabgp/relay.js';

export function registerExabgpApi(program: Command): void {
  program
    .command('exabgp-api')
    .description(
      "Relay for exabgp's process API: run by exabgp, connects back to the floodgate ExaBGP adapter",
    )
    .requiredOption(
      '--connect <address>',
      "adapter link: unix:PATH or tcp:127.0.0.1:PORT (the adapter's `listen`)",
    )
    .option('--retry-ms <ms>', 'delay between connection attempts', '1000')
    .action(async (opts: { connect: string; retryMs: string }) => {
      const retryMs = Number(opts.retryMs);
      if (!Number.isInteger(retryMs) || retryMs < 10) throw new Error('--retry-ms must be an integer >= 10');
      await runExabgpRelay(
        { link: parseLinkAddress(opts.connect), retryMs },
        {
          stdin: process.stdin,
          stdout: process.stdout,
          log: (m) => process.stderr.write(`floodgate exabgp-api: ${m}\n`),
        },
      );
    });
}
