/** Files a dead letter from a workflow that gave up: its full context lands in src/store/deadLetters.ts. */
import type { DeadLetterInput } from '../contracts/deadLetter';
import type { Db } from '../store/db';
import { createDeadLetterStore } from '../store/deadLetters';
import type { BreakwaterConfig } from '../config';
import { optionalSealerFor } from '../codec/dataConverter';

export function createDeadLetterActivities(db: Db, config: BreakwaterConfig) {
  // The original input is sealed with the payload keys: it is the same data the run's history holds encrypted.
  const store = createDeadLetterStore(db, { sealer: optionalSealerFor(config) });
  return {
    async recordDeadLetter(input: DeadLetterInput): Promise<{ id: number }> {
      return { id: await store.add(input) };
    },
  };
}
