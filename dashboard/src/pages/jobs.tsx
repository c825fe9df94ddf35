// Watch a job live by its id: a batch job's progress bar, a training job's accuracy and loss per round.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { NotFoundError, type BatchProgress, type Job, type TrainingProgress } from '../api.js';
import { TrainingChart, type Round } from '../components/training-chart.js';
import { Empty, ErrorState, Json, LiveIndicator, Loading, Time } from '../components/ui.js';
import { useAsync, useLive, useSession } from '../hooks.js';
import { navigate, paths } from '../router.js';

export function JobsPage({ jobId }: { jobId: string | null }) {
  const [value, setValue] = useState(jobId ?? '');
  useEffect(() => setValue(jobId ?? ''), [jobId]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Jobs
      </h1>
      <form
        class="job-form"
        method="post"
        onSubmit={(event) => {
          event.preventDefault();
          const id = value.trim();
          if (id) navigate(paths.jobs(id));
        }}
      >
        <label for="job-id">Job id</label>
        <div class="row">
          <input
            id="job-id"
            class="mono"
            required
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
            placeholder="the job_id its events carry"
            autoComplete="off"
            spellcheck={false}
          />
          <button type="submit" class="primary">
            Watch
          </button>
        </div>
      </form>
      {jobId ? (
        <JobWatch key={jobId} jobId={jobId} />
      ) : (
        <p class="muted">Enter the id of a batch or training job to follow its progress as events are published.</p>
      )}
    </section>
  );
}

type Kind = 'BATCH' | 'TRAINING';

function JobWatch({ jobId }: { jobId: string }) {
  const { client } = useSession();
  const job = useAsync(() => client.jobs.get(jobId), [client, jobId]);
  const [kind, setKind] = useState<Kind | null>(null);

  if (job.status === 'loading' && !job.data) return <Loading what="the job" />;
  if (job.status === 'error' && !(job.error instanceof NotFoundError)) {
    return <ErrorState what="the job" error={job.error} retry={job.reload} />;
  }
  const type = kind ?? (job.data?.type === 'BATCH' || job.data?.type === 'TRAINING' ? job.data.type : null);
  if (type === 'BATCH') return <BatchWatch jobId={jobId} />;
  if (type === 'TRAINING') return <TrainingWatch jobId={jobId} />;
  if (!job.data) {
    return (
      <Empty>
        <p>
          No event has been published for job <span class="mono">{jobId}</span> yet. Watch it anyway, and it shows up as
          soon as its first event arrives:
        </p>
        <div class="row">
          <button type="button" onClick={() => setKind('BATCH')}>
            Watch as a batch job
          </button>
          <button type="button" onClick={() => setKind('TRAINING')}>
            Watch as a training job
          </button>
        </div>
      </Empty>
    );
  }
  return <OtherJob job={job.data} reload={job.reload} />;
}

const statusLabel = (status: string) => status.charAt(0) + status.slice(1).toLowerCase();

function JobStatusBadge({ status }: { status: string }) {
  const tone = status === 'COMPLETED' ? 'good' : status === 'FAILED' ? 'bad' : status === 'CANCELLED' ? 'warn' : 'neutral';
  return <span class={`badge badge-${tone}`}>{statusLabel(status)}</span>;
}

function BatchWatch({ jobId }: { jobId: string }) {
  const [state, setState] = useState<BatchProgress | null>(null);
  const live = useLive((c) => c.subscribe.batchProgress(jobId), setState, [jobId]);
  const percent = state?.progressPercent ?? null;
  const shown = percent === null ? 0 : Math.max(0, Math.min(100, percent));
  return (
    <JobPanel kind="Batch" jobId={jobId} aside={<LiveIndicator live={live} />}>
      {!state ? (
        <p class="muted">Waiting for the job's first event…</p>
      ) : (
        <>
          <p>
            <JobStatusBadge status={state.status} /> <span class="muted">updated</span> <Time value={state.updatedAt} />
          </p>
          <div
            class={`progress${state.status === 'FAILED' ? ' progress-bad' : ''}`}
            role="progressbar"
            aria-label="Batch progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent ?? undefined}
            aria-valuetext={percent === null ? 'No progress reported yet' : `${formatPercent(percent)}%`}
          >
            <div class="progress-fill" style={{ width: `${shown}%` }} />
          </div>
          <p class="progress-text">
            <strong class="progress-percent">{percent === null ? '—' : `${formatPercent(percent)}%`}</strong>
            {state.totalImages !== null && (
              <>
                {' '}
                · {state.processedImages ?? 0} of {state.totalImages} images processed
              </>
            )}
            {state.failedImages ? <span class="text-bad"> · {state.failedImages} failed</span> : null}
          </p>
        </>
      )}
    </JobPanel>
  );
}

const formatPercent = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

function TrainingWatch({ jobId }: { jobId: string }) {
  const [state, setState] = useState<TrainingProgress | null>(null);
  const rounds = useRef(new Map<number, Round>());
  const live = useLive(
    (c) => c.subscribe.trainingProgress(jobId),
    (next) => {
      if (next.round !== null) {
        rounds.current.set(next.round, { round: next.round, accuracy: next.accuracy, loss: next.loss });
      }
      setState(next);
    },
    [jobId],
  );
  const points = [...rounds.current.values()].sort((a, b) => a.round - b.round);
  return (
    <JobPanel kind="Training" jobId={jobId} aside={<LiveIndicator live={live} />}>
      {!state ? (
        <p class="muted">Waiting for the job's first event…</p>
      ) : (
        <>
          <p>
            <JobStatusBadge status={state.status} />{' '}
            {state.round !== null && (
              <span class="training-round">
                Round {state.round}
                {state.totalRounds !== null && ` of ${state.totalRounds}`}
              </span>
            )}{' '}
            · <span class="muted">updated</span> <Time value={state.updatedAt} />
          </p>
          {points.length === 0 ? (
            <p class="muted">No round reported yet.</p>
          ) : (
            <TrainingChart rounds={points} totalRounds={state.totalRounds} />
          )}
          <p class="muted small">Rounds reported before you started watching show only the latest one.</p>
        </>
      )}
    </JobPanel>
  );
}

function OtherJob({ job, reload }: { job: Job; reload: () => void }) {
  return (
    <JobPanel
      kind={statusLabel(job.type)}
      jobId={job.jobId}
      aside={
        <button type="button" onClick={reload}>
          Refresh
        </button>
      }
    >
      <p>
        <JobStatusBadge status={job.status} /> <span class="muted">last event</span>{' '}
        <span class="mono">{job.lastEventType}</span> · <Time value={job.updatedAt} />
      </p>
      <p class="muted">Live progress is shown for batch and training jobs; this is the job's latest state.</p>
      {job.lastEvent && <Json value={job.lastEvent.data} label="Latest event data" />}
    </JobPanel>
  );
}

/** The frame every job view shares: its title, and on the right the live indicator or a refresh button. */
function JobPanel({ kind, jobId, aside, children }: { kind: string; jobId: string; aside: ComponentChildren; children: ComponentChildren }) {
  return (
    <article class="job" aria-labelledby="job-title">
      <div class="section-head">
        <h2 id="job-title">
          {kind} job <span class="mono break">{jobId}</span>
        </h2>
        {aside}
      </div>
      {children}
    </article>
  );
}
