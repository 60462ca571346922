import { Browser, expect, Page, test } from '@playwright/test';
import { signIn, waitForHydration } from './helpers';

/** From the security page (where signIn lands) to the checklists page. */
async function openChecklists(page: Page): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Enterprise sections' })
    .getByRole('link', { name: 'Checklists' })
    .click();
  await expect(page).toHaveURL(/\/enterprise\/[0-9a-f-]+\/checklists/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('hardening checklists');
}

/** Creates a checklist from the built-in template of `systemType` and waits until it is open. */
async function createChecklist(page: Page, name: string, systemType = 'linux'): Promise<void> {
  const form = page.getByRole('region', { name: 'New checklist' });
  await form.getByLabel('Checklist name').fill(name);
  await form.getByLabel('System type').selectOption(systemType);
  await expect(form.getByLabel('Start from the built-in template')).toBeChecked();
  await form.getByRole('button', { name: 'Create checklist' }).click();
  await expect(page).toHaveURL(/\?checklist=[0-9a-f-]+/);
  await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
}

async function signInAs(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

test('create a checklist from the linux template, tick every item and sign it off', async ({ page }) => {
  const name = `E2E Linux servers ${Date.now()}`;
  await signIn(page);
  await openChecklists(page);
  await waitForHydration(page);
  await createChecklist(page, name);

  const detail = page.getByRole('region', { name });
  await expect(detail.getByText('Not started', { exact: true })).toBeVisible();
  const signOff = detail.getByRole('button', { name: 'Sign off' });
  await expect(signOff).toBeDisabled();
  await expect(detail.getByRole('note')).toContainText('Sign-off is possible at 100 %');

  const open = detail.getByRole('button', { name: /^Mark as done: / });
  const total = await open.count();
  expect(total).toBeGreaterThanOrEqual(8);
  // By keyboard first: the redrawn item keeps the focus.
  const firstLabel = (await open.first().getAttribute('aria-label')) ?? '';
  await open.first().focus();
  await page.keyboard.press('Enter');
  await expect(open).toHaveCount(total - 1);
  const undo = detail.getByRole('button', { name: firstLabel.replace('Mark as done', 'Mark as not done') });
  await expect(undo).toBeFocused();
  for (let left = total - 1; left > 0; left--) {
    await open.first().click();
    await expect(open).toHaveCount(left - 1);
  }
  await expect(detail.getByText(`${total} of ${total} items done · 100.0 %`)).toBeVisible();
  await expect(detail.getByRole('button', { name: /^Mark as not done: / })).toHaveCount(total);

  await expect(signOff).toBeEnabled();
  await signOff.click();
  await expect(detail.getByText(/Signed off by Avery Admin on \d{4}-\d{2}-\d{2} \d{2}:\d{2}( UTC)?/)).toBeVisible();
  await expect(detail.getByText('Verified', { exact: true }).first()).toBeVisible();
  await expect(detail.getByRole('button', { name: 'Sign off' })).toHaveCount(0);

  // The list agrees, and so does the server-rendered page after a reload.
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('Verified');
  await expect(row).toContainText('100.0 %');
  await page.reload();
  await expect(page.getByRole('region', { name }).getByText(/Signed off by Avery Admin/)).toBeVisible();
  await page.screenshot({ path: 'screenshots/checklist-verified.png', fullPage: true });
});

test('without JavaScript a checklist can be created and ticked', async ({ page, browser }) => {
  const name = `E2E no-JS containers ${Date.now()}`;
  await signIn(page);
  await openChecklists(page);
  const context = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  const noJs = await context.newPage();
  await noJs.goto(page.url());
  await createChecklist(noJs, name, 'container');
  const detail = noJs.getByRole('region', { name });
  await detail.getByRole('button', { name: /^Mark as done: / }).first().click();
  await expect(detail.getByText(/^1 of \d+ items done/)).toBeVisible();
  await expect(detail.getByText('In progress', { exact: true })).toBeVisible();
  await context.close();
});

test('a viewer sees checklists read-only, without a sign-off button', async ({ page, browser }) => {
  const name = `E2E viewer check ${Date.now()}`;
  await signIn(page);
  await openChecklists(page);
  await waitForHydration(page);
  await createChecklist(page, name, 'database');
  const url = page.url();

  const viewer = await signInAs(browser, 'viewer@northwind.example');
  await viewer.goto(url);
  const detail = viewer.getByRole('region', { name });
  await expect(detail.getByRole('heading', { level: 2, name })).toBeVisible();
  await expect(detail.getByRole('listitem').first()).toBeVisible();
  await expect(viewer.getByRole('button', { name: 'Sign off' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: /^Mark as done/ })).toHaveCount(0);
  await expect(viewer.getByRole('region', { name: 'New checklist' })).toHaveCount(0);
  await expect(detail.getByText('Not signed off yet.')).toBeVisible();

  // The compliance tracker is read-only for them too.
  await viewer.goto(url.replace(/checklists.*$/, 'compliance'));
  await expect(viewer.getByRole('heading', { name: 'Requirements', level: 2 })).toBeVisible();
  await expect(viewer.getByRole('region', { name: 'Track a whole framework catalogue' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: /^Complete/ })).toHaveCount(0);
  await viewer.context().close();
});

test('compliance tracker: add, edit and complete a requirement, track a catalogue', async ({ page, browser }) => {
  const title = `E2E requirement ${Date.now()}`;
  await signIn(page);
  await page
    .getByRole('navigation', { name: 'Enterprise sections' })
    .getByRole('link', { name: 'Compliance' })
    .click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('compliance requirements');
  await expect(page.getByRole('article', { name: 'Overall' })).toBeVisible();
  await waitForHydration(page);

  const add = page.getByRole('region', { name: 'Add a requirement' });
  await add.getByLabel('Framework').selectOption('iso-27001');
  await add.getByLabel('Title', { exact: true }).fill(title);
  await add.getByLabel('Deadline (optional)').fill('2000-01-01');
  await add.getByRole('button', { name: 'Add requirement' }).click();

  const row = page.getByRole('row', { name: new RegExp(title) });
  // The status badge (the edit form's options name every status too).
  const status = row.locator('.mgmt-badge');
  await expect(status).toHaveText('Not started');
  await expect(row).toContainText('OVERDUE');

  await row.getByText('Edit').click();
  await row.getByLabel('Status').selectOption('in_progress');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(status).toHaveText('In progress');
  await expect(row).toContainText('OVERDUE');

  await row.getByRole('button', { name: `Complete: ${title}` }).click();
  await expect(status).toHaveText('Completed');
  await expect(row).not.toContainText('OVERDUE');
  await expect(row.getByRole('button', { name: /^Complete/ })).toHaveCount(0);

  const track = page.getByRole('region', { name: 'Track a whole framework catalogue' });
  await track.getByLabel('Framework').selectOption('iso-27001');
  await track.getByRole('button', { name: 'Track catalogue' }).click();
  await expect(page).toHaveURL(/\?framework=iso-27001/);
  await expect(page.getByRole('article', { name: 'ISO/IEC 27001' })).toBeVisible();
  await page.screenshot({ path: 'screenshots/compliance-tracker.png', fullPage: true });

  // The overdue filter is in the URL and rendered by the server.
  const context = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  const noJs = await context.newPage();
  await noJs.goto(page.url().replace(/\?.*$/, '') + '?overdue=true');
  await expect(noJs.getByLabel('Overdue only')).toBeChecked();
  const rows = noJs.locator('table tbody tr');
  const count = await rows.count();
  for (let i = 0; i < count; i++) {
    await expect(rows.nth(i)).toContainText('OVERDUE');
  }
  await context.close();
});
