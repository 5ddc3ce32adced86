/**
 * This repository's `breakwater` command: Breakwater's CLI plus the reference pipelines' own command
 * (`submit`) — the way a user adds theirs (`main(argv, { commands })`). `npm run breakwater -- …` runs it.
 */
import { EXIT_FAILURE, main } from '../client/cli';
import { registerSubmit } from './submitAndVerify/submitCommand';

export const runReferenceCli = (argv = process.argv) => main(argv, { commands: [registerSubmit] });

if (require.main === module) {
  runReferenceCli().then((code) => process.exit(code), () => process.exit(EXIT_FAILURE));
}
