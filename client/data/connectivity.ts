import { Store } from './store';

/**
 * Whether this tab can reach Plenary: `offline` when the browser says it has
 * no network, `unreachable` when it has one but the server's answers stopped
 * coming (the service worker saw an API request fail), else `online`.
 */
export type Connectivity = 'online' | 'offline' | 'unreachable';

/** The message the service worker (client/sw.ts) posts after each API request it passed on. */
interface NetworkMessage {
  type: 'plenary:network';
  reachable: boolean;
}

function isNetworkMessage(data: unknown): data is NetworkMessage {
  return (data as NetworkMessage | null)?.type === 'plenary:network';
}

let reachable = true;
const store = new Store<Connectivity>(navigator.onLine ? 'online' : 'offline');
const recompute = () => store.set(!navigator.onLine ? 'offline' : reachable ? 'online' : 'unreachable');
let started = false;

/**
 * The tab's connectivity, watched from the first call on: the browser's
 * `online`/`offline` events, and the service worker's word on each API request.
 */
export function connectivity(): Store<Connectivity> {
  if (started) return store;
  started = true;
  addEventListener('online', () => {
    // Back on a network: assume the server answers until a request says otherwise.
    reachable = true;
    recompute();
  });
  addEventListener('offline', recompute);
  const sw = navigator.serviceWorker;
  if (sw) {
    sw.addEventListener('message', (event: MessageEvent) => {
      if (!isNetworkMessage(event.data)) return;
      reachable = event.data.reachable;
      recompute();
    });
    // Messages posted before this listener (the first requests of a page opened offline) wait until now.
    sw.startMessages();
  }
  recompute();
  return store;
}
