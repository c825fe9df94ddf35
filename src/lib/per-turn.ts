// Calls made in one event-loop turn, answered together by one batch (one statement for many concurrent requests
// instead of one each). A batch runs at the end of the turn its first call was made in, so it starts after every call
// it answers: what it reads is never older than the call that asked (nothing is cached between batches).

/**
 * A function whose calls of one turn go to `run` as one batch, in call order; `run` answers each input at its index.
 * If the batch fails, every call of it fails with its error.
 */
export function perTurn<I, O>(run: (inputs: I[]) => Promise<O[]>): (input: I) => Promise<O> {
  let batch: { inputs: I[]; answered: Promise<O[]> } | null = null;
  return (input) => {
    if (!batch) {
      const next = { inputs: [] as I[], answered: Promise.resolve([] as O[]) };
      next.answered = new Promise<O[]>((resolve, reject) =>
        setImmediate(() => {
          batch = null;
          run(next.inputs).then(resolve, reject);
        }),
      );
      batch = next;
    }
    const index = batch.inputs.push(input) - 1;
    return batch.answered.then((outputs) => outputs[index]!);
  };
}
