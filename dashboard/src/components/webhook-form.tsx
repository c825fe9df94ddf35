// Create or edit a webhook: URL, the events it receives (catalog types, category wildcards or *), a payload filter
// (with a preview on recent events), a description, and its endpoint controls (rate limit, custom headers, trace
// context: `endpoint-controls.tsx`).
import { useState } from 'preact/hooks';
import { describeError, ValidationError, type EventTypeInfo, type Webhook } from '../api.js';
import { useAsync, useSession } from '../hooks.js';
import { FilterField, filterOf, filterText } from './filter-field.js';
import { Dialog } from './ui.js';
import { EndpointControlsFields, useEndpointControls } from './endpoint-controls.js';

type Props = {
  webhook?: Webhook;
  onSaved: (result: { webhook: Webhook; secret?: string }) => void;
  onClose: () => void;
};

const categoryOf = (type: string) => type.split('.')[0] ?? type;

export function WebhookFormDialog({ webhook, onSaved, onClose }: Props) {
  const { client } = useSession();
  const catalog = useAsync(() => client.eventTypes(), [client]);
  const known = new Set((catalog.data ?? []).map((e) => e.type));
  const initial = webhook?.events ?? [];
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [description, setDescription] = useState(webhook?.description ?? '');
  const [filter, setFilter] = useState(filterText(webhook?.filter));
  const [chosen, setChosen] = useState<Set<string>>(new Set(initial));
  // Wildcards and anything not in the catalog are typed, comma-separated.
  const [patterns, setPatterns] = useState(initial.filter((e) => e === '*' || e.endsWith('.*')).join(', '));
  const controls = useEndpointControls(webhook);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string; message: string } | null>(null);

  const events = () => {
    const typed = patterns.split(',').map((p) => p.trim()).filter(Boolean);
    return [...new Set([...[...chosen].filter((e) => known.has(e) || !catalog.data), ...typed])];
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const input = {
        url: url.trim(),
        events: events(),
        description: description.trim() || null,
        filter: filterOf(filter),
        ...controls.input(),
      };
      if (webhook) {
        onSaved({ webhook: await client.webhooks.update(webhook.id, input) });
      } else {
        const created = await client.webhooks.create({
          ...input,
          description: input.description ?? undefined,
          filter: input.filter ?? undefined,
        });
        onSaved(created);
      }
    } catch (e) {
      if (e instanceof SyntaxError) setError({ field: 'filter', message: e.message });
      else setError(e instanceof ValidationError ? { field: e.field, message: e.message } : { field: '', message: describeError(e) });
      setBusy(false);
    }
  };

  const isField = (field: string) =>
    error !== null && (error.field === field || error.field.startsWith(`${field}.`) || error.field.startsWith(`${field}[`));
  const fieldError = (field: string) =>
    error && isField(field) ? (
      <p class="inline-error" id={`${field}-error`} role="alert">
        {error.message}
      </p>
    ) : null;
  const otherError =
    error && !['url', 'events', 'description', 'filter', 'rateLimitPerSecond', 'headers'].some((f) => error.field.startsWith(f));

  const groups = new Map<string, EventTypeInfo[]>();
  for (const type of catalog.data ?? []) {
    const group = groups.get(categoryOf(type.type)) ?? [];
    group.push(type);
    groups.set(categoryOf(type.type), group);
  }

  return (
    <Dialog title={webhook ? 'Edit webhook' : 'New webhook'} onClose={onClose} wide>
      <form onSubmit={submit} method="post" class="form" noValidate>
        <div class="field">
          <label for="webhook-url">Endpoint URL</label>
          <input
            id="webhook-url"
            type="url"
            inputMode="url"
            required
            placeholder="https://example.com/webhook"
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
            aria-invalid={error?.field === 'url'}
            aria-describedby={error?.field === 'url' ? 'url-error' : undefined}
            autoFocus
          />
          {fieldError('url')}
        </div>
        <fieldset class="field" aria-describedby={error?.field.startsWith('events') ? 'events-error' : undefined}>
          <legend>Events</legend>
          {catalog.status === 'loading' && <p class="muted">Loading event types…</p>}
          {catalog.status === 'error' && <p class="inline-error">Could not load the event catalog: {describeError(catalog.error)}</p>}
          <div class="event-groups">
            {[...groups].map(([category, types]) => (
              <div class="event-group" key={category}>
                <span class="event-group-name">{category}</span>
                {types.map((type) => (
                  <label class="check" key={type.type}>
                    <input
                      type="checkbox"
                      checked={chosen.has(type.type)}
                      onChange={(e) => {
                        const next = new Set(chosen);
                        if (e.currentTarget.checked) next.add(type.type);
                        else next.delete(type.type);
                        setChosen(next);
                      }}
                    />{' '}
                    <span class="mono">{type.type}</span>
                  </label>
                ))}
              </div>
            ))}
          </div>
          <label for="webhook-patterns">Wildcards (comma-separated, e.g. vision.*, or * for every job event; webhook.* and delivery.* for the service's own)</label>
          <input id="webhook-patterns" class="mono" value={patterns} onInput={(e) => setPatterns(e.currentTarget.value)} />
          {fieldError('events')}
        </fieldset>
        <FilterField
          value={filter}
          onInput={(text) => {
            setFilter(text);
            if (isField('filter')) setError(null); // the error was about the text before
          }}
          events={events}
          error={isField('filter') ? error : null}
        />
        <div class="field">
          <label for="webhook-description">Description (optional)</label>
          <input id="webhook-description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          {fieldError('description')}
        </div>
        <EndpointControlsFields controls={controls} fieldError={fieldError} />
        {otherError && (
          <p class="inline-error" role="alert">
            {error.message}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Saving…' : webhook ? 'Save changes' : 'Create webhook'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
