/**
 * The in-process job queue across the workers of `strata start --workers N` without Redis: only the first
 * worker consumes (so a scheduled job runs once); the others hand each accepted job to it over the
 * cluster's pub/sub. Its durable record stays `_JobStatus`, so a job whose message is lost while the
 * consuming worker restarts is enqueued again when that worker starts. Part of the composition root.
 */
import type { EnqueueOptions, JobQueue, PubSub } from './infra/index.js';

const JOBS_CHANNEL = 'jobs-enqueue';

/** On the consuming worker: enqueues here what the other workers accepted. */
export async function receiveRelayedJobs<T>(options: { queue: JobQueue<T>; pubsub: PubSub }): Promise<void> {
  await options.pubsub.subscribe(JOBS_CHANNEL, (message) => {
    let job: EnqueueOptions<T>;
    try {
      job = JSON.parse(message) as EnqueueOptions<T>;
    } catch {
      return;
    }
    // A failure leaves the `_JobStatus` row unfinished: the next start of this worker runs it.
    options.queue.enqueue(job).catch(() => undefined);
  });
}

/** On the other workers: the queue whose `enqueue` hands the job to the consuming worker. */
export function relayJobs<T>(options: { queue: JobQueue<T>; pubsub: PubSub }): JobQueue<T> {
  const { queue, pubsub } = options;
  return {
    kind: queue.kind,
    counts: () => queue.counts(),
    enqueue: async (job) => {
      await pubsub.publish(JOBS_CHANNEL, JSON.stringify(job));
    },
    process: (processing) => queue.process(processing),
    setSchedules: (schedules) => queue.setSchedules(schedules),
    close: () => queue.close(),
  };
}
