import { createContext } from '@lit/context';
import type { Session } from './session';
import type { StreamClient } from './stream';

/** The tab's session, provided by <pl-app> to every page. */
export const sessionContext = createContext<Session>(Symbol('plenary-session'));

/** The tab's one live-stream connection, provided by <pl-app>. */
export const streamContext = createContext<StreamClient>(Symbol('plenary-stream'));
