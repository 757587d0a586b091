/*
 * How an uploaded file is named, typed and handed back. Files come from
 * members and are served from Plenary's own origin, so what a browser does
 * with one must never be decided by the file: an HTML page or an SVG with a
 * script in it would run as the site. Types are taken at their word only from
 * an allow-list of types no browser runs; everything else goes out as
 * `application/octet-stream`, as a download, in a sandbox, with sniffing off.
 */

/** Images shown in place (Markdown previews). Never SVG: it can hold script. */
const INLINE_IMAGES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Types sent as themselves (always as downloads, apart from the images above): none can run as a page. */
const SAFE_TYPES: ReadonlySet<string> = new Set([
  ...INLINE_IMAGES,
  'image/avif',
  'application/pdf',
  'text/plain',
  'text/csv',
  'text/markdown',
  'application/json',
  'application/zip',
  'application/gzip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'video/mp4',
  'video/webm',
]);

const OCTET_STREAM = 'application/octet-stream';
const TOKEN = "[!#$%&'*+.^_`|~0-9a-z-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`);

/**
 * The type a file is stored with: the upload's Content-Type without its
 * parameters, lower-cased; octet-stream when it names no type.
 */
export function storedContentType(header: string | undefined): string {
  const essence = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return MEDIA_TYPE.test(essence) && essence.length <= 200 ? essence : OCTET_STREAM;
}

/** The Content-Type a download is sent with: the stored one if it is on the safe list, else octet-stream. */
export function servedContentType(stored: string): string {
  return SAFE_TYPES.has(stored) ? stored : OCTET_STREAM;
}

/** Whether a file may be shown in place: a raster image on the allow-list. */
export function isInlineImage(stored: string): boolean {
  return INLINE_IMAGES.has(stored);
}

const MAX_FILENAME = 255;

/**
 * A file name as kept: only the last part of a path (`C:\Users\me\a.png` is
 * `a.png`), without control or bidirectional-override characters (which could
 * make `gpj.exe` look like `exe.jpg`), trimmed, at most 255 characters. Empty
 * when nothing is left.
 */
export function cleanFilename(raw: string): string {
  const last = raw.split(/[/\\]/).pop() ?? '';
  const cleaned = last
    // biome-ignore lint/suspicious/noControlCharactersInRegex: taking them out is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim();
  const chars = [...cleaned];
  if (chars.length <= MAX_FILENAME) return cleaned === '.' || cleaned === '..' ? '' : cleaned;
  // Keep the extension when cutting: it is what tells people (and their computers) what it is.
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 16 ? cleaned.slice(dot) : '';
  return chars.slice(0, MAX_FILENAME - [...extension].length).join('') + extension;
}

/**
 * The Content-Disposition of a download (RFC 6266): `inline` only for the
 * allowed images, `attachment` for everything else; the name as an ASCII
 * fallback and, exactly, as `filename*` in UTF-8.
 */
export function contentDisposition(filename: string, inline: boolean): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const exact = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${inline ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

/** The policy every download is sent with: nothing in it loads or runs, even opened as a page. */
export const DOWNLOAD_CSP = "sandbox; default-src 'none'";
