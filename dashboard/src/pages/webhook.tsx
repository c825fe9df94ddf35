// One webhook: its settings and actions, its health (live), and its deliveries (filterable, paginated, updated live), with the
// selected delivery's attempts beside them; below, the recovery of a window's deliveries.
import { EndpointControlsFacts } from '../components/endpoint-controls.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { NotFoundError, type Delivery, type DeliveryStatus, type Page, type StatsWindow, type Webhook } from '../api.js';
import { DeliveryDetail } from '../components/delivery-detail.js';
import {
  DeliveryStatusBadge,
  Empty,
  ErrorState,
  Link,
  LiveIndicator,
  Loading,
  Pager,
  Time,
  WebhookStatusBadge,
  webhookName,
} from '../components/ui.js';
import { RecoverDeliveries } from '../components/recover-deliveries.js';
import { WebhookActions } from '../components/webhook-actions.js';
import { WebhookHealth } from '../components/webhook-health.js';
import { WebhookStatsPanel } from '../components/webhook-stats.js';
import { useAsync, useLive, useSession } from '../hooks.js';
import { navigate, paths } from '../router.js';

const PAGE_SIZE = 20;
/** Live attempts reload the stats at most this often. */
const STATS_REFRESH_MS = 1000;
const STATUSES: DeliveryStatus[] = ['PENDING', 'SUCCESS', 'RETRYING', 'FAILED'];

export function WebhookPage({ id, deliveryId }: { id: string; deliveryId: string | null }) {
  const { client, can } = useSession();
  const webhook = useAsync(() => client.webhooks.get(id), [client, id]);
  const [statsWindow, setStatsWindow] = useState<StatsWindow>('DAY');
  const [statsVersion, setStatsVersion] = useState(0);
  const statsRefresh = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(statsRefresh.current ?? undefined), []);
  /** A delivery changed live: its attempt is in the stats, read again shortly (once for a burst). */
  const onAttempted = () => {
    statsRefresh.current ??= setTimeout(() => {
      statsRefresh.current = null;
      setStatsVersion((v) => v + 1);
    }, STATS_REFRESH_MS);
  };

  return (
    <section aria-labelledby="page-title">
      <p class="breadcrumb">
        <Link href={paths.webhooks()}>← Webhooks</Link>
      </p>
      {webhook.status === 'loading' && !webhook.data && (
        <>
          <h1 id="page-title" tabIndex={-1}>
            Webhook
          </h1>
          <Loading what="the webhook" />
        </>
      )}
      {webhook.status === 'error' &&
        (webhook.error instanceof NotFoundError ? (
          <>
            <h1 id="page-title" tabIndex={-1}>
              Webhook not found
            </h1>
            <Empty>
              <p>
                There is no webhook <span class="mono">{id}</span> in this project. It may have been deleted.
              </p>
              <Link href={paths.webhooks()}>Back to the webhooks</Link>
            </Empty>
          </>
        ) : (
          <>
            <h1 id="page-title" tabIndex={-1}>
              Webhook
            </h1>
            <ErrorState what="the webhook" error={webhook.error} retry={webhook.reload} />
          </>
        ))}
      {webhook.data && (
        <>
          <WebhookHeader
            webhook={webhook.data}
            onChanged={(changed) => webhook.update(() => changed)}
            onDeleted={() => navigate(paths.webhooks())}
          />
          <WebhookHealth webhookId={id} onDisabled={webhook.reload} />
          <WebhookStatsPanel webhookId={id} window={statsWindow} onWindow={setStatsWindow} version={`${statsVersion} ${webhook.data.updatedAt}`} />
          <Deliveries webhookId={id} deliveryId={deliveryId} onWebhookStale={webhook.reload} onAttempted={onAttempted} />
          {can('deliveries:write') && <RecoverDeliveries webhookId={id} />}
        </>
      )}
    </section>
  );
}

