import { expect, Page, test } from '@playwright/test';
import { signIn, waitForHydration } from './helpers';

/** The enterprise of the security page the sign-in landed on. */
function enterpriseId(page: Page): string {
  const match = page.url().match(/\/enterprise\/([0-9a-f-]+)\//);
  if (!match) throw new Error(`not on an enterprise page: ${page.url()}`);
  return match[1];
}

/** A framework row of GET /api/security/compliance/scores. */
interface FrameworkScore {
  slug: string;
  name: string;
  version: string;
  total: number;
  overdue: number;
}

async function frameworkScores(page: Page, enterprise: string): Promise<FrameworkScore[]> {
  const response = await page.request.get(`/api/security/compliance/scores?enterprise=${enterprise}`);
  expect(response.ok()).toBe(true);
  return (await response.json()).frameworks;
}

/**
 * The frameworks the report will show. The demo data tracks requirements
 * already; only when it has none does the test create some (a policy that
 * commits to ISO/IEC 27001 and OWASP Top 10 — 409 when the enterprise has a
 * policy, fine — and the OWASP Top 10 catalogue tracked), so it leaves the
 * seeded figures other tests check alone.
 */
async function ensureReportData(page: Page, enterprise: string): Promise<FrameworkScore[]> {
  const frameworks = await frameworkScores(page, enterprise);
  if (frameworks.some((f) => f.total > 0)) return frameworks;
  const policy = await page.request.post('/api/security/policies/', {
    data: { enterprise_id: enterprise, frameworks: ['owasp-top-10', 'iso-27001'] },
  });
  expect([201, 409]).toContain(policy.status());
  const tracked = await page.request.post('/api/security/compliance/track-catalogue/', {
    data: { enterprise_id: enterprise, framework: 'owasp-top-10' },
  });
  expect(tracked.status()).toBe(201);
  return frameworkScores(page, enterprise);
}

/** Fails the test on any uncaught error in the page (a hydration panic included). */
function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

test('the compliance report prints one section per framework on A4, without navigation', async ({ page }) => {
  const errors = collectPageErrors(page);
  await signIn(page);
  const enterprise = enterpriseId(page);
  const frameworks = await ensureReportData(page, enterprise);
  const tracked = frameworks.find((f) => f.total > 0)!;

  const response = await page.goto(`/enterprise/${enterprise}/compliance/print`);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Compliance report — Northwind Health');
  await expect(page.locator('.running-header')).toContainText('Northwind Health');
  await expect(page.locator('.running-header')).toContainText(/Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  await expect(page.getByRole('heading', { name: 'Overall compliance score' })).toBeVisible();
  await expect(page.locator('.overall .score-value')).toHaveText(/^(\d{1,3}\.\d%|—)$/);

  // One section per framework tracked or committed, in the same order.
  const sections = page.locator('section.framework');
  await expect(sections).toHaveCount(frameworks.length);
  for (const [index, framework] of frameworks.entries()) {
    await expect(sections.nth(index)).toHaveAttribute('data-framework', framework.slug);
    await expect(sections.nth(index).getByRole('heading', { level: 2 })).toContainText(framework.name);
  }
  // Every tracked requirement of a framework, with its status as text.
  const section = page.locator(`section.framework[data-framework="${tracked.slug}"]`);
  const rows = section.locator('tbody tr.requirement');
  await expect(rows).toHaveCount(tracked.total);
  await expect(rows.first().locator('.status')).toHaveText(
    /^(Not started|In progress|Completed|Not applicable)$/,
  );
  for (const header of ['Reference', 'Requirement', 'Status', 'Owner', 'Deadline', 'Overdue', 'Evidence']) {
    await expect(section.getByRole('columnheader', { name: header, exact: true })).toBeVisible();
  }
  // An overdue requirement is marked in words, not only in colour.
  const overdueRows = section.locator('tr.requirement.overdue-row');
  await expect(overdueRows).toHaveCount(tracked.overdue);
  for (const row of await overdueRows.all()) {
    await expect(row.locator('.col-overdue')).toHaveText('OVERDUE');
  }
  await expect(page.getByRole('heading', { name: 'Open findings', level: 2 })).toBeVisible();

  await waitForHydration(page);
  // Hydration leaves the server-rendered report as it was.
  await expect(sections).toHaveCount(frameworks.length);

  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.app-header')).toHaveCount(0);
  await expect(page.locator('nav')).toHaveCount(0);
  await expect(page.locator('.print-toolbar')).toBeHidden();
  await expect(page.locator('.running-header')).toBeVisible();
  const breaks = await sections.evaluateAll((nodes) =>
    nodes.map((node) => getComputedStyle(node).breakBefore),
  );
  expect(breaks).toEqual(frameworks.map(() => 'page'));
  expect(
    await page.locator('section.findings').evaluate((node) => getComputedStyle(node).breakBefore),
  ).toBe('page');
  const headerGroups = await page
    .locator('table thead')
    .evaluateAll((nodes) => [...new Set(nodes.map((node) => getComputedStyle(node).display))]);
  expect(headerGroups).toEqual(['table-header-group']);

  const pdf = await page.pdf({ path: 'screenshots/compliance-report.pdf', format: 'A4', preferCSSPageSize: true });
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(pdf.length).toBeGreaterThan(10_000);
  // The cover page plus at least one page per framework and one for the findings.
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) ?? [];
  expect(pages.length).toBeGreaterThanOrEqual(frameworks.length + 2);

  expect(errors).toEqual([]);
});

test('?framework= limits the report to one framework', async ({ page }) => {
  await signIn(page);
  const enterprise = enterpriseId(page);
  const tracked = (await ensureReportData(page, enterprise)).find((f) => f.total > 0)!;

  await page.goto(`/enterprise/${enterprise}/compliance/print?framework=${tracked.slug}`);
  await expect(page.locator('section.framework')).toHaveCount(1);
  await expect(page.locator('section.framework')).toHaveAttribute('data-framework', tracked.slug);
  await expect(page.locator('section.framework tbody tr.requirement')).toHaveCount(tracked.total);
  await expect(page.getByRole('heading', { name: 'Compliance score', exact: true })).toBeVisible();
  await expect(page.locator('.report-meta')).toContainText(`Framework: ${tracked.name} ${tracked.version}`);

  const unknown = await page.goto(`/enterprise/${enterprise}/compliance/print?framework=no-such-framework`);
  expect(unknown?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
});

test('the statement of applicability lists all 93 Annex A controls by theme', async ({ page }) => {
  const errors = collectPageErrors(page);
  await signIn(page);
  const enterprise = enterpriseId(page);

  const response = await page.goto(`/enterprise/${enterprise}/soa/print`);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Statement of Applicability — Northwind Health');
  await expect(page.locator('.running-header')).toContainText(/Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  await expect(page.locator('tr.soa-row')).toHaveCount(93);
  const themes = page.locator('section.theme');
  await expect(themes).toHaveCount(4);
  const counts = { 'A.5': 37, 'A.6': 8, 'A.7': 14, 'A.8': 34 };
  for (const [index, [theme, count]] of Object.entries(counts).entries()) {
    await expect(themes.nth(index).getByRole('heading', { level: 2 })).toContainText(theme);
    await expect(themes.nth(index).locator('tr.soa-row')).toHaveCount(count);
  }
  // Every row says in words whether it applies and how far it is implemented.
  const firstRow = page.locator('tr.soa-row').first();
  await expect(firstRow.locator('.col-ref')).toHaveText('A.5.1');
  await expect(firstRow.locator('.applicable')).toHaveText(/^(Yes|No)$/);
  await expect(firstRow.locator('.col-status .status')).toHaveText(
    /^(Not addressed|Not implemented|In progress|Implemented|Verified|Not applicable)$/,
  );
  for (const row of await page.locator('tr.soa-row.not-applicable').all()) {
    await expect(row.locator('.applicable')).toHaveText('No');
    await expect(row.locator('.col-justification')).not.toHaveText('—');
  }

  await waitForHydration(page);
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.app-header')).toHaveCount(0);
  await expect(page.locator('nav')).toHaveCount(0);
  const pdf = await page.pdf({ path: 'screenshots/statement-of-applicability.pdf', format: 'A4', preferCSSPageSize: true });
  expect(pdf.length).toBeGreaterThan(10_000);
  expect(errors).toEqual([]);
});

test('a viewer may print; a non-member gets 403', async ({ page }) => {
  await signIn(page, 'viewer@northwind.example');
  const enterprise = enterpriseId(page);
  const soa = await page.goto(`/enterprise/${enterprise}/soa/print`);
  expect(soa?.status()).toBe(200);
  await expect(page.locator('tr.soa-row')).toHaveCount(93);
  const report = await page.goto(`/enterprise/${enterprise}/compliance/print`);
  expect(report?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Compliance report');

  // An enterprise the user is not a member of (here: one that does not exist,
  // which a non-staff user cannot tell apart) answers 403 with the error page.
  const other = '00000000-0000-7000-8000-000000000000';
  for (const path of [`/enterprise/${other}/compliance/print`, `/enterprise/${other}/soa/print`]) {
    const denied = await page.goto(path);
    expect(denied?.status()).toBe(403);
    await expect(page.getByRole('heading', { name: 'Access denied' })).toBeVisible();
    await expect(page.locator('section.framework, tr.soa-row')).toHaveCount(0);
  }
});
