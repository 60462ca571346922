import { expect, Page } from '@playwright/test';

export const DEMO_PASSWORD = process.env.RAMPART_DEMO_PASSWORD ?? 'rampart-demo-2026';
export const ADMIN = 'admin@northwind.example';

/** Signs in through the form and waits for the security page. */
export async function signIn(page: Page, email = ADMIN): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/enterprise\/[0-9a-f-]+\/security/);
}

/** Resolves once the wasm bundle has hydrated the page. */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as any).__rampartHydrated === true);
}
