import { expect, test } from '@playwright/test';
import { signIn } from './helpers';

test('an evidence file is uploaded from the controls page and downloads as an attachment', async ({ page }) => {
  await signIn(page);
  const enterprise = page.url().match(/\/enterprise\/([0-9a-f-]+)\//)![1];
  const created = await page.request.post('/api/security/controls/', {
    data: { enterprise_id: enterprise, framework: 'iso-27001', reference: 'A.5.30', title: `E2E upload ${Date.now()}`, priority: 'medium', status: 'in_progress' },
  });
  expect(created.status()).toBe(201);
  const control = await created.json();

  await page.goto(`/enterprise/${enterprise}/controls?control=${control.id}`);
  await page.getByText('Upload an evidence file').click();
  await page.getByLabel('Document title').fill('BCP test report');
  await page.getByLabel('Date of the document').fill('2026-11-30');
  await page.getByLabel('File (at most 10 MiB)').setInputFiles({
    name: 'bcp-report.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n% Rampart e2e evidence\n'),
  });
  await page.getByRole('button', { name: 'Upload' }).click();
  await expect(page).toHaveURL(new RegExp(`control=${control.id}`));
  const row = page.locator('tr', { hasText: 'BCP test report' });
  await expect(row).toBeVisible();

  const href = await row.getByRole('link', { name: 'file' }).getAttribute('href');
  const download = await page.request.get(href!);
  expect(download.status()).toBe(200);
  expect(download.headers()['content-type']).toBe('application/pdf');
  expect(download.headers()['content-disposition']).toContain('attachment');
  expect(download.headers()['x-content-type-options']).toBe('nosniff');

  // A refused upload (no file) comes back as an inline error, not a JSON page.
  await page.getByText('Upload an evidence file').click();
  await page.getByLabel('Document title').fill('Nothing attached');
  await page.getByLabel('Date of the document').fill('2099-01-01');
  await page.locator('#upload-file').evaluate((input: HTMLInputElement) => input.removeAttribute('required'));
  await page.getByRole('button', { name: 'Upload' }).click();
  await expect(page.getByRole('alert')).toBeVisible();

  expect((await page.request.delete(`/api/security/controls/${control.id}/`)).status()).toBe(204);
});
