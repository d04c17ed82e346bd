import tseslint from 'typescript-eslint';

const MONGOOSE = { name: 'mongoose', allowTypeImports: true, message: 'Query the database in a *-repository.ts file and pass plain objects on.' };
const SIGNATURE_MODEL = {
  group: ['**/signatures/signature-repository.js'],
  importNames: ['signatureModel'],
  message: 'Ask the signatures feature (server/signatures/index.ts) for what you need.',
};

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', 'data/', 'public/', 'scratch/', 'dist/', 'eslint.config.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Express 5 handles rejected promises from handlers, so async handlers are fine.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'describe', 'it', 'suite'], package: 'node:test' }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // A feature owns its collections: the signatures model is read and written only inside its feature.
  {
    files: ['server/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts'],
    ignores: ['server/signatures/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [SIGNATURE_MODEL] }] },
  },
  // The database is reached through repositories only; a type (a Connection to pass on) may be named anywhere.
  {
    files: ['server/**/*.ts'],
    ignores: ['server/**/*-repository.ts', 'server/db/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [MONGOOSE], patterns: [SIGNATURE_MODEL] }] },
  },
);
