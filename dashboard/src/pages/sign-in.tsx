// Sign in with a project API key. The key is checked with one call, then kept in this tab's sessionStorage.
import { useState } from 'preact/hooks';
import { AuthenticationError, describeError, newClient } from '../api.js';
import { useBranding } from '../hooks.js';

export function SignIn({ onSignedIn }: { onSignedIn: (key: string) => void }) {
  const { name } = useBranding();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const candidate = key.trim();
    if (!candidate) {
      setError('Enter an API key.');
      return;
    }
    setBusy(true);
    setError(null);
    const client = newClient(candidate);
    try {
      await client.webhooks.list({ first: 1 });
      onSignedIn(candidate);
    } catch (e) {
      setError(e instanceof AuthenticationError ? 'That API key was refused: check it and try again.' : describeError(e));
      setBusy(false);
    } finally {
      void client.close();
    }
  };
  return (
    <main id="main" class="sign-in">
      <form method="post" onSubmit={submit} class="sign-in-card" aria-labelledby="sign-in-title" noValidate>
        <h1 id="sign-in-title">{name}</h1>
        <p class="muted">Sign in with a project API key to manage its webhooks, deliveries and jobs.</p>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          class="mono"
          autoComplete="off"
          spellcheck={false}
          placeholder="aip_…"
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          aria-invalid={error !== null}
          aria-describedby={error ? 'sign-in-error key-help' : 'key-help'}
          autoFocus
        />
        <p id="key-help" class="muted small">
          Kept in this browser tab's session storage only, until you sign out or close the tab.
        </p>
        {error && (
          <p id="sign-in-error" class="inline-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
