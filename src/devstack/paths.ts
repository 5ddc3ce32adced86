/** Where the dev stack keeps what it provisions and writes: one ignored folder at the project's root. */
import path from 'node:path';

/** Breakwater's own package root, where bin/, docs/ and test fixtures are (this file lives at src/devstack or dist/devstack); not the user's project (projectHome.ts). */
export const packageRoot = (): string => path.resolve(__dirname, '..', '..');

/** `.breakwater/` under the project root, unless BREAKWATER_HOME says otherwise. */
export const stackHome = (): string => process.env.BREAKWATER_HOME ?? path.join(packageRoot(), '.breakwater');

export const stackStatePath = (): string => path.join(stackHome(), 'stack.json');
export const toolsDir = (): string => path.join(stackHome(), 'tools');
