import { join } from 'node:path';
import { createDiskMediaStore } from '../../storage/media-disk.js';
import { definePlatform } from '../platform.js';
import { webSettings } from './settings.js';

/**
 * The web playground for the registry (src/adapters/registry.ts). It writes to its own Redis store, so
 * edits are cheap: the budget only keeps a thread readable. It keeps its conversation in Redis, and each
 * side gets a connection of its own.
 */
export const webPlatform = definePlatform({
  settings: webSettings,
  traits: { editBudget: { points: 20, windowSeconds: 5 }, editScope: 'channel' },
  async createAdapter(values, deps) {
    const [{ createWebAdapter }, { checkImageBytes }] = await Promise.all([
      import('./index.js'),
      import('../../media/check-image.js'),
    ]);
    return createWebAdapter(
      {
        prefix: values.QUEUE_PREFIX,
        media: deps.media ?? createDiskMediaStore(join(values.DATA_DIR, 'web')),
        galleryVisibility: values.GALLERY_VISIBILITY,
        videoRetentionDays: values.VIDEO_RETENTION_DAYS,
        access: {
          ...(values.WEB_DISCORD_CLIENT_ID && values.WEB_DISCORD_CLIENT_SECRET
            ? {
                discord: {
                  clientId: values.WEB_DISCORD_CLIENT_ID,
                  clientSecret: values.WEB_DISCORD_CLIENT_SECRET,
                  apiUrl: values.DISCORD_API_URL,
                },
              }
            : {}),
          ...(values.WEB_SLACK_CLIENT_ID && values.WEB_SLACK_CLIENT_SECRET
            ? {
                slack: {
                  clientId: values.WEB_SLACK_CLIENT_ID,
                  clientSecret: values.WEB_SLACK_CLIENT_SECRET,
                  apiUrl: values.SLACK_API_URL,
                  teamId: values.WEB_SLACK_TEAM_ID,
                },
              }
            : {}),
          invites: values.WEB_INVITES === true,
          publicBaseUrl: values.PUBLIC_BASE_URL,
          adminToken: values.ADMIN_TOKEN,
          allowedUsers: values.WEB_ALLOWED_USERS,
        },
      },
      { ...deps, checkImage: checkImageBytes, redis: deps.openRedis('web playground') },
    );
  },
  async createChatPort(values, { openRedis, media }) {
    const { createWebChatPort, createWebStore } = await import('./index.js');
    // On a connection of its own, which the port never closes (the worker's shutdown does).
    return createWebChatPort({
      store: createWebStore(
        openRedis('web outbox'),
        values.QUEUE_PREFIX,
        media ?? createDiskMediaStore(join(values.DATA_DIR, 'web')),
      ),
    });
  },
});
