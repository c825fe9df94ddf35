// Each event type's `data`, from the spec's examples (the GraphQL schema types `data` as JSON). Documented fields
// are typed; the service accepts and forwards undocumented extra fields, so every shape allows them.

type Extra = { [field: string]: unknown };

/** Every event's data names its job. */
export type JobEventData = Extra & { job_id: string; status?: string };

export type JobFailedData = JobEventData & { error?: string };

export type OptimizationCompletedData = JobEventData & {
  problem_type: string;
  result: Extra & {
    solution: number[];
    objective_value: number;
    approximation_ratio?: number;
    execution_time?: number;
  };
};

export type BoundingBox = Extra & { x: number; y: number; width: number; height: number };

export type Detection = Extra & { class_name: string; confidence: number; bounding_box: BoundingBox };

export type VisionCompletedData = JobEventData & { detections: Detection[] };

export type BatchProgressData = JobEventData & {
  total_images: number;
  processed_images: number;
  failed_images: number;
  /** 0 to 100 */
  progress_percent: number;
};

export type TrainingProgressData = JobEventData & {
  round: number;
  total_rounds: number;
  accuracy: number;
  loss: number;
};

/** The webhook an operational event is about. */
export type WebhookRefData = Extra & { webhook_id: string; url: string };

/** `webhook.failing`: the webhook's last 3 attempts (or more) failed in a row; sent once per failing streak. */
export type WebhookFailingData = WebhookRefData & {
  consecutive_failures: number;
  last_status_code: number | null;
  last_error: string | null;
};

/** `webhook.recovered`: the first success after a failing streak of `consecutive_failures` attempts. */
export type WebhookRecoveredData = WebhookRefData & { consecutive_failures: number };

/** `webhook.disabled`: the service disabled the webhook when `delivery_id` gave up. */
export type WebhookDisabledData = WebhookRefData & { reason: string; delivery_id: string | null };

/** `delivery.exhausted`: a delivery failed for good after `attempts` attempts. */
export type DeliveryExhaustedData = Extra & {
  delivery_id: string;
  event_id: string;
  event_type: string;
  webhook_id: string;
  attempts: number;
};

/** The service's own events about its webhooks and deliveries: subscribe a webhook to them; never published. */
export type OperationalEventDataMap = {
  'webhook.failing': WebhookFailingData;
  'webhook.disabled': WebhookDisabledData;
  'delivery.exhausted': DeliveryExhaustedData;
  'webhook.recovered': WebhookRecoveredData;
};

/** Event type → its `data`. */
export type EventDataMap = OperationalEventDataMap & {
  'optimization.submitted': JobEventData;
  'optimization.started': JobEventData;
  'optimization.completed': OptimizationCompletedData;
  'optimization.failed': JobFailedData;
  'optimization.cancelled': JobEventData;
  'vision.submitted': JobEventData;
  'vision.completed': VisionCompletedData;
  'vision.failed': JobFailedData;
  'batch.submitted': JobEventData;
  'batch.completed': JobEventData;
  'batch.progress': BatchProgressData;
  'batch.failed': JobFailedData;
  'training.started': JobEventData;
  'training.progress': TrainingProgressData;
  'training.completed': JobEventData;
  'training.failed': JobFailedData;
  'training.cancelled': JobEventData;
  'inference.started': JobEventData;
  'inference.completed': JobEventData;
  'inference.failed': JobFailedData;
  'model.deployed': JobEventData;
  'model.updated': JobEventData;
  'model.deprecated': JobEventData;
  'webhook.test': JobEventData;
};

export type EventType = keyof EventDataMap;

/** Every event type, in the service's catalog order. */
export const EVENT_TYPES = [
  'optimization.submitted',
  'optimization.started',
  'optimization.completed',
  'optimization.failed',
  'optimization.cancelled',
  'vision.submitted',
  'vision.completed',
  'vision.failed',
  'batch.submitted',
  'batch.completed',
  'batch.progress',
  'batch.failed',
  'training.started',
  'training.progress',
  'training.completed',
  'training.failed',
  'training.cancelled',
  'inference.started',
  'inference.completed',
  'inference.failed',
  'model.deployed',
  'model.updated',
  'model.deprecated',
  'webhook.test',
  'webhook.failing',
  'webhook.disabled',
  'delivery.exhausted',
  'webhook.recovered',
] as const satisfies readonly EventType[];

/** The types a backend may publish: every one but the operational events. */
export type PublishableEventType = Exclude<EventType, keyof OperationalEventDataMap>;

/** What `events.publish` takes: `data` is checked against `type`. */
export type PublishEventInput = {
  [K in PublishableEventType]: {
    type: K;
    data: EventDataMap[K];
    /** Publishing again with the same key within 24 h returns the first event and sends nothing. */
    idempotencyKey?: string;
  };
}[PublishableEventType];

/** The body a receiver gets, discriminated on `event_type`. */
export type WebhookEvent = {
  [K in EventType]: {
    event_id: string;
    event_type: K;
    /** ISO 8601 UTC, e.g. 2024-01-15T10:30:00Z */
    timestamp: string;
    data: EventDataMap[K];
    /** 0 on the first attempt */
    retry_count: number;
  };
}[EventType];

/** The event of one type, e.g. `WebhookEventOf<'batch.progress'>`. */
export type WebhookEventOf<K extends EventType> = Extract<WebhookEvent, { event_type: K }>;

// Fails to compile when EVENT_TYPES misses a type of EventDataMap.
type AssertNever<T extends never> = T;
export type EventTypesAreComplete = AssertNever<Exclude<EventType, (typeof EVENT_TYPES)[number]>>;
