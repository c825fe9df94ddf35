// What an operator can do to one webhook: edit, send a test event, enable or disable, rotate its secret, delete.
import { useState } from 'preact/hooks';
import { describeError, type Webhook } from '../api.js';
import { useSession } from '../hooks.js';
import { paths } from '../router.js';
import { useNotify } from './toasts.js';
import { ConfirmDialog, Dialog, InlineError, Link, SecretDialog, webhookName } from './ui.js';
import { WebhookFormDialog } from './webhook-form.js';

type Open = null | 'edit' | 'delete' | 'rotate' | { secret: string };

const GRACE_PERIODS = [
  { seconds: 0, label: 'None: the old secret stops at once' },
  { seconds: 3_600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 604_800, label: '7 days' },
];

export function WebhookActions(props: {
  webhook: Webhook;
  onChanged: (webhook: Webhook) => void;
  onDeleted: () => void;
  /** The list shows a link to the deliveries; the webhook's own page does not need one. */
  showDeliveriesLink?: boolean;
}) {
  const { webhook } = props;
  const { client, can } = useSession();
  const notify = useNotify();
  const [open, setOpen] = useState<Open>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const close = () => setOpen(null);

  const run = async (what: string, action: () => Promise<void>) => {
    setBusy(what);
    try {
      await action();
    } catch (error) {
      notify(`${what} failed: ${describeError(error)}`, 'error');
    } finally {
      setBusy(null);
    }
  };

  const name = webhookName(webhook);
  return (
    <div class="actions">
      {props.showDeliveriesLink && (
        <Link class="button" href={paths.webhook(webhook.id)} aria-label={`Deliveries of ${name}`}>
          Deliveries
        </Link>
      )}
      {/* A read-only credential (a read-only portal link) is offered no change; the server refuses one anyway. */}
      {can('webhooks:write') && (
        <>
          <button type="button" onClick={() => setOpen('edit')} aria-label={`Edit ${name}`}>
            Edit
          </button>
          <button
            type="button"
            disabled={busy !== null}
            aria-label={`Send a test event to ${name}`}
            onClick={() =>
              run('Sending a test event', async () => {
                const delivery = await client.webhooks.test(webhook.id);
                notify(
                  <>
                    Test event sent to {name}.{' '}
                    <Link href={paths.webhook(webhook.id, delivery.id)}>View delivery {delivery.id}</Link>
                  </>,
                );
              })
            }
          >
            {busy === 'Sending a test event' ? 'Sending…' : 'Send test'}
          </button>
          {webhook.status === 'DISABLED' ? (
            <button
              type="button"
              class="primary"
              disabled={busy !== null}
              aria-label={`Enable ${name}`}
              onClick={() =>
                run('Enabling', async () => {
                  props.onChanged(await client.webhooks.enable(webhook.id));
                  notify(`${name} is enabled and receives deliveries again.`);
                })
              }
            >
              {busy === 'Enabling' ? 'Enabling…' : 'Enable'}
            </button>
          ) : (
            <button
              type="button"
              disabled={busy !== null}
              aria-label={`Disable ${name}`}
              onClick={() =>
                run('Disabling', async () => {
                  props.onChanged(await client.webhooks.disable(webhook.id));
                  notify(`${name} is disabled: it receives nothing until enabled.`);
                })
              }
            >
              {busy === 'Disabling' ? 'Disabling…' : 'Disable'}
            </button>
          )}
          <button type="button" onClick={() => setOpen('rotate')} aria-label={`Rotate the secret of ${name}`}>
            Rotate secret
          </button>
          <button type="button" class="danger" onClick={() => setOpen('delete')} aria-label={`Delete ${name}`}>
            Delete
          </button>
        </>
      )}

      {open === 'edit' && (
        <WebhookFormDialog
          webhook={webhook}
          onClose={close}
          onSaved={({ webhook: saved }) => {
            close();
            props.onChanged(saved);
            notify(`Saved ${webhookName(saved)}.`);
          }}
        />
      )}
      {open === 'delete' && (
        <ConfirmDialog
          title="Delete this webhook?"
          confirm="Delete webhook"
          danger
          onClose={close}
          onConfirm={async () => {
            await client.webhooks.delete(webhook.id);
            close();
            notify(`Deleted ${name}.`);
            props.onDeleted();
          }}
        >
          <p>
            <span class="mono break">{name}</span> stops receiving events at once, and its delivery history goes with it.
            This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
      {open === 'rotate' && (
        <RotateDialog
          webhook={webhook}
          onClose={close}
          onRotated={(secret, rotated) => {
            props.onChanged(rotated);
            setOpen({ secret });
          }}
        />
      )}
      {open !== null && typeof open === 'object' && <SecretDialog title="New signing secret" secret={open.secret} onClose={close} />}
    </div>
  );
}

function RotateDialog(props: { webhook: Webhook; onClose: () => void; onRotated: (secret: string, webhook: Webhook) => void }) {
  const { client } = useSession();
  const [grace, setGrace] = useState(86_400);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Dialog title="Rotate the signing secret?" onClose={props.onClose}>
      <form
        method="post"
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const { secret, webhook } = await client.webhooks.rotateSecret(props.webhook.id, { gracePeriodSeconds: grace });
            props.onRotated(secret, webhook);
          } catch (e) {
            setError(e);
            setBusy(false);
          }
        }}
      >
        <p>
          A new secret signs every delivery to <span class="mono break">{webhookName(props.webhook)}</span>. During the grace
          period deliveries carry a signature made with the old secret too, so the receiver can switch without
          refusing any.
        </p>
        <label for="grace-period">Grace period</label>
        <select id="grace-period" value={grace} onChange={(e) => setGrace(Number(e.currentTarget.value))}>
          {GRACE_PERIODS.map((g) => (
            <option key={g.seconds} value={g.seconds}>
              {g.label}
            </option>
          ))}
        </select>
        <InlineError error={error} />
        <div class="dialog-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Rotating…' : 'Rotate secret'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
