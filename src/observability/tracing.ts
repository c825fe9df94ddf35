// OpenTelemetry traces, on when OTEL_EXPORTER_OTLP_ENDPOINT is set (`startTracing`, from the composition root): a span
// for each publish (a child of the publisher's W3C `traceparent` when it sends one), one for its fan-out, and one per
// delivery attempt. The fan-out's context travels to the worker in the delivery's job (`trace` in its data, a
// `traceparent`), so every attempt, in whatever process, is a child of its publish: one trace from the publisher's
// request to the receiver's answer. A webhook that opts in (`propagateTraceContext`) gets the attempt's `traceparent`.
//
// Off, nothing of the SDK is loaded (it is imported only by `startTracing`) and every helper here returns at its
// first line: no span, no context, no header. The cost measured: docs/performance.md ("Tracing off").
import { context, propagation, trace, SpanKind, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

const TRACER_NAME = 'aiplatform-webhooks';

/** Whether `startTracing` has run in this process. */
let enabled = false;

export type TracingOptions = {
  serviceName: string;
  /** The OTLP/HTTP collector (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `<endpoint>/v1/traces`, in batches. */
  endpoint?: string;
  /** Instead of the OTLP exporter, each span as it ends (tests: the SDK's InMemorySpanExporter). */
  exporter?: SpanExporter;
};

/** Starts tracing for this process; the returned function flushes the spans not exported yet and stops. */
export async function startTracing(options: TracingOptions): Promise<() => Promise<void>> {
  const [{ TracerProvider, BatchSpanProcessor, SimpleSpanProcessor }, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/resources'),
    ]);
  let processor;
  if (options.exporter) {
    processor = new SimpleSpanProcessor({ exporter: options.exporter });
  } else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const url = `${(options.endpoint ?? '').replace(/\/+$/, '')}/v1/traces`;
    processor = new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) });
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [processor],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  return async () => {
    enabled = false;
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  };
}

/** Whether spans are being made in this process. */
export const tracingEnabled = () => enabled;

export type SpanOptions = {
  kind?: SpanKind;
  attributes?: Attributes;
  /** A W3C `traceparent` to continue (a publisher's, or the one a delivery's job carries); else the active span's. */
  traceparent?: string | null;
};

/**
 * Runs `work` in a new span, active while it runs (spans it starts are its children), ended when it settles (an
 * error is recorded on it). Off: runs `work` with no span.
 */
export async function inSpan<T>(name: string, options: SpanOptions, work: (span: Span | null) => Promise<T>): Promise<T> {
  if (!enabled) return work(null);
  const parent = options.traceparent
    ? propagation.extract(context.active(), { traceparent: options.traceparent })
    : context.active();
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The active span's W3C `traceparent`, to carry it elsewhere (a job, a request); undefined when off or outside one. */
export function activeTraceparent(): string | undefined {
  if (!enabled) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

export { SpanKind };
