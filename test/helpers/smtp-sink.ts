import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A delivered message as a mail client would read it. */
export interface SinkMessage {
  /** Envelope recipients (RCPT TO). */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** Every header, lower-cased names, as raw strings. */
  headers: Record<string, string>;
  parsed: ParsedMail;
}

export interface SmtpSink {
  port: number;
  /** SMTP_URL for the app: plain SMTP on loopback. */
  url: string;
  messages: SinkMessage[];
  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<SinkMessage[]>;
  /**
   * What the server answers to DATA from now on: accept, a temporary 421, or
   * accept after a delay (a slow server, to catch a sender mid-batch).
   */
  mode(next: { reject421?: boolean; delayMs?: number }): void;
  /** Connection attempts rejected while `reject421` was on. */
  rejected: number;
  stop(): Promise<void>;
  /** Listens again on the same port after stop(). */
  restart(): Promise<void>;
}

/** A real SMTP server in this process, on a free loopback port, recording and parsing what it receives. */
export async function startSmtpSink(): Promise<SmtpSink> {
  let behaviour: { reject421?: boolean; delayMs?: number } = {};
  const waiters = new Set<() => void>();
  const sink: SmtpSink = {
    port: 0,
    url: '',
    messages: [],
    rejected: 0,
    mode(next) {
      behaviour = next;
    },
    waitFor(count, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (sink.messages.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(sink.messages);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} messages, got ${sink.messages.length} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: async () => {},
    restart: async () => {},
  };

  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // Stopping the sink (an outage) must not wait for the sender's pooled connections to idle out.
      closeTimeout: 50,
      // Hundreds of messages arrive over a few pooled connections in a test.
      maxClients: 50,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          if (behaviour.reject421) {
            sink.rejected += 1;
            const err = Object.assign(new Error('try again later'), { responseCode: 421 });
            return callback(err);
          }
          if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
          const parsed = await simpleParser(Buffer.concat(chunks));
          const headers: Record<string, string> = {};
          for (const line of parsed.headerLines)
            headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
          sink.messages.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId ?? '',
            headers,
            parsed,
          });
          callback();
          for (const w of [...waiters]) w();
        });
      },
    });

  let server = make();
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        // A sender killed mid-message resets its connection: expected here, not a crash of the test.
        server.on('error', () => {});
        resolve();
      });
    });
  await listen(0);
  sink.port = (server.server.address() as AddressInfo).port;
  sink.url = `smtp://127.0.0.1:${sink.port}`;
  sink.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  sink.restart = async () => {
    server = make();
    await listen(sink.port);
  };
  return sink;
}
