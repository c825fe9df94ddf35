// A webhook's payload filter in the form: a JSON textarea, and a preview of which recent events of the chosen types
// the filter would have let through. The service decides (previewWebhookFilter, the same rule as at fan-out); the page
// only parses the JSON and shows the answer, or the service's error naming the offending operator.
import { useState } from 'preact/hooks';
import { describeError, type FilterPreviewEvent, type PayloadFilter } from '../api.js';
import { useSession } from '../hooks.js';
import { Time } from './ui.js';

export const FILTER_EXAMPLE = '{ "problem_type": "MAXCUT", "result": { "approximation_ratio": { "$gte": 0.9 } } }';

/** The filter as typed: null when the box is empty; a SyntaxError saying so when it is not JSON. */
export function filterOf(text: string): PayloadFilter | null {
  if (!text.trim()) return null;
  try {
    return JSON.parse(text) as PayloadFilter;
  } catch (error) {
    throw new SyntaxError(`The filter is not valid JSON: ${(error as Error).message}`);
  }
}

/** How a stored filter is shown for editing. */
export const filterText = (filter: unknown): string => (filter == null ? '' : JSON.stringify(filter, null, 2));

type Props = {
  value: string;
  onInput: (text: string) => void;
  /** The event types the form has chosen, for the preview. */
  events: () => string[];
  /** The error of the field (the service's, naming `filter…`, or the JSON's), shown under the box. */
  error: { message: string } | null;
};

type Preview = { status: 'idle' } | { status: 'loading' } | { status: 'done'; events: FilterPreviewEvent[] } | { status: 'error'; message: string };

const PREVIEW_SIZE = 20;

export function FilterField({ value, onInput, events, error }: Props) {
  const { client } = useSession();
  const [preview, setPreview] = useState<Preview>({ status: 'idle' });

  const runPreview = async () => {
    setPreview({ status: 'loading' });
    try {
      const found = await client.webhooks.previewFilter({ events: events(), filter: filterOf(value), first: PREVIEW_SIZE });
      setPreview({ status: 'done', events: found });
    } catch (e) {
      setPreview({ status: 'error', message: describeError(e) });
    }
  };

  const matched = preview.status === 'done' ? preview.events.filter((e) => e.matched).length : 0;
  return (
    <div class="field">
      <label for="webhook-filter">Payload filter (JSON, optional)</label>
      <p class="muted" id="webhook-filter-help">
        Only events whose data matches are delivered, e.g. <code class="mono">{FILTER_EXAMPLE}</code>. Operators: $eq,
        $neq, $in, $nin, $gt, $gte, $lt, $lte, $exists, $startsWith, $endsWith, $and, $or, $not. Empty: every event.
      </p>
      <textarea
        id="webhook-filter"
        class="mono filter-text"
        rows={5}
        spellcheck={false}
        value={value}
        onInput={(e) => {
          onInput(e.currentTarget.value);
          setPreview({ status: 'idle' }); // it showed the filter as it was
        }}
        aria-invalid={error !== null}
        aria-describedby={error ? 'filter-error' : 'webhook-filter-help'}
      />
      {error && (
        <p class="inline-error" id="filter-error" role="alert">
          {error.message}
        </p>
      )}
      <button type="button" onClick={runPreview} disabled={preview.status === 'loading'}>
        {preview.status === 'loading' ? 'Checking…' : 'Preview on recent events'}
      </button>
      {preview.status === 'error' && (
        <p class="inline-error" id="filter-preview-error" role="alert">
          {preview.message}
        </p>
      )}
      {preview.status === 'done' && (
        <section class="filter-preview" aria-label="Filter preview">
          <p>
            {preview.events.length === 0
              ? 'No recent events of these types.'
              : `${matched} of the ${preview.events.length} most recent events of these types would have been delivered.`}
          </p>
          <ul>
            {preview.events.map(({ event, matched }) => (
              <li key={event.id} data-event-id={event.id} data-matched={String(matched)} class={matched ? 'matched' : 'filtered-out'}>
                <span class="filter-verdict">{matched ? '✓ Delivered' : '✗ Filtered out'}</span>{' '}
                <span class="mono">{event.type}</span> <span class="mono muted">{event.id}</span> <Time value={event.timestamp} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
