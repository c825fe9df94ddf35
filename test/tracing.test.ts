// OpenTelemetry traces, with the SDK's in-memory exporter in place of the OTLP one: a publish continues the
// publisher's W3C traceparent (REST and GraphQL), its fan-out is its child, and each delivery attempt, made by the
// worker from the job, is the fan-out's child: one trace from the publisher to the receiver. Only a webhook that
// opts in is sent the attempt's traceparent.
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing } from '../src/observability/tracing.js';
import { eventually } from './support/receiver.js';
import { restClient, startRestFixture } from './support/rest.js';

const exporter = new InMemorySpanExporter();
let stopTracing: () => Promise<void>;
let fixture: Awaited<ReturnType<typeof startRestFixture>>;

beforeAll(async () => {
  stopTracing = await startTracing({ serviceName: 'webhooks-test', exporter });
  fixture = await startRestFixture();
});
afterAll(() => stopTracing());

const PUBLISHER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PUBLISHER_SPAN = '00f067aa0ba902b7';
const traceparent = (trace: string, span: string) => `00-${trace}-${span}-01`;

const spansOf = (traceId: string) => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
const named = (spans: ReadableSpan[], name: string) => spans.filter((span) => span.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** Two webhooks for `type` (one opted in to trace context), at `<path>/on` and `<path>/off`. */
async function webhooksAt(path: string, type: string) {
  const { rest, key, receiver } = fixture;
  for (const [suffix, propagate] of [['on', true], ['off', false]] as const) {
    const created = await rest(key, 'POST', '/v1/webhooks', {
      url: receiver.url(`${path}/${suffix}`),
      events: [type],
      propagate_trace_context: propagate,
    });
    expect(created.status).toBe(201);
  }
}

/** Waits for the attempts of `traceId` to end, and checks publish → fan-out → attempts, one trace. */
async function expectTrace(traceId: string, publisherSpan: string | undefined, attempts: number) {
  const spans = await eventually(async () => {
    const found = spansOf(traceId);
    return named(found, 'deliver attempt').length === attempts ? found : undefined;
  }, 'the attempts to be traced');
  const [publish] = named(spans, 'publish event');
  const [fanOut] = named(spans, 'fan out');
  expect(parentOf(publish!)).toBe(publisherSpan);
  expect(parentOf(fanOut!)).toBe(publish!.spanContext().spanId);
  for (const attempt of named(spans, 'deliver attempt')) {
    expect(parentOf(attempt)).toBe(fanOut!.spanContext().spanId);
    expect(attempt.attributes['http.response.status_code']).toBe(200);
  }
  return named(spans, 'deliver attempt');
}

describe('traces', () => {
  it('link a REST publish, its fan-out and each attempt in the publisher’s trace; only an opted-in receiver gets traceparent', async () => {
    const { rest, key, receiver } = fixture;
    await webhooksAt('/rest', 'optimization.started');
    const published = await rest(key, 'POST', '/v1/events', { event_type: 'optimization.started', data: { job_id: 'traced-1' } }, {
      traceparent: traceparent(PUBLISHER_TRACE, PUBLISHER_SPAN),
    });
    expect(published.status).toBe(202);
    const [on] = await receiver.waitFor('/rest/on', 1);
    const [off] = await receiver.waitFor('/rest/off', 1);

    const attempts = await expectTrace(PUBLISHER_TRACE, PUBLISHER_SPAN, 2);
    const sent = on!.headers.traceparent as string;
    expect(sent).toMatch(new RegExp(`^00-${PUBLISHER_TRACE}-[0-9a-f]{16}-01$`));
    // The receiver's parent is the attempt that called it.
    expect(attempts.map((attempt) => attempt.spanContext().spanId)).toContain(sent.split('-')[2]);
    expect(off!.headers.traceparent).toBeUndefined();

    // Each attempt's record shows the traceparent it sent, and none where none was sent.
    const shown = await eventually(async () => {
      const result = await fixture.service.gql(fixture.key, `query($id: ID!) { event(id: $id) { ... on Event {
        deliveries { webhook { url } attempts { requestHeaders } } } } }`, { id: published.body.event_id });
      const deliveries = result.body.data.event.deliveries as { webhook: { url: string }; attempts: { requestHeaders: Record<string, string> }[] }[];
      return deliveries.every((d) => d.attempts.length === 1) ? deliveries : undefined;
    }, 'the attempts to be recorded');
    const recorded = (suffix: string) => shown.find((d) => d.webhook.url.endsWith(suffix))!.attempts[0]!.requestHeaders.traceparent;
    expect(recorded('/rest/on')).toBe(sent);
    expect(recorded('/rest/off')).toBeUndefined();
  });

  it('continue a GraphQL publish’s traceparent too, and start a trace when there is none', async () => {
    const { service, key, receiver } = fixture;
    await webhooksAt('/graphql', 'training.started');
    const trace = 'a'.repeat(32);
    const response = await fetch(`${service.httpUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, traceparent: traceparent(trace, 'b'.repeat(16)) },
      body: JSON.stringify({
        query: 'mutation($input: PublishEventInput!) { publishEvent(input: $input) { __typename } }',
        variables: { input: { type: 'training.started', data: { job_id: 'traced-2' } } },
      }),
    });
    expect((await response.json()).data.publishEvent.__typename).toBe('PublishEventPayload');
    await receiver.waitFor('/graphql/on', 1);
    await expectTrace(trace, 'b'.repeat(16), 2);

    // No traceparent: the publish is a trace's root, and its attempts still join it.
    const rest = restClient(service.httpUrl);
    await rest(key, 'POST', '/v1/events', { event_type: 'training.started', data: { job_id: 'traced-3' } });
    const [, second] = await receiver.waitFor('/graphql/on', 2);
    const rootTrace = (second!.headers.traceparent as string).split('-')[1]!;
    expect(rootTrace).not.toBe(trace);
    await expectTrace(rootTrace, undefined, 2);
  });
});
