import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import direction (docs/layout.md, ARCHITECTURE.md "Dependencies point inward"): data flows
// flow → detect → mitigation → adapters/bgp, and no folder imports one downstream of it; nothing but the
// entry points (src/cli/) imports src/app/. Each entry lists the src/ folders a folder may NOT import.
// The outside every core folder stays clear of: stores, HTTP API, dashboard, CLI, scale-out wiring.
const OUTSIDE = ['store', 'api', 'web', 'cli', 'cluster'];
// Side channels the pure folders do not reach either.
const SIDE = ['notify', 'export', 'config'];
const FORBIDDEN = {
  net: ['*'],
  domain: ['flow', 'detect', 'mitigation', 'engine-shell', 'bgp', 'adapters', ...OUTSIDE, ...SIDE],
  flow: ['detect', 'mitigation', 'engine-shell', 'bgp', 'adapters', ...OUTSIDE],
  detect: ['mitigation', 'engine-shell', 'bgp', 'adapters', ...OUTSIDE],
  mitigation: ['flow', 'detect', 'engine-shell', 'bgp', 'adapters', ...OUTSIDE, ...SIDE],
  'engine-shell': ['flow', 'detect', 'bgp', 'adapters', ...OUTSIDE, 'notify', 'export'],
  bgp: ['flow', 'detect', 'mitigation', 'engine-shell', 'adapters', ...OUTSIDE],
  adapters: ['flow', 'detect', 'mitigation', 'engine-shell', ...OUTSIDE],
};

/** A no-restricted-imports pattern for relative imports reaching into the named src/ folders. */
function layerPattern(folders, allow = []) {
  const target = folders.includes('*') ? '[a-z-]+' : `(?:${[...folders, 'app'].join('|')})`;
  const except = allow.length ? `(?!${allow.join('|')})` : '';
  return {
    regex: `^(?:\\.\\./)+${except}${target}/`,
    message: 'Import against the layer direction (docs/layout.md): depend on a port in src/domain/ instead.',
  };
}

/** One flat-config block: these files may not import those folders (nor src/app/). */
const layer = (files, folders, allow = []) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [layerPattern(folders, allow)] }] },
});

const layers = [
  // composition roots: `floodgate run` (app), the CLI, and `floodgate agent`'s own main
  { ...layer(['src/**/*.ts'], []), ignores: ['src/app/**', 'src/cli/**', 'src/agent/main.ts'] },
  ...Object.entries(FORBIDDEN).map(([folder, folders]) => layer([`src/${folder}/**/*.ts`], folders)),
  // `floodgate simulate` composes the shell with the in-memory store and the dry-run wrapper
  layer(['src/engine-shell/scenario.ts'], FORBIDDEN['engine-shell'], [
    'adapters/dry-run\\.js',
    'store/memory\\.js',
  ]),
  // tests compose whatever they need
  { files: ['**/*.test.ts'], rules: { 'no-restricted-imports': 'off' } },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'bin/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...layers,
);
