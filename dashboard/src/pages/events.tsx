// The event catalog: every event type a webhook can subscribe to, what it means and an example payload.
import { useState } from 'preact/hooks';
import { Empty, ErrorState, Json, Loading } from '../components/ui.js';
import { useAsync, useSession } from '../hooks.js';

export function EventsPage() {
  const { client } = useSession();
  const catalog = useAsync(() => client.eventTypes(), [client]);
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const shown = (catalog.data ?? []).filter(
    (e) => !needle || e.type.toLowerCase().includes(needle) || e.description.toLowerCase().includes(needle),
  );
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Event catalog
      </h1>
      <p class="muted">
        Subscribe a webhook to a type, to a whole category with a wildcard such as <span class="mono">vision.*</span>, or
        to everything with <span class="mono">*</span>. Each delivery's body is{' '}
        <span class="mono">{'{ event_id, event_type, timestamp, data, retry_count }'}</span>, with the example below as{' '}
        <span class="mono">data</span>.
      </p>
      <div class="field filter-field">
        <label for="event-filter">Filter event types</label>
        <input id="event-filter" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
      </div>
      {catalog.status === 'loading' && !catalog.data && <Loading what="the event catalog" />}
      {catalog.status === 'error' && <ErrorState what="the event catalog" error={catalog.error} retry={catalog.reload} />}
      {catalog.data && shown.length === 0 && (
        <Empty>
          <p>No event type matches “{filter}”.</p>
        </Empty>
      )}
      <ul class="catalog">
        {shown.map((event) => (
          <li key={event.type} class="catalog-entry" data-event-type={event.type}>
            <h2 class="mono">{event.type}</h2>
            <p>{event.description}</p>
            <Json value={event.example} label={`Example data of ${event.type}`} />
          </li>
        ))}
      </ul>
    </section>
  );
}
