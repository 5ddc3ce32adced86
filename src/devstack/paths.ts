/** Where the dev stack keeps what it provisions and writes: one ignored folder at the project's root. */
import path from 'node:path';

/** The project's root (this file lives at src/devstack or dist/devstack). */
export const projectRoot = (): string => path.resolve(__dirname, '..', '..');

/** `.breakwater/` under the project root, unless BREAKWATER_HOME says otherwise. */
export const stackHome = (): string => process.env.BREAKWATER_HOME ?? path.join(projectRoot(), '.breakwater');

export const stackStatePath = (): string => path.join(stackHome(), 'stack.json');
export const toolsDir = (): string => path.join(stackHome(), 'tools');
