import { describe, expect, test } from 'vitest';
import { rewriteAttachmentLinks } from '../../server/domain/attachment-links';

const OLD = '0b6c1f9e-4a5d-4c1e-9f5e-6a7b8c9d0e1f';
const NEW = 'f1e0d9c8-b7a6-4e5f-8d1c-2b3a4c5d6e7f';
const OTHER = '11111111-2222-4333-8444-555555555555';

describe('rewriteAttachmentLinks', () => {
  const moved = (text: string) => rewriteAttachmentLinks(text, (id) => (id === OLD ? NEW : undefined));

  test('links to a moved file point at its new id, images and downloads alike, every one', () => {
    expect(moved(`![a.png](/api/v1/attachments/${OLD}) and [again](/api/v1/attachments/${OLD})`)).toBe(
      `![a.png](/api/v1/attachments/${NEW}) and [again](/api/v1/attachments/${NEW})`,
    );
    // Ids are matched whatever their case; an absolute link keeps its host.
    expect(moved(`https://old.example/api/v1/attachments/${OLD.toUpperCase()}`)).toBe(
      `https://old.example/api/v1/attachments/${NEW}`,
    );
  });

  test('links to other files, and text that only looks like a link, stay as written', () => {
    const text = `[x](/api/v1/attachments/${OTHER}) /api/v1/attachments/not-an-id ${OLD}`;
    expect(moved(text)).toBe(text);
  });
});
