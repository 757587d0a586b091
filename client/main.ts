// The entry point: global tokens, the router, and the app shell. Pages load on demand.
import './styles/tokens.css';
import './components/pl-app';
import { startRouter } from './router';

startRouter();
