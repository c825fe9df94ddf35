// A webhook's endpoint controls in its form: the rate limit, custom headers and the trace-context opt-in. Header
// values are write-only: an existing header shows its name with an empty value, which keeps the stored value unless
// something is typed. Also their summary on the webhook's page.
import { useState } from 'preact/hooks';
import type { EndpointControls, Webhook } from '../api.js';

type HeaderRow = { key: number; name: string; value: string; stored: boolean };

let nextKey = 0;
const row = (name: string, stored: boolean): HeaderRow => ({ key: nextKey++, name, value: '', stored });

/** The controls' state for the form, and the input they make (rows without a name are left out). */
export function useEndpointControls(webhook?: Webhook) {
  const [rateLimit, setRateLimit] = useState(webhook?.rateLimitPerSecond?.toString() ?? '');
  const [propagate, setPropagate] = useState(webhook?.propagateTraceContext ?? false);
  const [headers, setHeaders] = useState<HeaderRow[]>((webhook?.headerNames ?? []).map((name) => row(name, true)));

  const input = (): EndpointControls => ({
    // Not a number is sent as it is, for the service to refuse with its message.
    rateLimitPerSecond: rateLimit.trim() === '' ? null : Number(rateLimit.trim()),
    propagateTraceContext: propagate,
    headers: headers
      .filter((h) => h.name.trim() !== '')
      .map((h) => ({ name: h.name.trim(), value: h.stored && h.value === '' ? null : h.value })),
  });
  return { rateLimit, setRateLimit, propagate, setPropagate, headers, setHeaders, input };
}

type Props = {
  controls: ReturnType<typeof useEndpointControls>;
  fieldError: (field: string) => preact.JSX.Element | null;
};

export function EndpointControlsFields({ controls, fieldError }: Props) {
  const { rateLimit, setRateLimit, propagate, setPropagate, headers, setHeaders } = controls;
  const change = (key: number, patch: Partial<HeaderRow>) =>
    setHeaders(headers.map((h) => (h.key === key ? { ...h, ...patch } : h)));
  return (
    <>
      <div class="field">
        <label for="webhook-rate-limit">Rate limit (deliveries per second, 1–1000; empty for none)</label>
        <input
          id="webhook-rate-limit"
          inputMode="numeric"
          value={rateLimit}
          onInput={(e) => setRateLimit(e.currentTarget.value)}
          aria-describedby="rateLimitPerSecond-error"
        />
        {fieldError('rateLimitPerSecond')}
      </div>
      <fieldset class="field" aria-describedby="headers-error">
        <legend>Custom headers</legend>
        <p class="muted">Sent with every attempt. Values are stored sealed and never shown again: leave a saved one empty to keep it.</p>
        {headers.map((h, i) => (
          <div class="row header-row" key={h.key}>
            <input
              aria-label={`Header ${i + 1} name`}
              class="mono"
              placeholder="Authorization"
              value={h.name}
              onInput={(e) => change(h.key, { name: e.currentTarget.value })}
            />
            <input
              aria-label={`Header ${i + 1} value`}
              type="password"
              autoComplete="off"
              placeholder={h.stored ? 'unchanged' : 'value'}
              value={h.value}
              onInput={(e) => change(h.key, { value: e.currentTarget.value })}
            />
            <button
              type="button"
              aria-label={`Remove header ${i + 1}`}
              onClick={() => setHeaders(headers.filter((other) => other.key !== h.key))}
            >
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setHeaders([...headers, row('', false)])}>
          Add header
        </button>
        {fieldError('headers')}
      </fieldset>
      <label class="check">
        <input type="checkbox" checked={propagate} onChange={(e) => setPropagate(e.currentTarget.checked)} /> Send trace
        context (W3C traceparent) to the receiver
      </label>
    </>
  );
}

/** The controls among a webhook's facts (a `<dl>`'s entries). */
export function EndpointControlsFacts({ webhook }: { webhook: Webhook }) {
  return (
    <>
      <div>
        <dt>Rate limit</dt>
        <dd>{webhook.rateLimitPerSecond === null ? 'None' : `${webhook.rateLimitPerSecond} per second`}</dd>
      </div>
      {webhook.headerNames.length > 0 && (
        <div>
          <dt>Custom headers</dt>
          <dd class="mono">{webhook.headerNames.join(', ')}</dd>
        </div>
      )}
    </>
  );
}
