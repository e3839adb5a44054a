import js from '@eslint/js';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import reactRefresh from 'eslint-plugin-react-refresh';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const FEATURES = ['auth', 'dora', 'analytics', 'etl', 'admin', 'settings'];
const NO_BARRELS = {
  group: ['@/features/*/index', '@/features/*/index.ts'],
  message: 'No barrel files: import the module itself.',
};

// Unidirectional code: shared layers → features → app. A feature never imports another feature.
const featureBoundaries = FEATURES.map((feature) => ({
  files: [`src/features/${feature}/**/*.{ts,tsx}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          NO_BARRELS,
          { group: ['@/features/*', `!@/features/${feature}`], message: 'Features do not import each other.' },
          { group: ['@/app/*'], message: 'Features do not import the app layer.' },
        ],
      },
    ],
  },
}));

const sharedBoundaries = {
  files: ['src/{components,config,hooks,lib,types,utils}/**/*.{ts,tsx}'],
  ignores: ['**/*.test.{ts,tsx}'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          NO_BARRELS,
          { group: ['@/features/*', '@/app/*'], message: 'Shared code does not import features or the app.' },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'coverage'] },
  {
    extends: [js.configs.recommended, ...tseslint.configs.recommended, jsxA11y.flatConfigs.recommended],
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      ecmaVersion: 2022,
      globals: globals.browser,
    },
    plugins: {
      'react-hooks': reactHooks,
      'react-refresh': reactRefresh,
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-refresh/only-export-components': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [NO_BARRELS] }],
    },
  },
  ...featureBoundaries,
  sharedBoundaries,
);
