// One delivery with every attempt: what was sent (headers, body), what came back (status, headers, body), how
// long it took and what went wrong; and a Retry button.
import { useEffect, useRef, useState } from 'preact/hooks';
import { NotFoundError, type Delivery, type DeliveryAttempt } from '../api.js';
import { useAsync, useSession } from '../hooks.js';
import { useNotify } from './toasts.js';
import { DeliveryStatusBadge, Empty, ErrorState, InlineError, Json, Loading, Time } from './ui.js';

export function DeliveryDetail(props: { id: string; version: number; onClose: () => void; onRetried: (delivery: Delivery) => void }) {
  const { client, can } = useSession();
  const notify = useNotify();
  const delivery = useAsync(() => client.deliveries.get(props.id), [client, props.id, props.version]);
  const [retrying, setRetrying] = useState(false);
  const [retryError, setRetryError] = useState<unknown>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // Opening a delivery moves focus to it (and, on a phone, scrolls it into view below the table).
  useEffect(() => {
    heading.current?.focus();
  }, [props.id]);

  const retry = async () => {
    setRetrying(true);
    setRetryError(null);
    try {
      const updated = await client.deliveries.retry(props.id);
      props.onRetried(updated);
      notify(`Delivery ${props.id} is being attempted again.`);
      delivery.reload();
    } catch (error) {
      setRetryError(error);
    } finally {
      setRetrying(false);
    }
  };

  const data = delivery.data;
  const attempts = data ? [...data.attempts].reverse() : [];
  return (
    <aside class="detail" aria-labelledby="detail-title">
      <div class="section-head">
        <h2 id="detail-title" ref={heading} tabIndex={-1}>
          Delivery <span class="mono">{props.id}</span>
        </h2>
        <button type="button" onClick={props.onClose} aria-label="Close the delivery details">
          Close
        </button>
      </div>
      {delivery.status === 'loading' && !data && <Loading what="the delivery" />}
      {delivery.status === 'error' &&
        (delivery.error instanceof NotFoundError ? (
          <Empty>
            <p>This delivery does not exist in this project (or is past retention).</p>
          </Empty>
        ) : (
          <ErrorState what="the delivery" error={delivery.error} retry={delivery.reload} />
        ))}
      {data && (
        <>
          <dl class="facts">
            <div>
              <dt>Status</dt>
              <dd>
                <DeliveryStatusBadge status={data.status} />
                {data.statusCode !== null && <span class="mono"> {data.statusCode}</span>}
              </dd>
            </div>
            <div>
              <dt>Event</dt>
              <dd>
                <span class="mono">{data.eventType}</span> <span class="muted mono small">{data.event.id}</span>
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>
                <Time value={data.createdAt} />
              </dd>
            </div>
            {data.nextAttemptAt && (
              <div>
                <dt>Next attempt</dt>
                <dd>
                  <Time value={data.nextAttemptAt} />
                </dd>
              </div>
            )}
          </dl>
          {can('deliveries:write') && (
            <div class="row">
              <button type="button" class="primary" onClick={retry} disabled={retrying} aria-describedby="retry-help">
                {retrying ? 'Retrying…' : 'Retry now'}
              </button>
              <span id="retry-help" class="muted small">
                Sends the event again now, whatever the delivery's state.
              </span>
            </div>
          )}
          <InlineError error={retryError} />
          <h3>
            Attempts <span class="muted">({data.attempts.length})</span>
          </h3>
          {attempts.length === 0 ? (
            <p class={data.status === 'FAILED' ? 'callout callout-bad' : 'muted'}>{noAttemptYet(data.status)}</p>
          ) : (
            attempts.map((attempt, index) => <Attempt key={attempt.number} attempt={attempt} open={index === 0} />)
          )}
        </>
      )}
    </aside>
  );
}

/**
 * Why a delivery has no attempt: still queued, or (FAILED with none) abandoned, because its webhook was disabled
 * before the attempt was due.
 */
function noAttemptYet(status: Delivery['status']): string {
  return status === 'FAILED'
    ? 'Not sent: the webhook was disabled before this delivery was attempted. Enable the webhook, then retry it.'
    : 'No attempt made yet: the delivery is queued.';
}

function Attempt({ attempt, open }: { attempt: DeliveryAttempt; open: boolean }) {
  const ok = attempt.responseStatus !== null && attempt.responseStatus >= 200 && attempt.responseStatus < 300;
  return (
    <details class="attempt" open={open} data-attempt={attempt.number}>
      <summary>
        <span>Attempt {attempt.number}</span>
        <span class={ok ? 'badge badge-good' : 'badge badge-bad'}>
          {attempt.responseStatus !== null ? `HTTP ${attempt.responseStatus}` : (attempt.errorKind ?? 'No response')}
        </span>
        <span class="muted">{attempt.durationMs} ms</span>
        <span class="muted small">
          <Time value={attempt.startedAt} />
        </span>
      </summary>
      {(attempt.errorKind || attempt.errorMessage) && (
        <p class="callout callout-bad">
          <strong>{attempt.errorKind ?? 'Error'}:</strong> {attempt.errorMessage ?? ''}
        </p>
      )}
      <h4>Request</h4>
      <Headers headers={attempt.requestHeaders} label="Request headers" />
      <Json value={attempt.requestBody} label="Request body" />
      <h4>Response</h4>
      {attempt.responseStatus === null ? (
        <p class="muted">No response was received.</p>
      ) : (
        <>
          <p>
            Status <span class="mono">{attempt.responseStatus}</span> after {attempt.durationMs} ms
          </p>
          <Headers headers={attempt.responseHeaders} label="Response headers" />
          {attempt.responseBody ? (
            <Json value={attempt.responseBody} label="Response body" />
          ) : (
            <p class="muted">Empty body.</p>
          )}
          {attempt.responseBodyTruncated && <p class="muted small">The body was longer than 64 KiB; only its start was kept.</p>}
        </>
      )}
    </details>
  );
}

function Headers({ headers, label }: { headers: unknown; label: string }) {
  if (!headers || typeof headers !== 'object') return <p class="muted">No headers recorded.</p>;
  const entries = Object.entries(headers as Record<string, unknown>);
  if (entries.length === 0) return <p class="muted">No headers.</p>;
  return (
    <table class="headers">
      <caption class="visually-hidden">{label}</caption>
      <tbody>
        {entries.map(([name, value]) => (
          <tr key={name}>
            <th scope="row" class="mono">
              {name}
            </th>
            <td class="mono break">{Array.isArray(value) ? value.join(', ') : String(value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

