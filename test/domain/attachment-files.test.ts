import { describe, expect, test } from 'vitest';
import {
  cleanFilename,
  contentDisposition,
  isInlineImage,
  servedContentType,
  storedContentType,
} from '../../server/domain/attachment-files';

describe('attachment files', () => {
  test('types that a browser could run go out as octet-stream; only raster images are shown in place', () => {
    for (const type of ['text/html', 'image/svg+xml', 'application/xhtml+xml', 'text/javascript', 'text/xml'])
      expect(servedContentType(type)).toBe('application/octet-stream');
    for (const type of ['image/png', 'application/pdf', 'text/plain'])
      expect(servedContentType(type)).toBe(type);
    expect(['image/png', 'image/jpeg', 'image/gif', 'image/webp'].every(isInlineImage)).toBe(true);
    expect(isInlineImage('image/svg+xml')).toBe(false);
  });

  test('a stored type is the Content-Type without parameters, or octet-stream when it names none', () => {
    expect(storedContentType('Image/PNG; charset=x')).toBe('image/png');
    expect(storedContentType(undefined)).toBe('application/octet-stream');
    expect(storedContentType('not a type')).toBe('application/octet-stream');
  });

  test('names lose folders and control or direction characters; long ones keep their extension', () => {
    expect(cleanFilename('../../etc/passwd')).toBe('passwd');
    expect(cleanFilename('a\u0000b\u202Ec.txt')).toBe('abc.txt');
    expect(cleanFilename('..')).toBe('');
    const long = cleanFilename(`${'x'.repeat(400)}.pdf`);
    expect([...long].length).toBe(255);
    expect(long.endsWith('.pdf')).toBe(true);
  });

  test('the disposition quotes an ASCII fallback and the exact name in UTF-8', () => {
    expect(contentDisposition('Bericht "März" 100%.pdf', false)).toBe(
      `attachment; filename="Bericht _M_rz_ 100_.pdf"; filename*=UTF-8''Bericht%20%22M%C3%A4rz%22%20100%25.pdf`,
    );
    expect(contentDisposition("it's (1).png", true)).toBe(
      `inline; filename="it's (1).png"; filename*=UTF-8''it%27s%20%281%29.png`,
    );
  });
});
