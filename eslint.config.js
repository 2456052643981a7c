// Lint with type information. The election package gets extra rules that keep it a pure
// state machine: no node: built-ins, no timers, no wall clock, no global randomness, no I/O
// packages. Time and randomness reach it only through its inputs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioPackages = ['ws', 'fastify', 'pino', 'prom-client', 'koffi', 'raw-socket', 'yaml'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'Name what a module exports; no `export *`.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(assert|buffer|child_process|crypto|dgram|dns|events|fs|http|https|net|os|path|process|stream|timers|tls|url|util|worker_threads|zlib)(/.*)?$',
              message: 'Use the node: prefix for built-in modules.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/*/test/**/*.ts', 'test/**/*.ts', 'deploy/test/**/*.ts'],
    rules: {
      // node:test's describe/it return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['packages/election/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'election is a pure state machine: no node: built-ins.' },
            {
              regex: `^(${ioPackages.join('|')})(/.*)?$`,
              message: 'election is a pure state machine: no I/O packages.',
            },
            {
              regex:
                '^(assert|buffer|child_process|crypto|dgram|dns|events|fs|http|https|net|os|path|process|stream|timers|tls|url|util|worker_threads|zlib)(/.*)?$',
              message: 'election is a pure state machine: no built-in modules.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[
          'setTimeout',
          'setInterval',
          'setImmediate',
          'clearTimeout',
          'clearInterval',
          'clearImmediate',
          'queueMicrotask',
          'process',
          'performance',
          'fetch',
          'require',
          'Buffer',
          'Date',
        ].map((name) => ({
          name,
          message: `election takes time and I/O only through events; no ${name}.`,
        })),
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Inject the random source; no Math.random in election.',
        },
      ],
    },
  },
);
