// Optional parts (drivers and clients only some configs use) are imported when the config needs them, so
// an idle process on the default config does not carry them (docs/performance.md "Memory"). A part that
// cannot be loaded stops the start with an error naming the config section and the npm packages.

export async function loadOptional<T>(section: string, packages: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    throw new Error(`${section}: could not load its modules (npm ${packages}): ${(err as Error).message}`, {
      cause: err,
    });
  }
}
