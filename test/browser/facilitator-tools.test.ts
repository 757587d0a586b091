import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type ApiPerson,
  BrowserPages,
  callApi,
  describeInBrowser,
  isFocused,
  joinThroughApi,
  launchBrowser,
  registerThroughApi,
  startServer,
  type TestServer,
} from '../helpers/browser';

/*
 * Facilitator tools on the group page: revoking an invitation link from the invite panel (and the
 * link then admits no one), removing a member through the row's "⋯" menu, and the only facilitator
 * naming someone to take over before leaving.
 */
describeInBrowser('facilitator tools in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  const pages = new BrowserPages(() => ({ browser, server }));
  const pageErrors = pages.pageErrors;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  afterAll(async () => {
    await pages.close();
    await browser?.close();
    await server?.stop();
  });

  async function groupOf(facilitator: ApiPerson, name: string, members: ApiPerson[] = []): Promise<string> {
    const { group } = await callApi<{ group: { id: string } }>(server, facilitator, 'POST', '/groups', {
      name,
    });
    await joinThroughApi(server, facilitator, group.id, members);
    return group.id;
  }

  async function members(person: ApiPerson, groupId: string) {
    return (
      await callApi<{ items: { user: { id: string }; role: string }[] }>(
        server,
        person,
        'GET',
        `/groups/${groupId}/members`,
      )
    ).items.map((m) => ({ id: m.user.id, role: m.role }));
  }

  async function groupPage(person: ApiPerson, groupId: string, name: string): Promise<Page> {
    const page = await pages.open(person, `/groups/${groupId}`);
    await page.getByRole('heading', { level: 1, name }).waitFor();
    return page;
  }

  const rowOf = (list: Locator, name: string) => list.getByRole('listitem').filter({ hasText: name });

  test('a facilitator revokes an invitation link from the screen, and the link no longer admits anyone', {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(server, 'Ann Achebe');
    const groupId = await groupOf(ann, 'Tenants Assembly');
    const make = async (body: object) =>
      (
        await callApi<{ invitation: { id: string; token: string } }>(
          server,
          ann,
          'POST',
          `/groups/${groupId}/invitations`,
          body,
        )
      ).invitation;
    const revoked = await make({ maxUses: 5 });
    const kept = await make({});
    const bo = await registerThroughApi(server, 'Bo Brennan');
    await callApi(server, bo, 'POST', `/invitations/${revoked.token}/accept`);

    const a = await groupPage(ann, groupId, 'Tenants Assembly');
    const links = a.getByRole('list', { name: /Open invitation links/ });
    const revokedRow = rowOf(links, revoked.token.slice(-6));
    const keptRow = rowOf(links, kept.token.slice(-6));
    await revokedRow.waitFor();
    expect(await text(revokedRow)).toMatch(/used 1 of 5 · until .* · made by Ann Achebe/);
    expect(await text(keptRow)).toMatch(/used 0 times/);
    expect(await links.getByRole('listitem').count()).toBe(2);

    // Cancelling the confirmation keeps the link.
    const revokeKept = a.getByRole('button', { name: `Revoke the member link …${kept.token.slice(-6)}` });
    await revokeKept.click();
    const keptDialog = a.getByRole('dialog', { name: `Revoke the member link …${kept.token.slice(-6)}?` });
    await keptDialog.waitFor();
    await a.keyboard.press('Escape');
    await keptDialog.waitFor({ state: 'hidden' });
    expect(await isFocused(revokeKept)).toBe(true);
    expect(await links.getByRole('listitem').count()).toBe(2);

    // Confirming revokes it: the dialog says who keeps their place.
    await a.getByRole('button', { name: `Revoke the member link …${revoked.token.slice(-6)}` }).click();
    const dialog = a.getByRole('dialog', { name: `Revoke the member link …${revoked.token.slice(-6)}?` });
    expect(await text(dialog)).toContain('1 person joined with it; they stay in the group.');
    await dialog.getByRole('button', { name: 'Revoke link' }).click();
    await a.getByText(/was revoked: it no longer lets anyone join/).waitFor();
    await expect.poll(() => revokedRow.count()).toBe(0);
    expect(await links.getByRole('listitem').count()).toBe(1);
    await a.getByRole('heading', { name: 'Open invitation links (1)' }).waitFor();

    // The revoked link admits no one, over HTTP and in a browser; the other link still works.
    const cy = await registerThroughApi(server, 'Cy Castillo');
    await expect(callApi(server, cy, 'POST', `/invitations/${revoked.token}/accept`)).rejects.toThrow(
      /→ 404 .*not_found/,
    );
    const c = await pages.open(cy, `/invite/${revoked.token}`);
    await c.getByRole('heading', { level: 1, name: 'This invitation link does not work' }).waitFor();
    expect((await members(ann, groupId)).map((m) => m.id)).toEqual(expect.arrayContaining([ann.id, bo.id]));
    expect((await members(ann, groupId)).map((m) => m.id)).not.toContain(cy.id);
    await callApi(server, cy, 'POST', `/invitations/${kept.token}/accept`);

    // The list reloaded after the revoke: the other link's use shows up on the next load, and the revoked one stays gone.
    await a.reload();
    await keptRow.filter({ hasText: 'used 1 time' }).waitFor();
    expect(await revokedRow.count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  test('a facilitator removes a member through the row menu, by keyboard, and changes a role by mouse', {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(server, 'Ann Achebe');
    const bo = await registerThroughApi(server, 'Bo Brennan');
    const cy = await registerThroughApi(server, 'Cy Castillo');
    const groupId = await groupOf(ann, 'Food Co-op', [bo, cy]);

    const a = await groupPage(ann, groupId, 'Food Co-op');
    const list = a.getByRole('list', { name: 'Members' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(3);
    // No removal button sits on the rows: it is behind each row's menu.
    expect(await list.getByRole('button', { name: /Remove/ }).count()).toBe(0);
    // The viewer, the only facilitator, has nothing in their own row to do.
    expect(await rowOf(list, '(you)').getByRole('button').count()).toBe(0);

    const more = rowOf(list, bo.name).getByRole('button', { name: `More actions for ${bo.name}` });
    expect(await more.getAttribute('aria-haspopup')).toBe('menu');
    expect(await more.getAttribute('aria-expanded')).toBe('false');

    // Enter opens the menu on its first item; Escape closes it and returns to the button.
    await more.focus();
    await a.keyboard.press('Enter');
    const menu = a.getByRole('menu', { name: `More actions for ${bo.name}` });
    await menu.waitFor();
    expect(await more.getAttribute('aria-expanded')).toBe('true');
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual([
      expect.stringContaining('Make facilitator'),
      expect.stringContaining('Remove from group'),
    ]);
    expect(await isFocused(menu.getByRole('menuitem', { name: 'Make facilitator' }))).toBe(true);
    await a.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    expect(await isFocused(more)).toBe(true);
    expect(await more.getAttribute('aria-expanded')).toBe('false');

    // ↓ opens it again; ↓ moves to "Remove from group"; Enter asks first.
    await a.keyboard.press('ArrowDown');
    await menu.waitFor();
    await a.keyboard.press('ArrowDown');
    expect(await isFocused(menu.getByRole('menuitem', { name: 'Remove from group' }))).toBe(true);
    await a.keyboard.press('Enter');
    const dialog = a.getByRole('dialog', { name: `Remove ${bo.name}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await a
      .getByRole('status')
      .filter({ hasText: `${bo.name} was removed from the group.` })
      .waitFor();
    await expect.poll(() => rowOf(list, bo.name).count()).toBe(0);
    expect((await members(ann, groupId)).map((m) => m.id)).not.toContain(bo.id);

    // A click elsewhere closes a menu; a click on an item acts.
    const cyMore = rowOf(list, cy.name).getByRole('button', { name: `More actions for ${cy.name}` });
    await cyMore.click();
    const cyMenu = a.getByRole('menu', { name: `More actions for ${cy.name}` });
    await cyMenu.waitFor();
    await a.getByRole('heading', { level: 1, name: 'Food Co-op' }).click();
    await cyMenu.waitFor({ state: 'detached' });
    await cyMore.click();
    await cyMenu.getByRole('menuitem', { name: 'Make facilitator' }).click();
    await a
      .getByRole('status')
      .filter({ hasText: `${cy.name} is now a facilitator.` })
      .waitFor();
    expect(await text(rowOf(list, cy.name))).toContain('Facilitator');
    expect((await members(ann, groupId)).find((m) => m.id === cy.id)?.role).toBe('facilitator');
    expect(pageErrors).toEqual([]);
  });

  test('the only facilitator names another facilitator before leaving; the only member is told the group would be empty', {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(server, 'Ann Achebe');
    const bo = await registerThroughApi(server, 'Bo Brennan');
    const cy = await registerThroughApi(server, 'Cy Castillo');
    const groupId = await groupOf(ann, 'Allotment Society', [bo, cy]);

    const a = await groupPage(ann, groupId, 'Allotment Society');
    const leave = a.getByRole('region', { name: 'Leave this group' });
    await leave
      .getByText('You are its only facilitator. Before you leave, name someone to take over.')
      .waitFor();
    expect(await leave.getByRole('button', { name: 'Leave group' }).count()).toBe(0);
    await leave.getByRole('button', { name: 'Name a facilitator and leave' }).click();

    const dialog = a.getByRole('dialog', { name: 'Name a new facilitator first' });
    await dialog.waitFor();
    expect(await dialog.getByRole('radio').count()).toBe(2);
    // Nobody chosen: the dialog stays and says what is missing.
    await dialog.getByRole('button', { name: 'Make facilitator and leave' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Choose who takes over.' }).waitFor();
    expect(await dialog.isVisible()).toBe(true);
    await dialog.getByRole('radio', { name: new RegExp(cy.name) }).check();
    await dialog.getByRole('button', { name: 'Make facilitator and leave' }).click();
    await a.getByRole('heading', { level: 1, name: 'Your groups' }).waitFor();

    const after = await members(cy, groupId);
    expect(after.map((m) => m.id)).not.toContain(ann.id);
    expect(after.find((m) => m.id === cy.id)?.role).toBe('facilitator');
    expect(after.find((m) => m.id === bo.id)?.role).toBe('member');

    // Alone in a group: leaving is offered, with a warning that no one would be left.
    const dee = await registerThroughApi(server, 'Dee Dlamini');
    const soloId = await groupOf(dee, 'Party of One');
    const d = await groupPage(dee, soloId, 'Party of One');
    const soloLeave = d.getByRole('region', { name: 'Leave this group' });
    await soloLeave.getByText(/the group is left without anyone/).waitFor();
    await soloLeave.getByRole('button', { name: 'Leave group' }).click();
    const confirm = d.getByRole('dialog', { name: 'Leave Party of One?' });
    expect(await text(confirm)).toContain('the group would be left without anyone');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect((await members(dee, soloId)).map((m) => m.id)).toEqual([dee.id]);
    expect(pageErrors).toEqual([]);
  });
});

/** The element's text, whitespace collapsed. */
async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ');
}
