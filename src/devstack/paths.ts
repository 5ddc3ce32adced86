/**
 * Breakwater's own package root: where bin/, docs/ and the test fixtures are (this file lives at
 * src/devstack or dist/devstack). What a project provisions and writes lives elsewhere: its home
 * (`projectHome()`, found from the working directory) and the machine's tools cache (`toolsCacheDir()`),
 * both in src/projectHome.ts.
 */
import path from 'node:path';

export const packageRoot = (): string => path.resolve(__dirname, '..', '..');
