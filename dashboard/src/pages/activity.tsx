// The project's activity: the event log (every event published, newest first, by type and job; each can be sent
// again) and every delivery across webhooks (newest first, by status), each leading to its webhook's delivery view.
import { useState } from 'preact/hooks';
import { describeError, type Delivery, type DeliveryStatus, type Event } from '../api.js';
import { useNotify } from '../components/toasts.js';
import { DeliveryStatusBadge, Empty, ErrorState, Link, Loading, Pager, Time } from '../components/ui.js';
import { useAsync, useSession } from '../hooks.js';
import { paths } from '../router.js';

const PAGE_SIZE = 20;
const STATUSES: DeliveryStatus[] = ['PENDING', 'SUCCESS', 'RETRYING', 'FAILED'];

export function ActivityPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Activity
      </h1>
      <div class="activity">
        <EventLog />
        <AllDeliveries />
      </div>
    </section>
  );
}

/** Cursor paging of a newest-first list: the cursors of the pages before, so Previous goes back. */
function useCursors() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return {
    after: cursors[cursors.length - 1],
    offset: (cursors.length - 1) * PAGE_SIZE,
    first: () => setCursors([undefined]),
    previous: () => setCursors((c) => c.slice(0, -1)),
    next: (cursor: string | null) => cursor && setCursors((c) => [...c, cursor]),
  };
}

function EventLog() {
  const { client, can } = useSession();
  const notify = useNotify();
  const catalog = useAsync(() => client.eventTypes(), [client]);
  const [type, setType] = useState('');
  const [jobId, setJobId] = useState('');
  const cursors = useCursors();
  const log = useAsync(
    () =>
      client.events.list({
        first: PAGE_SIZE,
        ...(cursors.after ? { after: cursors.after } : {}),
        ...(type ? { type } : {}),
        ...(jobId.trim() ? { jobId: jobId.trim() } : {}),
      }),
    [client, cursors.after, type, jobId],
  );
  const [replaying, setReplaying] = useState<string | null>(null);

  const replay = async (event: Event) => {
    setReplaying(event.id);
    try {
      const { deliveryCount } = await client.events.replay(event.id);
      notify(`${event.type} sent again to ${deliveryCount} webhook${deliveryCount === 1 ? '' : 's'}.`);
    } catch (error) {
      notify(`Sending ${event.id} again failed: ${describeError(error)}`, 'error');
    } finally {
      setReplaying(null);
    }
  };

  return (
    <section class="event-log" aria-labelledby="event-log-title">
      <h2 id="event-log-title">Event log</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter events">
        <div class="field">
          <label for="log-type">Event type</label>
          <select
            id="log-type"
            value={type}
            onChange={(e) => {
              setType(e.currentTarget.value);
              cursors.first();
            }}
          >
            <option value="">Any event type</option>
            {(catalog.data ?? []).map((e) => (
              <option key={e.type} value={e.type}>
                {e.type}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="log-job">Job id</label>
          <input
            id="log-job"
            type="search"
            value={jobId}
            onChange={(e) => {
              setJobId(e.currentTarget.value);
              cursors.first();
            }}
          />
        </div>
      </form>
      {log.status === 'loading' && !log.data && <Loading what="the event log" />}
      {log.status === 'error' && <ErrorState what="the event log" error={log.error} retry={log.reload} />}
      {log.data && log.data.nodes.length === 0 && (
        <Empty>
          <p>No events{type || jobId ? ' match these filters' : ' yet'}.</p>
        </Empty>
      )}
      {log.data && log.data.nodes.length > 0 && (
        <>
          <table class="table events-table" aria-busy={log.status === 'loading'}>
            <caption class="visually-hidden">Events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Job</th>
                <th scope="col">Published</th>
                {can('deliveries:write') && (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {log.data.nodes.map((event) => (
                <tr key={event.id} data-event-id={event.id}>
                  <td data-label="Event">
                    <span class="mono">{event.type}</span>
                    <div class="muted small mono">{event.id}</div>
                  </td>
                  <td data-label="Job">
                    {/* Operational events (webhook.*, delivery.*) are about no job. */}
                    {typeof event.data.job_id === 'string' ? (
                      <Link href={paths.jobs(event.data.job_id)} class="mono">
                        {event.data.job_id}
                      </Link>
                    ) : (
                      <span class="muted">none</span>
                    )}
                  </td>
                  <td data-label="Published">
                    <Time value={event.timestamp} />
                  </td>
                  {can('deliveries:write') && (
                    <td data-label="Actions">
                      <button
                        type="button"
                        disabled={replaying !== null}
                        aria-label={`Send ${event.id} again`}
                        onClick={() => void replay(event)}
                      >
                        {replaying === event.id ? 'Sending…' : 'Send again'}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Event log pages">
            <button type="button" onClick={cursors.previous} disabled={cursors.offset === 0}>
              Previous
            </button>
            <button type="button" onClick={() => cursors.next(log.data!.pageInfo.endCursor)} disabled={!log.data.pageInfo.hasNextPage}>
              Next
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

function AllDeliveries() {
  const { client } = useSession();
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const cursors = useCursors();
  const list = useAsync(
    () =>
      client.deliveries.listAll({
        first: PAGE_SIZE,
        ...(cursors.after ? { after: cursors.after } : {}),
        ...(status ? { status } : {}),
      }),
    [client, cursors.after, status],
  );
  return (
    <section class="all-deliveries" aria-labelledby="all-deliveries-title">
      <h2 id="all-deliveries-title">All deliveries</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter all deliveries">
        <div class="field">
          <label for="all-status">Status</label>
          <select
            id="all-status"
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value as DeliveryStatus | '');
              cursors.first();
            }}
          >
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.charAt(0) + s.slice(1).toLowerCase()}
              </option>
            ))}
          </select>
        </div>
      </form>
      {list.status === 'loading' && !list.data && <Loading what="deliveries" />}
      {list.status === 'error' && <ErrorState what="deliveries" error={list.error} retry={list.reload} />}
      {list.data && list.data.nodes.length === 0 && (
        <Empty>
          <p>No deliveries{status ? ' with this status' : ' yet'}.</p>
        </Empty>
      )}
      {list.data && list.data.nodes.length > 0 && (
        <>
          <table class="table all-deliveries-table" aria-busy={list.status === 'loading'}>
            <caption class="visually-hidden">Deliveries across webhooks, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Webhook</th>
                <th scope="col">Status</th>
                <th scope="col">Last attempt</th>
              </tr>
            </thead>
            <tbody>
              {list.data.nodes.map((delivery: Delivery) => (
                <tr key={delivery.id} data-delivery-id={delivery.id}>
                  <td data-label="Event">
                    <span class="mono">{delivery.eventType}</span>
                    <div class="muted small mono">{delivery.id}</div>
                  </td>
                  <td data-label="Webhook">
                    <Link href={paths.webhook(delivery.webhook.id, delivery.id)} class="mono break" aria-label={`View delivery ${delivery.id}`}>
                      {delivery.webhook.url}
                    </Link>
                  </td>
                  <td data-label="Status">
                    <DeliveryStatusBadge status={delivery.status} />
                    {delivery.statusCode !== null && <span class="mono"> {delivery.statusCode}</span>}
                  </td>
                  <td data-label="Last attempt">
                    <Time value={delivery.timestamp} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label="All deliveries"
            shown={list.data.nodes.length}
            total={list.data.totalCount}
            offset={cursors.offset}
            pageInfo={list.data.pageInfo}
            onPrevious={cursors.previous}
            onNext={() => cursors.next(list.data!.pageInfo.endCursor)}
          />
        </>
      )}
    </section>
  );
}
