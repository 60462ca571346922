import { expect, Page, test } from '@playwright/test';
import { signIn, waitForHydration } from './helpers';

/** A date `days` from today (UTC, as the server counts), as YYYY-MM-DD. */
function isoDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** From the security page (where signIn lands) to the audits page; the enterprise id. */
async function openAudits(page: Page): Promise<string> {
  const match = page.url().match(/\/enterprise\/([0-9a-f-]+)\//);
  expect(match).not.toBeNull();
  const enterprise = match![1];
  await page.goto(`/enterprise/${enterprise}/audits`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('security audits');
  await waitForHydration(page);
  return enterprise;
}

/** Schedules an audit through the form, waits until it is open and returns its id. */
async function scheduleAudit(page: Page, title: string, day: string): Promise<string> {
  const form = page.getByRole('region', { name: 'Schedule an audit' });
  await form.getByLabel('Audit title').fill(title);
  await form.getByLabel('Audit type').selectOption('internal');
  await form.getByLabel('Auditor (name or organisation)').fill('E2E Assurance Ltd');
  await form.getByLabel('Scheduled date').fill(day);
  const framework = form.getByRole('checkbox').nth(1);
  const slug = (await framework.getAttribute('value')) ?? '';
  await framework.check();
  await form.getByLabel('Scope').fill('Production network');
  await form.getByRole('button', { name: 'Schedule audit' }).click();
  await expect(page).toHaveURL(/\?audit=[0-9a-f-]+/);
  await expect(page.getByRole('heading', { level: 2, name: title })).toBeVisible();
  await expect(page.getByRole('region', { name: title }).locator('.audits-facts')).toContainText(slug);
  return new URL(page.url()).searchParams.get('audit')!;
}

test('schedule, start, record and resolve a finding, complete an audit', async ({ page }) => {
  const stamp = Date.now();
  const title = `E2E audit ${stamp}`;
  const other = `E2E scheduled audit ${stamp}`;
  const finding = `E2E finding ${stamp}`;
  const created: string[] = [];
  const warnings: string[] = [];
  page.on('console', (message) => {
    if (/hydrat/i.test(message.text())) warnings.push(message.text());
  });
  await signIn(page);
  await openAudits(page);
  try {
    created.push(await scheduleAudit(page, title, isoDay(1)));
    const detail = page.getByRole('region', { name: title });
    await expect(detail.locator('.mgmt-detail-head')).toContainText('Scheduled');
    await expect(detail.getByRole('button', { name: 'Complete audit' })).toHaveCount(0);
    await expect(detail.getByRole('button', { name: 'Cancel audit' })).toBeVisible();
    await expect(page.getByRole('row', { name: new RegExp(title) })).toContainText('Internal');

    await detail.getByRole('button', { name: 'Start audit' }).click();
    await expect(detail.locator('.mgmt-detail-head')).toContainText('In progress');
    await expect(detail.getByRole('button', { name: 'Start audit' })).toHaveCount(0);

    await detail.getByLabel('Finding title').fill(finding);
    await detail.getByLabel('Severity').selectOption('high');
    await detail.getByLabel('Remediation plan').fill('Patch and re-test.');
    await detail.getByLabel('Remediation deadline').fill(isoDay(-1));
    await detail.getByRole('button', { name: 'Save finding' }).click();
    const row = detail.locator('tbody tr', { hasText: finding });
    await expect(row).toContainText('OVERDUE');
    await expect(row).toContainText('High');
    await expect(row).toContainText('Open');

    await row.getByLabel(`Status of ${finding}`, { exact: true }).selectOption('resolved');
    await row.getByRole('button', { name: `Update status of ${finding}` }).click();
    await expect(row.locator('.badge.finding-status-resolved')).toHaveText('Resolved');
    await expect(row).not.toContainText('OVERDUE');

    await detail.getByLabel('Summary').fill('One high finding, resolved.');
    await detail.getByRole('button', { name: 'Complete audit' }).click();
    await expect(detail.locator('.mgmt-detail-head')).toContainText('Completed');
    await expect(detail).toContainText('One high finding, resolved.');
    await expect(detail.getByRole('button', { name: /audit$/ })).toHaveCount(0);

    // A scheduled audit offers no way to complete it.
    created.push(await scheduleAudit(page, other, isoDay(7)));
    const scheduled = page.getByRole('region', { name: other });
    await expect(scheduled.getByRole('button', { name: 'Start audit' })).toBeVisible();
    await expect(scheduled.getByRole('button', { name: 'Complete audit' })).toHaveCount(0);
    expect(warnings).toEqual([]);
  } finally {
    // Leave the demo figures as seeded.
    for (const id of created) {
      const response = await page.request.delete(`/api/security/audits/${id}/`);
      expect(response.ok(), `delete ${id}: ${response.status()}`).toBeTruthy();
    }
  }
});

test('viewers see audits and findings read-only', async ({ page }) => {
  await signIn(page, 'viewer@northwind.example');
  await openAudits(page);
  await expect(page.getByRole('region', { name: 'Schedule an audit' })).toHaveCount(0);
  const first = page.getByRole('region', { name: 'Audits' }).locator('tbody tr th a').first();
  const title = (await first.textContent()) ?? '';
  await first.click();
  await expect(page).toHaveURL(/\?audit=[0-9a-f-]+/);
  const detail = page.getByRole('region', { name: title });
  await expect(detail.getByRole('heading', { level: 2 })).toHaveText(title);
  await expect(detail.locator('form')).toHaveCount(0);
  await expect(detail.getByRole('button')).toHaveCount(0);
});
