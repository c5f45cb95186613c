import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

/**
 * The e2e build (`wxt build --mode e2e`) differs from the release build in one way only:
 * static host permissions for the simulator's loopback origins, so tests need no permission prompt.
 * `localhost` stays out of it on purpose: the permission-prompt test uses the release build on localhost.
 */
const SIMULATOR_ORIGINS = ['http://127.0.0.1/*'];

export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({ plugins: [preact()] }),
  manifest: ({ browser, mode }) => ({
    name: 'Bitbucket Server Companion',
    description: 'Bitbucket Server / Data Center in your browser: profiles, clone, keys, pull requests.',
    permissions: [
      'storage',
      'scripting',
      'clipboardWrite',
      'alarms',
      // Chrome: the service worker opens an offscreen document for OpenPGP (lib/background/passphrase-crypto.ts).
      ...(browser === 'firefox' ? [] : ['offscreen']),
    ],
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    ...(mode === 'e2e' ? { host_permissions: SIMULATOR_ORIGINS } : {}),
    action: { default_title: 'Bitbucket Server Companion' },
    commands: {
      _execute_action: {
        suggested_key: { default: 'Alt+Shift+B' },
        description: 'Open Bitbucket Server Companion',
      },
    },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'bitbucket-server-companion@companion.example',
              strict_min_version: '142.0',
              // Nothing leaves the browser except requests to the user's own server.
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : {}),
  }),
});
