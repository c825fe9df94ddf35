// A webhook's stats as the server keeps them (Webhook.stats: attempts, success rate, p50/p95 response times, the
// failure streak, the last success and failure) over a window the operator picks; nothing is computed here.
import type { StatsWindow, WebhookStats } from '../api.js';
import { useAsync, useSession } from '../hooks.js';
import { Time } from './ui.js';

export const STATS_WINDOWS: { value: StatsWindow; label: string; short: string }[] = [
  { value: 'HOUR', label: 'Last hour', short: '1 h' },
  { value: 'DAY', label: 'Last 24 hours', short: '24 h' },
  { value: 'WEEK', label: 'Last 7 days', short: '7 d' },
];

export const windowShort = (window: StatsWindow) => STATS_WINDOWS.find((w) => w.value === window)!.short;

/** Below this success rate, the rate shows as bad. */
const GOOD_RATE = 0.9;

export function StatsWindowPicker({ value, onChange }: { value: StatsWindow; onChange: (window: StatsWindow) => void }) {
  return (
    <label class="stats-window">
      Stats over{' '}
      <select value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value as StatsWindow)}>
        {STATS_WINDOWS.map((w) => (
          <option key={w.value} value={w.value}>
            {w.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The webhook's stats over the window, loaded again when the window or the webhook changes. */
export function useWebhookStats(webhookId: string, window: StatsWindow, version: unknown) {
  const { client } = useSession();
  return useAsync(() => client.webhooks.stats(webhookId, window), [client, webhookId, window, version]);
}

export function SuccessRate({ stats }: { stats: WebhookStats }) {
  if (stats.successRate === null) return <span class="muted">No attempts</span>;
  const percent = Math.round(stats.successRate * 1000) / 10;
  return (
    <span class={stats.successRate < GOOD_RATE ? 'rate rate-bad' : 'rate'} title={`${stats.successes} of ${stats.attempts} attempts succeeded`}>
      {percent}%
    </span>
  );
}

const ms = (value: number | null) => (value === null ? '—' : `${value} ms`);

/** Every figure of the stats, for the webhook's page. */
export function WebhookStatsPanel({ webhookId, window, onWindow, version }: {
  webhookId: string;
  window: StatsWindow;
  onWindow: (window: StatsWindow) => void;
  /** Changes when the stats may have (a delivery was attempted). */
  version: unknown;
}) {
  const stats = useWebhookStats(webhookId, window, version);
  return (
    <section class="webhook-stats" aria-labelledby="stats-title" aria-busy={stats.status === 'loading'}>
      <div class="row">
        <h2 id="stats-title">Stats</h2>
        <StatsWindowPicker value={window} onChange={onWindow} />
      </div>
      {stats.status === 'error' && (
        <p class="muted" role="alert">
          Stats unavailable.{' '}
          <button type="button" class="link-button" onClick={stats.reload}>
            Retry
          </button>
        </p>
      )}
      {stats.data && (
        <dl class="facts" aria-label={`Stats, ${STATS_WINDOWS.find((w) => w.value === window)!.label.toLowerCase()}`}>
          <div>
            <dt>Attempts</dt>
            <dd>
              {stats.data.attempts} <span class="muted">({stats.data.failures} failed)</span>
            </dd>
          </div>
          <div>
            <dt>Success rate</dt>
            <dd>
              <SuccessRate stats={stats.data} />
            </dd>
          </div>
          <div>
            <dt>Response time p50 / p95</dt>
            <dd title="Within 12%">
              {ms(stats.data.p50ResponseTimeMs)} / {ms(stats.data.p95ResponseTimeMs)}
            </dd>
          </div>
          <div>
            <dt>Consecutive failures</dt>
            <dd class={stats.data.consecutiveFailures > 0 ? 'rate-bad' : undefined}>{stats.data.consecutiveFailures}</dd>
          </div>
          <div>
            <dt>Last success</dt>
            <dd>
              <Time value={stats.data.lastSuccessAt} />
            </dd>
          </div>
          <div>
            <dt>Last failure</dt>
            <dd>
              <Time value={stats.data.lastFailureAt} />
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}
