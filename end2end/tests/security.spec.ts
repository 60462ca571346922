import AxeBuilder from '@axe-core/playwright';
import { APIRequestContext, Browser, expect, Page, test } from '@playwright/test';
import { ADMIN, DEMO_PASSWORD, signIn, waitForHydration } from './helpers';

/** The demo enterprise's id, from the URL after signing in. */
function enterpriseId(page: Page): string {
  const match = page.url().match(/\/enterprise\/([0-9a-f-]+)\//);
  if (!match) throw new Error(`no enterprise in ${page.url()}`);
  return match[1];
}

/** A fresh incident for this test, so runs never depend on each other. */
async function newIncident(request: APIRequestContext, enterprise: string, title: string): Promise<string> {
  const detected = new Date(Date.now() - 2 * 3600 * 1000).toISOString();
  const response = await request.post('/api/security/incidents/', {
    data: { enterprise_id: enterprise, title, severity: 'high', detected_at: detected, systems_affected: ['e2e-host'] },
  });
  expect(response.status()).toBe(201);
  return (await response.json()).id;
}

async function seriousViolations(page: Page, include?: string) {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']);
  if (include) builder = builder.include(include);
  const results = await builder.analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test('the overview shows the seeded figures and passes axe', async ({ page }) => {
  await signIn(page);
  const cards = page.getByRole('region', { name: 'Key figures' });
  await expect(cards.getByRole('article', { name: 'Policies Active' })).toContainText('1');
  await expect(cards.getByRole('article', { name: 'Controls Verified' })).toContainText('3 / 5');
  await expect(cards.getByRole('article', { name: 'Compliance Score' })).toContainText('%');
  await expect(page.getByRole('heading', { name: 'HIPAA Security Rule 2013' })).toBeVisible();
  await waitForHydration(page);
  expect(await seriousViolations(page)).toEqual([]);
  for (const [width, height] of [[375, 812], [768, 1024], [1280, 900]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `screenshots/overview-${width}.png`, fullPage: true });
  }
});

test('moving an incident updates the dialog, table and cards without a reload', async ({ page }) => {
  await signIn(page);
  const enterprise = enterpriseId(page);
  const title = `E2E dialog ${Date.now()}`;
  await newIncident(page.request, enterprise, title);
  await page.goto(`/enterprise/${enterprise}/security?tab=incidents`);
  await waitForHydration(page);
  const activeCard = page.getByRole('article', { name: 'Active Incidents' });
  const before = Number(await activeCard.locator('.metric-value').textContent());

  await page.evaluate(() => ((window as any).__noReload = true));
  await page.getByRole('link', { name: title }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(page).toHaveURL(/incident=/);
  await expect(dialog.getByRole('heading', { name: title })).toBeVisible();
  // Only the moves the state machine allows from "reported".
  const options = await dialog.getByLabel('New status').locator('option').allTextContents();
  expect(options).toEqual(['Investigating', 'Contained', 'Resolved']);
  expect(await seriousViolations(page, 'dialog')).toEqual([]);
  for (const [width, height] of [[375, 812], [768, 1024], [1280, 900]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `screenshots/dialog-${width}.png` });
  }

  await dialog.getByLabel('New status').selectOption('investigating');
  await dialog.getByLabel('Note').fill('Triage started by e2e');
  await dialog.getByRole('button', { name: 'Save status' }).click();
  await expect(dialog.getByRole('status')).toContainText('Saved');
  await expect(dialog.locator('.dialog-header')).toContainText('Investigating');
  await expect(dialog.getByRole('list').last()).toContainText('Triage started by e2e');
  const row = page.locator('tr', { hasText: title });
  await expect(row).toContainText('Investigating');
  expect(Number(await activeCard.locator('.metric-value').textContent())).toBe(before);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  // Escape closes the dialog and focus returns to the row.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page).not.toHaveURL(/incident=/);
});

test('a second editor gets the conflict message instead of overwriting', async ({ page, browser }) => {
  await signIn(page);
  const enterprise = enterpriseId(page);
  const title = `E2E conflict ${Date.now()}`;
  const id = await newIncident(page.request, enterprise, title);
  const url = `/enterprise/${enterprise}/security?tab=incidents&incident=${id}`;
  await page.goto(url);
  await waitForHydration(page);

  const other = await signedInContext(browser);
  const response = await other.request.post(`/api/security/incidents/${id}/status/`, {
    data: { status: 'contained', note: 'changed elsewhere', version: 1 },
  });
  expect(response.status()).toBe(200);

  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('New status').selectOption('investigating');
  await dialog.getByRole('button', { name: 'Save status' }).click();
  await expect(dialog.getByRole('alert')).toContainText('changed by someone else');
  await expect(dialog.locator('.dialog-header')).toContainText('Contained');
  await other.close();
});

async function signedInContext(browser: Browser) {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const login = await context.request.post('/api/auth/login', { data: { email: ADMIN, password: DEMO_PASSWORD } });
  expect(login.status()).toBe(200);
  return context;
}

test('reporting an incident through the form opens it', async ({ page }) => {
  await signIn(page);
  const enterprise = enterpriseId(page);
  await page.goto(`/enterprise/${enterprise}/incidents`);
  await waitForHydration(page);
  const title = `E2E reported ${Date.now()}`;
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Severity', { exact: true }).last().selectOption('medium');
  await page.getByLabel('Detected at (UTC)').fill('2026-01-02T03:04');
  await page.getByRole('button', { name: 'Report incident' }).click();
  await expect(page).toHaveURL(/incident=/);
  await expect(page.getByRole('dialog').getByRole('heading', { name: title })).toBeVisible();
});

test('the status change works with JavaScript disabled', async ({ browser, page }) => {
  await signIn(page);
  const enterprise = enterpriseId(page);
  const title = `E2E no-js ${Date.now()}`;
  const id = await newIncident(page.request, enterprise, title);
  const context = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const noJs = await context.newPage();
  await noJs.goto(`/enterprise/${enterprise}/security?tab=incidents&incident=${id}`);
  const dialog = noJs.locator('dialog[open]');
  await expect(dialog.getByRole('heading', { name: title })).toBeVisible();
  await dialog.getByLabel('New status').selectOption('contained');
  await dialog.getByLabel('Note').fill('no javascript here');
  await dialog.getByRole('button', { name: 'Save status' }).click();
  await expect(noJs.locator('dialog[open] .dialog-header')).toContainText('Contained');
  await context.close();
});
