/*
 * Links to uploaded files inside Markdown. The composer links a file by its
 * download URL, `/api/v1/attachments/<id>` (`![name](url)` for an image,
 * `[name](url)` otherwise), and the triggers of migration 0021 find it the
 * same way. A group moved to another server gets new file ids, so its texts'
 * links are rewritten to them.
 */

const PREFIX = '/api/v1/attachments/';
/** The URL's path with the id captured: a UUID, as ids are and as migration 0021's triggers read them. */
const LINK =
  /\/api\/v1\/attachments\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/g;

/**
 * `text` with every link to a file that `newIdOf` knows (by its old id, lower
 * case) pointing at the file's new id; links to other files (of another
 * group, or deleted) are left as written. Only the path is rewritten: an
 * absolute link (`https://old.example/api/v1/…`) keeps its host.
 */
export function rewriteAttachmentLinks(text: string, newIdOf: (oldId: string) => string | undefined): string {
  if (!text.includes(PREFIX)) return text;
  return text.replace(LINK, (link, id: string) => {
    const to = newIdOf(id.toLowerCase());
    return to === undefined ? link : `${PREFIX}${to}`;
  });
}
