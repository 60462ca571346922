import { expect, Page, test } from '@playwright/test';
import { signIn, waitForHydration } from './helpers';

/** The demo enterprise's id, from the URL after signing in. */
function enterpriseId(page: Page): string {
  const match = page.url().match(/\/enterprise\/([0-9a-f-]+)\//);
  if (!match) throw new Error(`no enterprise in ${page.url()}`);
  return match[1];
}

/** The control open in the URL (`?control=`). */
function openControlId(page: Page): string {
  const match = page.url().match(/[?&]control=([0-9a-f-]+)/);
  if (!match) throw new Error(`no control in ${page.url()}`);
  return match[1];
}

/** Creates a control through the "New control" form and waits until it is open. */
async function createControl(page: Page, reference: string, title: string, status: string): Promise<string> {
  const form = page.getByRole('region', { name: 'New control' });
  await form.getByLabel('Framework').selectOption('iso-27001');
  await form.getByLabel('Reference').fill(reference);
  await form.getByLabel('Title').fill(title);
  await form.getByLabel('Priority').selectOption('high');
  await form.getByLabel('Status').selectOption(status);
  await form.getByRole('button', { name: 'Create control' }).click();
  await expect(page).toHaveURL(/\?control=[0-9a-f-]+/);
  await expect(page.getByRole('heading', { level: 2, name: `${reference} ${title}` })).toBeVisible();
  return openControlId(page);
}

/** A date `days` ago as YYYY-MM-DD (UTC, like the server). */
function daysAgo(days: number): string {
  return new Date(Date.now() - days * 24 * 3600 * 1000).toISOString().slice(0, 10);
}

test('create, evidence, verify, justification error and filters on the controls page', async ({ page }) => {
  const stamp = Date.now();
  const created: string[] = [];
  const hydrationWarnings: string[] = [];
  page.on('console', (message) => {
    if (['warning', 'error'].includes(message.type()) && /hydrat/i.test(message.text())) {
      hydrationWarnings.push(message.text());
    }
  });
  await signIn(page);
  const enterprise = enterpriseId(page);
  const base = `/enterprise/${enterprise}/controls`;
  try {
    await page.goto(base);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('security controls');
    await waitForHydration(page);

    // An implemented control: add a link as evidence, then verify it.
    const reference = `E2E.${stamp % 100000}`;
    const title = `E2E verified control ${stamp}`;
    created.push(await createControl(page, reference, title, 'implemented'));
    const detail = page.getByRole('region', { name: `${reference} ${title}` });
    await expect(detail.getByText('Implemented', { exact: true }).first()).toBeVisible();

    await detail.getByLabel('Evidence name').fill('Access review export');
    await detail.getByLabel('URL').fill('https://evidence.example/access-review.pdf');
    await detail.getByLabel('Collected on').fill(daysAgo(3));
    await detail.getByRole('button', { name: 'Add evidence' }).click();
    const evidence = detail.getByRole('row', { name: /Access review export/ });
    await expect(evidence).toContainText('https://evidence.example/access-review.pdf');
    await expect(evidence).toContainText(daysAgo(3));
    await expect(evidence).not.toContainText('EXPIRED');

    await detail.getByRole('button', { name: 'Verify' }).click();
    await expect(detail.getByText(/Verified by Avery Admin on \d{4}-\d{2}-\d{2} \d{2}:\d{2}( UTC)?/)).toBeVisible();
    await expect(detail.locator('.badge', { hasText: 'Verified' }).first()).toBeVisible();
    await expect(detail.getByRole('button', { name: 'Verify' })).toHaveCount(0);
    const row = page.getByRole('row', { name: new RegExp(reference.replace('.', '\\.')) });
    await expect(row).toContainText('Verified');
    await expect(row).toContainText('Avery Admin');

    // Not applicable without a justification: the domain's error, inline.
    const reference2 = `E2E.NA.${stamp % 100000}`;
    const title2 = `E2E not applicable ${stamp}`;
    created.push(await createControl(page, reference2, title2, 'not_implemented'));
    const detail2 = page.getByRole('region', { name: `${reference2} ${title2}` });
    // Evidence that has expired: marked, and the control is stale.
    await detail2.getByLabel('Evidence name').fill('Old pen test report');
    await detail2.getByLabel('URL').fill('https://evidence.example/pentest-old.pdf');
    await detail2.getByLabel('Collected on').fill(daysAgo(40));
    await detail2.getByLabel('Valid until (optional)').fill(daysAgo(10));
    await detail2.getByRole('button', { name: 'Add evidence' }).click();
    await expect(detail2.getByRole('row', { name: /Old pen test report/ })).toContainText('EXPIRED');
    await expect(page.getByRole('row', { name: new RegExp(title2) })).toContainText('STALE');
    await detail2.getByLabel('New status').selectOption('not_applicable');
    await detail2.getByRole('button', { name: 'Save status' }).click();
    await expect(detail2.getByRole('alert')).toContainText('Justification: Explain why this control does not apply.');
    await expect(detail2.getByText('Not implemented', { exact: true }).first()).toBeVisible();

    // The status filter is in the URL and rendered by the server.
    await page.goto(`${base}?status=verified`);
    await expect(page.locator('#filter-status')).toHaveValue('verified');
    const rows = page.locator('table tbody tr');
    const count = await rows.count();
    expect(count).toBeGreaterThan(0);
    for (let i = 0; i < count; i++) {
      await expect(rows.nth(i).locator('.badge').nth(1)).toHaveText('Verified');
    }
    await expect(page.getByRole('row', { name: new RegExp(reference.replace('.', '\\.')) })).toBeVisible();
    await expect(page.getByRole('row', { name: new RegExp(title2) })).toHaveCount(0);
    await page.screenshot({ path: 'screenshots/controls-verified-filter.png', fullPage: true });
    expect(hydrationWarnings).toEqual([]);
  } finally {
    // Leave the demo figures as seeded.
    for (const id of created) {
      const response = await page.request.delete(`/api/security/controls/${id}/`);
      expect(response.ok(), `delete ${id}: ${response.status()}`).toBeTruthy();
    }
  }
  await page.goto(`/enterprise/${enterprise}/security`);
  await expect(
    page.getByRole('region', { name: 'Key figures' }).getByRole('article', { name: 'Controls Verified' }),
  ).toContainText('3 / 5');
});

test('a viewer sees the controls read-only', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'viewer@northwind.example');
  await page.goto(`/enterprise/${enterpriseId(page)}/controls`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('security controls');
  await expect(page.getByRole('region', { name: 'New control' })).toHaveCount(0);
  await page.getByRole('table').first().getByRole('link').first().click();
  await expect(page).toHaveURL(/\?control=[0-9a-f-]+/);
  await expect(page.getByRole('heading', { level: 3, name: 'Evidence' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Verify' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Save status' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Add evidence' })).toHaveCount(0);
  await context.close();
});
