// Every webhook of the project: where it points, what it receives, whether it is healthy, and what to do with it.
import { useState } from 'preact/hooks';
import type { Delivery, StatsWindow, Webhook } from '../api.js';
import { useAsync, useSession } from '../hooks.js';
import { paths } from '../router.js';
import { WebhookActions } from '../components/webhook-actions.js';
import { WebhookFormDialog } from '../components/webhook-form.js';
import { StatsWindowPicker, SuccessRate, useWebhookStats, windowShort } from '../components/webhook-stats.js';
import {
  DeliveryStatusBadge,
  Empty,
  ErrorState,
  Link,
  Loading,
  Pager,
  SecretDialog,
  Time,
  WebhookStatusBadge,
  webhookName,
} from '../components/ui.js';

const PAGE_SIZE = 20;

export function WebhooksPage() {
  const { client, can } = useSession();
  const writable = can('webhooks:write');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const after = cursors[cursors.length - 1];
  const list = useAsync(() => client.webhooks.list({ first: PAGE_SIZE, ...(after ? { after } : {}) }), [client, after]);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [window, setWindow] = useState<StatsWindow>('DAY');

  const replace = (changed: Webhook) =>
    list.update((page) => ({ ...page, nodes: page.nodes.map((w) => (w.id === changed.id ? changed : w)) }));

  return (
    <section aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Webhooks
        </h1>
        <div class="row">
          <StatsWindowPicker value={window} onChange={setWindow} />
          <button type="button" onClick={list.reload} disabled={list.status === 'loading'}>
            Refresh
          </button>
          {writable && (
            <button type="button" class="primary" onClick={() => setCreating(true)}>
              New webhook
            </button>
          )}
        </div>
      </div>

      {list.status === 'loading' && !list.data && <Loading what="webhooks" />}
      {list.status === 'error' && <ErrorState what="webhooks" error={list.error} retry={list.reload} />}
      {list.data && list.data.totalCount === 0 && (
        <Empty>
          <p>
            <strong>No webhooks yet.</strong>{' '}
            {writable
              ? 'Create one to receive signed POSTs when jobs are submitted, progress or finish.'
              : 'Webhooks receive signed POSTs when jobs are submitted, progress or finish.'}
          </p>
          {writable && (
            <button type="button" class="primary" onClick={() => setCreating(true)}>
              Create your first webhook
            </button>
          )}
        </Empty>
      )}
      {list.data && list.data.nodes.length > 0 && (
        <>
          <table class="table webhooks-table" aria-busy={list.status === 'loading'}>
            <caption class="visually-hidden">Webhooks, newest first</caption>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Status</th>
                <th scope="col">Last delivery</th>
                <th scope="col">
                  Success rate <span class="muted">({windowShort(window)})</span>
                </th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.nodes.map((webhook) => (
                <WebhookRow key={webhook.id} webhook={webhook} window={window} onChanged={replace} onDeleted={list.reload} />
              ))}
            </tbody>
          </table>
          <Pager
            label="Webhooks"
            shown={list.data.nodes.length}
            total={list.data.totalCount}
            offset={(cursors.length - 1) * PAGE_SIZE}
            pageInfo={list.data.pageInfo}
            onPrevious={() => setCursors((c) => c.slice(0, -1))}
            onNext={() => list.data?.pageInfo.endCursor && setCursors((c) => [...c, list.data!.pageInfo.endCursor!])}
          />
        </>
      )}

      {creating && (
        <WebhookFormDialog
          onClose={() => setCreating(false)}
          onSaved={(result) => {
            setCreating(false);
            if (result.secret) setSecret(result.secret);
            setCursors([undefined]);
            list.reload();
          }}
        />
      )}
      {secret && <SecretDialog title="Webhook created" secret={secret} onClose={() => setSecret(null)} />}
    </section>
  );
}

function WebhookRow({
  webhook,
  window,
  onChanged,
  onDeleted,
}: {
  webhook: Webhook;
  window: StatsWindow;
  onChanged: (w: Webhook) => void;
  onDeleted: () => void;
}) {
  const disabled = webhook.status === 'DISABLED';
  return (
    <tr class={disabled ? 'row-disabled' : undefined} data-webhook-id={webhook.id}>
      <td data-label="URL">
        <Link href={paths.webhook(webhook.id)} class="mono break">
          {webhookName(webhook)}
        </Link>
        {webhook.description && <div class="muted">{webhook.description}</div>}
      </td>
      <td data-label="Events">
        <ul class="chips" aria-label="Events">
          {webhook.events.map((e) => (
            <li key={e} class="chip mono">
              {e}
            </li>
          ))}
        </ul>
      </td>
      <td data-label="Status">
        <WebhookStatusBadge webhook={webhook} />
        {disabled && (
          <p class="disabled-reason">
            {webhook.disabledReason ?? 'Disabled'}
            {webhook.disabledAt && (
              <>
                {' '}
                · <Time value={webhook.disabledAt} />
              </>
            )}
          </p>
        )}
      </td>
      <DeliveryHealth webhook={webhook} window={window} />
      <td data-label="Actions">
        <WebhookActions webhook={webhook} onChanged={onChanged} onDeleted={onDeleted} showDeliveriesLink />
      </td>
    </tr>
  );
}

/** The newest delivery's outcome, and the success rate over the window as the server counts it (Webhook.stats). */
function DeliveryHealth({ webhook, window }: { webhook: Webhook; window: StatsWindow }) {
  const { client } = useSession();
  // Reloaded when the webhook changes (enabled, edited), as its health may have too.
  const recent = useAsync(() => client.deliveries.list(webhook.id, { first: 1 }), [client, webhook.id, webhook.updatedAt]);
  const stats = useWebhookStats(webhook.id, window, webhook.updatedAt);
  if (recent.status === 'error' || stats.status === 'error') {
    return (
      <td data-label="Last delivery" colSpan={2} class="muted">
        Unavailable{' '}
        <button
          type="button"
          class="link-button"
          onClick={() => {
            recent.reload();
            stats.reload();
          }}
        >
          retry
        </button>
      </td>
    );
  }
  const last: Delivery | undefined = recent.data?.nodes[0];
  return (
    <>
      <td data-label="Last delivery">
        {!recent.data ? (
          <span class="muted">…</span>
        ) : last ? (
          <>
            <DeliveryStatusBadge status={last.status} />
            {last.statusCode !== null && <span class="mono"> {last.statusCode}</span>}
            <div class="muted small">
              <span class="mono">{last.eventType}</span> · <Time value={last.timestamp} />
            </div>
          </>
        ) : (
          <span class="muted">None yet</span>
        )}
      </td>
      <td data-label="Success rate">
        {stats.data ? (
          <>
            <SuccessRate stats={stats.data} />
            {stats.data.attempts > 0 && <div class="muted small">{stats.data.attempts} attempts</div>}
          </>
        ) : (
          <span class="muted">…</span>
        )}
      </td>
    </>
  );
}
