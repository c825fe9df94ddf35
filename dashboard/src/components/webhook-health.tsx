// A webhook's health, live: the latest operational event about it (webhookHealth) as a banner: failing (with its
// consecutive failures and last error), a delivery given up on, disabled, or recovered.
import { useState } from 'preact/hooks';
import type { Event } from '../api.js';
import { useLive } from '../hooks.js';
import { Time } from './ui.js';

type HealthEvent = Extract<Event, { type: 'webhook.failing' | 'webhook.disabled' | 'delivery.exhausted' | 'webhook.recovered' }>;

function Message({ event }: { event: HealthEvent }) {
  switch (event.type) {
    case 'webhook.failing': {
      const { consecutive_failures, last_status_code, last_error } = event.data;
      return (
        <>
          <strong>Failing:</strong> {consecutive_failures} consecutive failures
          {(last_status_code !== null || last_error) && (
            <>
              {' '}
              (last: {last_status_code !== null ? `HTTP ${last_status_code}` : last_error})
            </>
          )}
        </>
      );
    }
    case 'webhook.disabled':
      return (
        <>
          <strong>Disabled by the service:</strong> {event.data.reason}
        </>
      );
    case 'delivery.exhausted':
      return (
        <>
          <strong>Delivery failed for good:</strong> <span class="mono">{event.data.delivery_id}</span> ({event.data.event_type}) after{' '}
          {event.data.attempts} attempts
        </>
      );
    case 'webhook.recovered':
      return (
        <>
          <strong>Recovered:</strong> answering again after {event.data.consecutive_failures} failed attempts
        </>
      );
  }
}

/** The banner; `onDisabled` hears when the service disabled the webhook (to show it). */
export function WebhookHealth({ webhookId, onDisabled }: { webhookId: string; onDisabled: () => void }) {
  const [latest, setLatest] = useState<HealthEvent | null>(null);
  useLive(
    (client) => client.subscribe.webhookHealth(webhookId),
    (event) => {
      const health = event as HealthEvent;
      setLatest(health);
      if (health.type === 'webhook.disabled') onDisabled();
    },
    [webhookId],
  );
  if (!latest) return null;
  const good = latest.type === 'webhook.recovered';
  return (
    <div class={`callout webhook-health ${good ? 'callout-good' : 'callout-bad'}`} role="status" data-health={latest.type}>
      <Message event={latest} /> <span class="muted small">(<Time value={latest.timestamp} />)</span>
    </div>
  );
}
