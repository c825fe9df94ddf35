// Clean-up for resources a test file creates while it runs (databases, services, clients).
// Vitest ignores `afterAll` hooks registered from inside a hook or test (they would never run), so support code
// registers its steps here instead; the one `afterAll` below is registered when the test file imports this module.
import { afterAll } from 'vitest';

const steps: (() => unknown)[] = [];

/** Runs `step` after all tests of the calling file, newest first (a service stops before its database is dropped). */
export function onCleanup(step: () => unknown): void {
  steps.push(step);
}

afterAll(async () => {
  const errors: unknown[] = [];
  for (const step of steps.splice(0).reverse()) {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'clean-up failed');
});
