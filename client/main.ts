// The entry point: global tokens, the router, and the app shell. Pages load on demand.
import './styles/tokens.css';
import './components/pl-app';
import { chooseLocale, setLocale, storedLocaleSetting } from './i18n';
import { startRouter } from './router';

// The shell's first render waits for this (`localeReady`), so a Spanish reader never sees English first.
void setLocale(chooseLocale(storedLocaleSetting()));

startRouter();

// The service worker keeps the app shell for offline use and shows pushes. Built only by `vite build`
// (there is no /sw.js in development), and browsers allow it only in secure contexts (https, localhost).
if (import.meta.env.PROD && isSecureContext && 'serviceWorker' in navigator) {
  addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err: unknown) => {
      console.warn('The service worker was not registered: Plenary will not open offline.', err);
    });
  });
}
