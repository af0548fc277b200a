// ESLint (flat config): JavaScript and typescript-eslint recommended everywhere; Lit and web
// component rules on the element. Formatting is Prettier's job (`npm run format:check`).
import js from '@eslint/js';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'bench/.tmp/',
      'custom-elements.json',
      'docs/**/*.png',
      'docs/.vitepress/dist/',
      'docs/.vitepress/cache/',
      'docs/public/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed names are deliberately unused (e.g. a secret stripped by destructuring).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    extends: [lit.configs['flat/recommended'], wc.configs['flat/recommended'], wc.configs['flat/best-practice']],
    languageOptions: { globals: globals.browser },
    settings: { wc: { elementBaseClasses: ['ReactiveElement'] } },
    rules: {
      // ReactiveElement implements every lifecycle callback: a guard would only hide a missing super call.
      'wc/guard-super-call': 'off',
    },
  },
  {
    files: ['src/cli/**', 'src/core/**', 'src/vendors/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: [
      'test/browser/**',
      'test/frameworks/**/*.{ts,tsx}',
      'test/csp/**',
      'demo/**',
      'sandbox/app.js',
      'bench/pages/**',
    ],
    languageOptions: { globals: { ...globals.browser, ...globals.mocha } },
  },
  {
    files: ['**/*.{js,mjs,cjs}', 'test/node/**', 'test/frameworks/*.mjs'],
    ignores: ['sandbox/app.js', 'demo/**', 'test/csp/**', 'bench/pages/**'],
    languageOptions: { globals: globals.node },
  },
  {
    // Node scripts that hand functions to the page (Playwright's `page.evaluate`).
    files: ['bench/lib/**', 'docs/**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