function WebhookHeader({ webhook, onChanged, onDeleted }: { webhook: Webhook; onChanged: (w: Webhook) => void; onDeleted: () => void }) {
  const { can } = useSession();
  return (
    <header class="webhook-head">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1} class="mono break">
          {webhookName(webhook)}
        </h1>
        <WebhookStatusBadge webhook={webhook} />
      </div>
      {webhook.status === 'DISABLED' && (
        <div class="callout callout-bad webhook-disabled">
          <strong>Disabled:</strong> {webhook.disabledReason ?? 'no reason recorded'}
          {webhook.disabledAt && (
            <>
              {' '}
              (<Time value={webhook.disabledAt} />)
            </>
          )}
          . It receives no deliveries until it is enabled{can('deliveries:write') ? '; failed deliveries can be retried below' : ''}.
        </div>
      )}
      <dl class="facts webhook-facts">
        <div>
          <dt>Events</dt>
          <dd>
            <ul class="chips">
              {webhook.events.map((e) => (
                <li key={e} class="chip mono">
                  {e}
                </li>
              ))}
            </ul>
          </dd>
        </div>
        {webhook.filter != null && (
          <div>
            <dt>Payload filter</dt>
            <dd class="mono" data-fact="filter">
              {JSON.stringify(webhook.filter)}
            </dd>
          </div>
        )}
        {webhook.description && (
          <div>
            <dt>Description</dt>
            <dd>{webhook.description}</dd>
          </div>
        )}
        <EndpointControlsFacts webhook={webhook} />
        <div>
          <dt>Id</dt>
          <dd class="mono">{webhook.id}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <Time value={webhook.createdAt} />
          </dd>
        </div>
      </dl>
      <WebhookActions webhook={webhook} onChanged={onChanged} onDeleted={onDeleted} />
    </header>
  );
}

type Filters = { status: DeliveryStatus | ''; eventType: string };

const matches = (delivery: Delivery, filters: Filters) =>
  (!filters.status || delivery.status === filters.status) && (!filters.eventType || delivery.eventType === filters.eventType);

