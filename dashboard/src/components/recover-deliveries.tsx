// Bulk recovery of one webhook: a window (local times) and the statuses to attempt again, then the recovery's
// progress, read every second until it completes. Asking again for the same window shows the same recovery.
import { useEffect, useState } from 'preact/hooks';
import type { DeliveryStatus, Recovery } from '../api.js';
import { useSession } from '../hooks.js';
import { InlineError } from './ui.js';

const RECOVERABLE: DeliveryStatus[] = ['FAILED', 'RETRYING', 'PENDING', 'SUCCESS'];
const POLL_MS = 1_000;

/** A time as a datetime-local input shows it (local time, to the minute). */
const localInput = (date: Date) => new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export function RecoverDeliveries({ webhookId }: { webhookId: string }) {
  const { client } = useSession();
  const [since, setSince] = useState(() => localInput(new Date(Date.now() - 86_400_000)));
  // The next minute: the window holds every delivery made until now.
  const [until, setUntil] = useState(() => localInput(new Date(Date.now() + 60_000)));
  const [statuses, setStatuses] = useState<DeliveryStatus[]>(['FAILED']);
  const [recovery, setRecovery] = useState<Recovery | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!recovery || recovery.state === 'COMPLETED') return;
    const timer = setTimeout(() => {
      client.deliveries.recovery(recovery.id).then(setRecovery, setError);
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [client, recovery]);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setRecovery(
        await client.deliveries.recover(webhookId, {
          since: new Date(since).toISOString(),
          until: new Date(until).toISOString(),
          statuses,
        }),
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const toggle = (status: DeliveryStatus, on: boolean) =>
    setStatuses((all) => (on ? [...all, status] : all.filter((s) => s !== status)));

  return (
    <section class="recover" aria-labelledby="recover-title">
      <h2 id="recover-title">Recover deliveries</h2>
      <p class="muted">Attempts again every delivery of this webhook created in the window with one of the statuses, a batch a second.</p>
      <form class="filters" onSubmit={submit} aria-label="Recover deliveries">
        <div class="field">
          <label for="recover-since">From</label>
          <input id="recover-since" type="datetime-local" required value={since} onChange={(e) => setSince(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="recover-until">Until</label>
          <input id="recover-until" type="datetime-local" required value={until} onChange={(e) => setUntil(e.currentTarget.value)} />
        </div>
        <fieldset class="field">
          <legend>Statuses</legend>
          {RECOVERABLE.map((status) => (
            <label key={status} class="check">
              <input type="checkbox" checked={statuses.includes(status)} onChange={(e) => toggle(status, e.currentTarget.checked)} />{' '}
              {status.charAt(0) + status.slice(1).toLowerCase()}
            </label>
          ))}
        </fieldset>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Starting…' : 'Recover'}
        </button>
      </form>
      <InlineError error={error} />
      {recovery && (
        <div class="recovery-progress" role="status" aria-live="polite" data-recovery-id={recovery.id}>
          <progress max={Math.max(recovery.total, 1)} value={recovery.state === 'COMPLETED' ? Math.max(recovery.total, 1) : recovery.requeued} />{' '}
          {recovery.state === 'COMPLETED' ? 'Completed' : 'Running'}: {recovery.requeued} of {recovery.total} deliveries queued again
        </div>
      )}
    </section>
  );
}
