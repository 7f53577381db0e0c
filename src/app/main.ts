// Process entry for `floodgate run`: start the app, reload on SIGHUP, stop on SIGINT/SIGTERM.
import { App } from './app.js';

export async function runUntilSignalled(configPath?: string): Promise<void> {
  const app = await App.start(configPath !== undefined ? { configPath } : {});
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      app.log.info({ signal }, 'shutting down');
      process.off('SIGHUP', hup);
      app.stop().then(resolve, (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exitCode = 1;
        resolve();
      });
    };
    const hup = () => void app.reload('signal:SIGHUP');
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGHUP', hup);
  });
}
