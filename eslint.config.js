// Type-aware lint. Layering rules (STYLE.md §15): axios only in src/rest/, chalk/ora/inquirer only in
// src/ui/, and no clock, environment or console in core code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restricted = (names, message) => names.map((name) => ({ name, message }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bin/**', 'b24lab-demo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/rest/**', 'src/ui/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...restricted(['axios'], 'Only src/rest/ talks HTTP to a portal.'),
            ...restricted(['chalk', 'ora', '@inquirer/prompts'], 'Terminal output lives in src/ui/.'),
          ],
        },
      ],
    },
  },
  {
    files: ['src/ui/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: restricted(['axios'], 'Only src/rest/ talks HTTP to a portal.') },
      ],
    },
  },
  {
    files: ['src/rest/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: restricted(['chalk', 'ora', '@inquirer/prompts'], 'Terminal output lives in src/ui/.') },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/ui/**', 'src/main.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Inject a clock.' },
        { object: 'process', property: 'env', message: 'Read the environment in src/main.ts or a command.' },
        { object: 'process', property: 'exit', message: 'Throw; src/main.ts sets the exit code.' },
      ],
    },
  },
  {
    files: ['src/ui/**/*.ts'],
    ignores: [],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Throw; src/main.ts sets the exit code.' },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
