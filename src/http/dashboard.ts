import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Router } from 'express';

type BoardServerAdapter = Parameters<typeof createBullBoard>[0]['serverAdapter'];

/**
 * The Bull Board queue dashboard for the queues handed in, served under `basePath`. Read-only: an
 * operator inspects jobs here; retrying or cancelling a generation goes through the chat (🔁, ❌), which
 * keeps quotas and messages in step.
 * @see {@link https://github.com/felixmosh/bull-board}
 */
export function createDashboardRouter(queues: readonly Queue[], basePath: string): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: true })),
    // @bull-board/express 9.10.1 pins its own copy of @bull-board/api 9.10.1, whose private fields make the
    // types of the two copies unrelated; the adapter interface itself is the same in both.
    serverAdapter: serverAdapter as unknown as BoardServerAdapter,
    options: { uiConfig: { boardTitle: '/animate queues', hideDocsLink: true } },
  });
  return serverAdapter.getRouter() as Router;
}
