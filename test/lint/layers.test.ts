// The import-direction rule in eslint.config.js fires: an import against the layer direction in a
// folder's file is an error, the same import the other way round is not (docs/layout.md).
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import direction lint rule', () => {
  it.each([
    [
      'src/mitigation/x.ts',
      "import type { Adapter } from '../adapters/native-bgp.js';\nexport type A = Adapter;\n",
    ],
    [
      'src/mitigation/x.ts',
      "import { MitigationRunner } from '../engine-shell/runner.js';\nexport const R = MitigationRunner;\n",
    ],
    ['src/flow/x.ts', "import { Detector } from '../detect/detector.js';\nexport const D = Detector;\n"],
    ['src/detect/x.ts', "import { step } from '../mitigation/engine.js';\nexport const S = step;\n"],
    ['src/bgp/codec/x.ts', "import { step } from '../../mitigation/engine.js';\nexport const S = step;\n"],
    [
      'src/engine-shell/x.ts',
      "import { MemoryStore } from '../store/memory.js';\nexport const M = MemoryStore;\n",
    ],
    ['src/api/x.ts', "import { App } from '../app/app.js';\nexport const A = App;\n"],
    ['src/net/x.ts', "import type { Rule } from '../domain/rule.js';\nexport type R = Rule;\n"],
  ])('%s: %s is refused', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([expect.stringContaining('layer direction')]);
  });

  it.each([
    [
      'src/adapters/x.ts',
      "import type { Adapter } from '../domain/adapter-port.js';\nexport type A = Adapter;\n",
    ],
    ['src/detect/x.ts', "import type { FlowBatch } from '../flow/batch.js';\nexport type B = FlowBatch;\n"],
    ['src/engine-shell/x.ts', "import { step } from '../mitigation/engine.js';\nexport const S = step;\n"],
    ['src/cli/x.ts', "import { App } from '../app/app.js';\nexport const A = App;\n"],
    [
      'src/engine-shell/scenario.ts',
      "import { MemoryStore } from '../store/memory.js';\nexport const M = MemoryStore;\n",
    ],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});
