// Accuracy and loss per round as a small inline SVG line chart, with the numbers in a table beside it.
export type Round = { round: number; accuracy: number | null; loss: number | null };

const W = 640;
const H = 260;
const PAD = { left: 44, right: 44, top: 16, bottom: 36 };

export function TrainingChart({ rounds, totalRounds }: { rounds: Round[]; totalRounds: number | null }) {
  const lastRound = Math.max(totalRounds ?? 0, ...rounds.map((r) => r.round), 1);
  const firstRound = Math.min(...rounds.map((r) => r.round), 1);
  const accuracyMax = Math.max(1, ...rounds.map((r) => r.accuracy ?? 0));
  const lossMax = Math.max(...rounds.map((r) => r.loss ?? 0), 0) || 1;
  const x = (round: number) =>
    PAD.left + (lastRound === firstRound ? 0.5 : (round - firstRound) / (lastRound - firstRound)) * (W - PAD.left - PAD.right);
  const y = (value: number, max: number) => PAD.top + (1 - value / max) * (H - PAD.top - PAD.bottom);
  const line = (pick: (r: Round) => number | null, max: number) =>
    rounds
      .filter((r) => pick(r) !== null)
      .map((r) => `${x(r.round).toFixed(1)},${y(pick(r)!, max).toFixed(1)}`)
      .join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const roundTicks = [...new Set([firstRound, Math.round((firstRound + lastRound) / 2), lastRound])];
  const last = rounds[rounds.length - 1];
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title chart-desc" class="chart-svg">
        <title id="chart-title">Accuracy and loss per round</title>
        <desc id="chart-desc">
          {`${rounds.length} rounds reported${last ? `; round ${last.round}: accuracy ${last.accuracy ?? 'unknown'}, loss ${last.loss ?? 'unknown'}` : ''}.`}
        </desc>
        {ticks.map((t) => (
          <g key={t}>
            <line class="grid" x1={PAD.left} x2={W - PAD.right} y1={y(t, 1)} y2={y(t, 1)} />
            <text class="axis axis-accuracy" x={PAD.left - 6} y={y(t, 1) + 4} text-anchor="end">
              {(t * accuracyMax).toFixed(2)}
            </text>
            <text class="axis axis-loss" x={W - PAD.right + 6} y={y(t, 1) + 4} text-anchor="start">
              {(t * lossMax).toFixed(2)}
            </text>
          </g>
        ))}
        {roundTicks.map((r) => (
          <text key={r} class="axis" x={x(r)} y={H - PAD.bottom + 18} text-anchor="middle">
            {r}
          </text>
        ))}
        <text class="axis" x={W / 2} y={H - 4} text-anchor="middle">
          round
        </text>
        <polyline class="series-accuracy" points={line((r) => r.accuracy, accuracyMax)} />
        <polyline class="series-loss" points={line((r) => r.loss, lossMax)} />
        {rounds.map((r) => (
          <g key={r.round}>
            {r.accuracy !== null && <circle class="dot-accuracy" cx={x(r.round)} cy={y(r.accuracy, accuracyMax)} r={4} />}
            {r.loss !== null && <circle class="dot-loss" cx={x(r.round)} cy={y(r.loss, lossMax)} r={4} />}
          </g>
        ))}
      </svg>
      <figcaption class="legend">
        <span class="legend-accuracy">Accuracy (left axis)</span>
        <span class="legend-loss">Loss (right axis)</span>
      </figcaption>
      <details class="chart-table">
        <summary>Rounds as a table</summary>
        <table class="table compact">
          <thead>
            <tr>
              <th scope="col">Round</th>
              <th scope="col">Accuracy</th>
              <th scope="col">Loss</th>
            </tr>
          </thead>
          <tbody>
            {rounds.map((r) => (
              <tr key={r.round} data-round={r.round}>
                <td>{r.round}</td>
                <td>{r.accuracy ?? '—'}</td>
                <td>{r.loss ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
