// Small building blocks shared by the screens: states (loading, empty, error), badges, dialogs, copy, pager.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { AuthenticationError, describeError, type DeliveryStatus, type Webhook } from '../api.js';
import { useSession, type LiveStatus } from '../hooks.js';
import { followLink } from '../router.js';

export function Link(props: { href: string; class?: string; children: ComponentChildren; 'aria-label'?: string; 'aria-current'?: 'page' }) {
  const { href, children, ...rest } = props;
  return (
    <a href={href} onClick={(event) => followLink(event, href)} {...rest}>
      {children}
    </a>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state state-empty">{children}</div>;
}

/** An error with what to do next: try again, or sign out when the key was refused. */
export function ErrorState({ error, retry, what }: { error: unknown; retry?: () => void; what: string }) {
  const { signOut, portal } = useSession();
  // A portal's token refused (expired, revoked): the portal shows its ended page.
  useEffect(() => {
    if (portal && error instanceof AuthenticationError) signOut();
  }, [portal, error]);
  return (
    <div class="state state-error" role="alert">
      <p>
        <strong>Could not load {what}.</strong> {describeError(error)}
      </p>
      <div class="row">
        {retry && (
          <button type="button" onClick={retry}>
            Try again
          </button>
        )}
        {error instanceof AuthenticationError && (
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        )}
      </div>
    </div>
  );
}

export function InlineError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="inline-error" role="alert">
      {describeError(error)}
    </p>
  );
}

/** How a webhook is named on the page: its URL, or for a LISTEN or PULL webhook (which has none) its kind. */
export function webhookName(webhook: Pick<Webhook, 'kind' | 'url' | 'description' | 'id'>): string {
  return webhook.url ?? `${webhook.kind === 'LISTEN' ? 'Listener' : 'Pull'} webhook ${webhook.description ?? webhook.id}`;
}

export function WebhookStatusBadge({ webhook }: { webhook: Webhook }) {
  return webhook.status === 'DISABLED' ? (
    <span class="badge badge-bad">Disabled</span>
  ) : (
    <span class="badge badge-good">Active</span>
  );
}

const DELIVERY_BADGES: Record<DeliveryStatus, string> = {
  SUCCESS: 'badge-good',
  FAILED: 'badge-bad',
  RETRYING: 'badge-warn',
  PENDING: 'badge-neutral',
};

export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  return <span class={`badge ${DELIVERY_BADGES[status]}`}>{status.charAt(0) + status.slice(1).toLowerCase()}</span>;
}

export function LiveIndicator({ live, label = 'Live updates' }: { live: LiveStatus & { restart: () => void }; label?: string }) {
  const text = {
    connecting: 'connecting…',
    live: 'on',
    reconnecting: 'reconnecting…',
    ended: 'finished',
    error: 'stopped',
  }[live.state];
  return (
    <span class={`live live-${live.state}`} role="status" aria-live="polite">
      <span class="live-dot" aria-hidden="true" />
      {label}: {text}
      {live.state === 'error' && (
        <>
          {' '}
          <span class="live-error">({describeError(live.error)})</span>{' '}
          <button type="button" class="link-button" onClick={live.restart}>
            Reconnect
          </button>
        </>
      )}
    </span>
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span class="muted">—</span>;
  const date = new Date(value);
  return (
    <time dateTime={value} title={date.toISOString()}>
      {dateFormat.format(date)}
    </time>
  );
}

/** Copies `text`; the Clipboard API needs a secure context, so plain-http hosts fall back to a selection copy. */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <>
      <button type="button" onClick={async () => setState((await copyText(text)) ? 'copied' : 'failed')}>
        {label}
      </button>
      <span class="copy-state" role="status" aria-live="polite">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select the text and copy it' : ''}
      </span>
    </>
  );
}

/**
 * A modal dialog on the native <dialog>: it keeps focus inside, Escape closes it, and focus returns to the
 * control that opened it.
 */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    const cancel = (event: Event) => {
      event.preventDefault();
      onClose.current();
    };
    dialog.addEventListener('cancel', cancel);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      dialog.close();
      const restore = () => {
        const lost = !document.activeElement || document.activeElement === document.body;
        if (lost && opener?.isConnected) opener.focus();
      };
      restore();
      // Removing the dialog from the page can send focus to <body> after this runs: restore it once more then.
      setTimeout(restore, 0);
    };
  }, []);
  const titleId = `dialog-title-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog ref={ref} class={props.wide ? 'dialog dialog-wide' : 'dialog'} aria-labelledby={titleId}>
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

export function ConfirmDialog(props: {
  title: string;
  children: ComponentChildren;
  confirm: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      {props.children}
      <InlineError error={error} />
      <div class="dialog-actions">
        <button type="button" onClick={props.onClose} autoFocus>
          Cancel
        </button>
        <button
          type="button"
          class={props.danger ? 'danger' : 'primary'}
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              await props.onConfirm();
            } catch (e) {
              setError(e);
              setBusy(false);
            }
          }}
        >
          {busy ? 'Working…' : props.confirm}
        </button>
      </div>
    </Dialog>
  );
}

/** A secret shown once, after create or rotate, with a copy button. */
export function SecretDialog({ secret, title, onClose }: { secret: string; title: string; onClose: () => void }) {
  return (
    <Dialog title={title} onClose={onClose}>
      <p>
        <strong>This is the only time the signing secret is shown.</strong> Store it where your receiver reads it; the
        service keeps it sealed and cannot show it again (rotate the secret if it is lost).
      </p>
      <label for="secret-value">Signing secret</label>
      <div class="secret-row">
        <textarea
          id="secret-value"
          class="mono secret-value"
          readOnly
          rows={2}
          value={secret}
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton text={secret} label="Copy secret" />
      </div>
      <div class="dialog-actions">
        <button type="button" class="primary" onClick={onClose}>
          I stored it
        </button>
      </div>
    </Dialog>
  );
}

export type PageCursor = { after?: string; before?: string };

/** Previous / next over a relay connection. */
export function Pager(props: {
  label: string;
  shown: number;
  total: number;
  offset: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean };
  onPrevious: () => void;
  onNext: () => void;
}) {
  const { shown, total, offset, pageInfo } = props;
  if (total === 0) return null;
  return (
    <nav class="pager" aria-label={`${props.label} pages`}>
      <span>
        {shown === 0 ? 'None' : `${offset + 1}–${offset + shown}`} of {total}
      </span>
      <button type="button" onClick={props.onPrevious} disabled={offset === 0}>
        Previous
      </button>
      <button type="button" onClick={props.onNext} disabled={!pageInfo.hasNextPage}>
        Next
      </button>
    </nav>
  );
}

export function Json({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre class="code" tabIndex={0} aria-label={label}>
      {typeof value === 'string' ? prettyJson(value) : JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** A JSON body pretty-printed; anything else as it is. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
