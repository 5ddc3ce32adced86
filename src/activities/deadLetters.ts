/** Files a dead letter from a workflow that gave up: its full context lands in src/store/deadLetters.ts. */
import type { DeadLetterInput } from '../contracts/deadLetter';
import type { Db } from '../store/db';
import { createDeadLetterStore } from '../store/deadLetters';

export function createDeadLetterActivities(db: Db) {
  const store = createDeadLetterStore(db);
  return {
    async recordDeadLetter(input: DeadLetterInput): Promise<{ id: number }> {
      return { id: await store.add(input) };
    },
  };
}
