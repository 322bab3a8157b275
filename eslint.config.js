const nx = require('@nx/eslint-plugin');
const reactHooks = require('eslint-plugin-react-hooks');

/**
 * Module boundaries on two axes. type: apps depend on libs and contracts, never on another app;
 * libs never on apps; contracts on nothing of ours. scope: shared libs never on a
 * capability's own code. `@medbus/testing` is for tests only (second block below).
 */
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
];

module.exports = [
  { ignores: ['**/node_modules/**', '**/dist/**', '.medbus/**', '.nx/**', 'coverage/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, banTransitiveDependencies: false, depConstraints },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/testing/**', '**/__fixtures__/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@medbus/testing', message: 'test helpers belong in tests only' }] }],
    },
  },
  {
    // The operator console (browser): hooks are called unconditionally, effects list what they read.
    files: ['apps/operator-console/**/*.tsx', 'apps/operator-console/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
];
