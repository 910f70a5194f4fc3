// Shared steps of the end-to-end specs: logging in, waiting for the offline shell, and making
// valid resident identity numbers (GB 11643 check digit) for the people we record.
import { expect, Page } from "@playwright/test";

export const DEMO_PASSWORD = "demo1234";

/** A valid 18-character identity number for a (fictional) person born on `birth` (YYYYMMDD). */
export function idNumber(region: string, birth: string, sequence: string): string {
  const first17 = `${region}${birth}${sequence}`;
  if (first17.length !== 17) throw new Error(`need 17 digits, got ${first17}`);
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * weights[i], 0);
  return first17 + "10X98765432"[sum % 11];
}

export async function login(page: Page, username: string): Promise<void> {
  await page.goto("/login");
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(DEMO_PASSWORD);
  await page.getByTestId("login-submit").click();
  // A successful login goes to the home screen; the login page then shows who is signed in.
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/login");
  await expect(page.getByTestId("account-name")).not.toBeEmpty();
}

/** Waits until the service worker controls the page, so a reload works with the network off. */
export async function waitForOfflineShell(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
  });
}

export async function recordPerson(page: Page, p: { name: string; sex: "male" | "female"; id: string; birth: string }) {
  await page.getByTestId("person-name").fill(p.name);
  await page.getByTestId("person-sex").selectOption(p.sex);
  await page.getByTestId("person-ethnicity").fill("汉族");
  await page.getByTestId("person-id-number").fill(p.id);
  await page.getByTestId("person-birth-date").fill(p.birth);
  await page.getByTestId("person-submit").click();
  await expect(page.getByTestId("person-saved")).toBeVisible();
}