function Deliveries({
  webhookId,
  deliveryId,
  onWebhookStale,
  onAttempted,
}: {
  webhookId: string;
  deliveryId: string | null;
  onWebhookStale: () => void;
  onAttempted: () => void;
}) {
  const { client, can } = useSession();
  const catalog = useAsync(() => client.eventTypes(), [client]);
  const [filters, setFilters] = useState<Filters>({ status: '', eventType: '' });
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const after = cursors[cursors.length - 1];
  const list = useAsync(
    () =>
      client.deliveries.list(webhookId, {
        first: PAGE_SIZE,
        ...(after ? { after } : {}),
        ...(filters.status ? { status: filters.status } : {}),
        ...(filters.eventType ? { eventType: filters.eventType } : {}),
      }),
    [client, webhookId, after, filters.status, filters.eventType],
  );
  // Bumped when a live update concerns the open delivery, so its attempts are read again.
  const [detailVersion, setDetailVersion] = useState(0);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const view = useRef({ filters, firstPage: cursors.length === 1, deliveryId });
  view.current = { filters, firstPage: cursors.length === 1, deliveryId };

  const live = useLive(
    (liveClient) => liveClient.subscribe.deliveryUpdates(webhookId),
    (delivery) => {
      const { filters: current, firstPage } = view.current;
      let changed = true;
      list.update((page: Page<Delivery>) => {
        const shown = page.nodes.find((d) => d.id === delivery.id);
        if (shown) {
          changed = shown.status !== delivery.status || shown.attemptCount !== delivery.attemptCount;
          return { ...page, nodes: page.nodes.map((d) => (d.id === delivery.id ? delivery : d)) };
        }
        if (!firstPage || !matches(delivery, current)) return page;
        return { ...page, nodes: [delivery, ...page.nodes], totalCount: page.totalCount + 1 };
      });
      // Highlight what changed (not the newest delivery the subscription repeats when it starts).
      if (changed) {
        setFresh((ids) => new Set(ids).add(delivery.id));
        onAttempted();
      }
      if (delivery.id === view.current.deliveryId) setDetailVersion((v) => v + 1);
      // A give-up disables the webhook: show it.
      if (delivery.status === 'FAILED') onWebhookStale();
    },
    [webhookId],
  );

  useEffect(() => {
    if (fresh.size === 0) return;
    const timer = setTimeout(() => setFresh(new Set()), 2000);
    return () => clearTimeout(timer);
  }, [fresh]);

  const setFilter = (change: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...change }));
    setCursors([undefined]);
  };
  const filtered = filters.status !== '' || filters.eventType !== '';
  const eventTypes = [...new Set([...(catalog.data ?? []).map((e) => e.type), filters.eventType].filter(Boolean))];

  return (
    <div class={deliveryId ? 'deliveries with-detail' : 'deliveries'}>
      <section class="deliveries-list" aria-labelledby="deliveries-title">
        <div class="section-head">
          <h2 id="deliveries-title">Deliveries</h2>
          <LiveIndicator live={live} />
        </div>
        <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter deliveries">
          <div class="field">
            <label for="filter-status">Status</label>
            <select id="filter-status" value={filters.status} onChange={(e) => setFilter({ status: e.currentTarget.value as Filters['status'] })}>
              <option value="">Any status</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s.charAt(0) + s.slice(1).toLowerCase()}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="filter-event-type">Event type</label>
            <select id="filter-event-type" value={filters.eventType} onChange={(e) => setFilter({ eventType: e.currentTarget.value })}>
              <option value="">Any event type</option>
              {eventTypes.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
          {filtered && (
            <button type="button" onClick={() => setFilter({ status: '', eventType: '' })}>
              Clear filters
            </button>
          )}
        </form>

        {list.status === 'loading' && !list.data && <Loading what="deliveries" />}
        {list.status === 'error' && <ErrorState what="deliveries" error={list.error} retry={list.reload} />}
        {list.data && list.data.nodes.length === 0 && (
          <Empty>
            {filtered ? (
              <p>No deliveries match these filters.</p>
            ) : (
              <p>
                <strong>No deliveries yet.</strong> They appear here as soon as an event this webhook subscribes to is
                published{can('webhooks:write') ? '; use “Send test” to send one now' : ''}.
              </p>
            )}
          </Empty>
        )}
        {list.data && list.data.nodes.length > 0 && (
          <>
            <table class="table deliveries-table" aria-busy={list.status === 'loading'}>
              <caption class="visually-hidden">Deliveries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Response time</th>
                  <th scope="col">Last attempt</th>
                  <th scope="col">
                    <span class="visually-hidden">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.nodes.map((delivery) => (
                  <tr
                    key={delivery.id}
                    data-delivery-id={delivery.id}
                    class={[delivery.id === deliveryId ? 'selected' : '', fresh.has(delivery.id) ? 'fresh' : ''].join(' ').trim() || undefined}
                    aria-current={delivery.id === deliveryId ? 'true' : undefined}
                  >
                    <td data-label="Event">
                      <span class="mono">{delivery.eventType}</span>
                      <div class="muted small mono">{delivery.id}</div>
                    </td>
                    <td data-label="Status">
                      <DeliveryStatusBadge status={delivery.status} />
                      {delivery.statusCode !== null && <span class="mono"> {delivery.statusCode}</span>}
                      {delivery.status === 'RETRYING' && delivery.nextAttemptAt && (
                        <div class="muted small">
                          next <Time value={delivery.nextAttemptAt} />
                        </div>
                      )}
                      {delivery.status === 'FAILED' && delivery.attemptCount === 0 && (
                        <div class="muted small">not sent: webhook disabled</div>
                      )}
                    </td>
                    <td data-label="Attempts">{delivery.attemptCount}</td>
                    <td data-label="Response time">{delivery.responseTimeMs === null ? '—' : `${delivery.responseTimeMs} ms`}</td>
                    <td data-label="Last attempt">
                      <Time value={delivery.timestamp} />
                    </td>
                    <td data-label="Details">
                      <Link href={paths.webhook(webhookId, delivery.id)} class="button" aria-label={`View delivery ${delivery.id}`}>
                        View
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager
              label="Deliveries"
              shown={list.data.nodes.length}
              total={list.data.totalCount}
              offset={(cursors.length - 1) * PAGE_SIZE}
              pageInfo={list.data.pageInfo}
              onPrevious={() => setCursors((c) => c.slice(0, -1))}
              onNext={() => list.data?.pageInfo.endCursor && setCursors((c) => [...c, list.data!.pageInfo.endCursor!])}
            />
          </>
        )}
      </section>
      {deliveryId && (
        <DeliveryDetail
          key={deliveryId}
          id={deliveryId}
          version={detailVersion}
          onClose={() => navigate(paths.webhook(webhookId))}
          onRetried={(delivery) =>
            list.update((page) => ({ ...page, nodes: page.nodes.map((d) => (d.id === delivery.id ? delivery : d)) }))
          }
        />
      )}
    </div>
  );
}
