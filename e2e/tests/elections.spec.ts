// A township supervisor's day: on a phone, open a village election, lose the signal, tick the
// statutory steps V02 → V23 one after the other, reload with no network (nothing is lost), sync
// when the signal returns; a second phone of the same supervisor then syncs and sees the same.
import { devices, expect, Page, test } from "@playwright/test";
import { login, waitForOfflineShell } from "./helpers";

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };

const STEPS = [
  "V02", "V03", "V04", "V05", "V06", "V07", "V08", "V09", "V10", "V10b", "V11", "V12",
  "V13", "V14", "V15", "V16", "V17", "V18", "V19", "V20", "V21", "V22", "V23",
];

function isoDay(offsetDays: number): string {
  // China time (UTC+8), as the app dates ticks.
  const ms = Date.now() + 8 * 3600_000 + offsetDays * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

async function expectAllTicked(page: Page) {
  // The timetable first, with room for a slow start (the dev build's 24 MB of wasm read from
  // the service worker's cache); if it never comes, say what the page shows instead.
  const started = Date.now();
  try {
    await expect(page.getByTestId("step-list")).toBeVisible({ timeout: 30_000 });
  } catch (e) {
    console.log(`no timetable after ${Date.now() - started} ms; the page shows: ${await page.locator("body").innerText()}`);
    throw e;
  }
  console.log(`timetable shown ${Date.now() - started} ms after the page loaded`);
  for (const code of STEPS) {
    await expect(page.getByTestId(`step-${code}`)).toHaveAttribute("data-colour", "done");
  }
  await expect(page.getByTestId("step-V00")).not.toHaveAttribute("data-colour", "done");
}

test("a supervisor ticks V02 to V23 offline; another device sees the same after sync", async ({ browser }) => {
  test.setTimeout(120_000);
  const deviceA = await browser.newContext(phone);
  const a = await deviceA.newPage();
  // A panic or a failed fetch is printed, so a failure in CI says why.
  a.on("pageerror", (e) => console.log(`device A page error: ${e.message}`));
  a.on("console", (m) => m.type() === "error" && console.log(`device A console: ${m.text()}`));
  await login(a, "demo-supervisor");
  await a.goto("/elections");
  await waitForOfflineShell(a);
  await a.goto("/elections/new");
  await a.getByTestId("election-unit").selectOption("5099001006");
  await a.getByTestId("election-day").fill(isoDay(50));
  await a.getByTestId("election-committee-day").fill(isoDay(-5));
  await a.getByTestId("election-submit").click();
  // "/elections/new" itself matches [0-9A-Za-z]+: wait for the election's own page before
  // taking its address (CI once took the form's, and the offline reload showed the form).
  await expect(a).toHaveURL(/\/elections\/(?!new$)[0-9A-Za-z]+$/);
  await expect(a.getByTestId("election-unit-name")).toHaveText("松林村(虚构)");
  const url = a.url();
  expect(url).not.toMatch(/\/new$/);
  await expect(a.getByTestId("election-voters-link")).toHaveAttribute("href", /\/voters$/);

  await deviceA.setOffline(true);
  await expect(a.getByTestId("online-indicator")).toHaveText("离线");

  await a.getByTestId("step-V02").getByRole("link").click();
  for (const [i, code] of STEPS.entries()) {
    await expect(a.getByTestId("step-title")).toContainText(code);
    await a.getByTestId("tick-submit").click();
    await expect(a.getByTestId("step-saved")).toBeVisible();
    await expect(a.getByTestId("step-detail")).toHaveAttribute("data-colour", "done");
    if (i + 1 < STEPS.length) {
      await a.getByTestId("step-next").click();
    }
  }
  await expect(a.getByTestId("step-ticked-by")).not.toBeEmpty();
  await expect(a.getByTestId("step-history-item")).toHaveCount(1);
  // Offline, the server has not received the tick yet: the step says so.
  const lastStep = a.url();
  await expect(a.getByTestId("step-received")).toHaveText("尚未同步到服务器");

  // No network: reload, and every tick is still there.
  await a.goto(url);
  await a.reload();
  await expectAllTicked(a);
  await expect(a.getByTestId("election-progress")).toHaveText(`${STEPS.length}/26`);

  await deviceA.setOffline(false);
  await a.goto("/sync");
  await a.getByTestId("sync-now").click();
  await expect(a.getByTestId("sync-pending")).toHaveText("0", { timeout: 30_000 });
  await expect(a.getByTestId("rejected-none")).toBeVisible();
  // After the sync the tick shows when the server received it, beside the device's time.
  await a.goto(new URL(lastStep).pathname);
  const received = a.getByTestId("step-received").locator("span");
  await expect(received).toHaveAttribute("data-received", /^\d{13}$/);
  const receivedMs = Number(await received.getAttribute("data-received"));
  expect(Math.abs(receivedMs - Date.now())).toBeLessThan(10 * 60_000);

  const deviceB = await browser.newContext(phone);
  const b = await deviceB.newPage();
  await login(b, "demo-supervisor");
  await b.goto("/sync");
  await b.getByTestId("sync-now").click();
  await expect(b.getByTestId("sync-last-success")).toHaveAttribute("data-at", /^\d+$/, { timeout: 60_000 });
  await b.goto(new URL(url).pathname);
  await expect(b.getByTestId("election-unit-name")).toHaveText("松林村(虚构)");
  await expectAllTicked(b);
  // Ticked steps offer the untick form, not the tick form; the dashboard counts the township's elections.
  await b.getByTestId("step-V05").getByRole("link").click();
  await expect(b.getByTestId("step-ticked-by")).not.toBeEmpty();
  await expect(b.getByTestId("step-received").locator("span")).toHaveAttribute("data-received", /^\d{13}$/);
  await expect(b.getByTestId("tick-form")).toHaveCount(0);
  await expect(b.getByTestId("untick-form")).toBeVisible();
  await b.goto("/elections/dashboard");
  await expect(b.getByTestId("dashboard-row")).toHaveCount(4);

  await deviceA.close();
  await deviceB.close();
});
