// A district admin's holiday calendar: the handover step (V22, within 10 days of election day)
// is due on a weekday; the district admin sets that day as a statutory holiday on
// /elections/holidays, and after a sync the township supervisor's phone shows the step due on the
// next working day. A make-up working day on a weekday, or a day listed twice, is refused.
import { devices, expect, Page, test } from "@playwright/test";
import { login } from "./helpers";

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };

/** A day relative to today in China (UTC+8), as the app dates things. */
function chinaDay(offsetDays: number): Date {
  return new Date(Date.now() + 8 * 3600_000 + offsetDays * 86_400_000);
}

function iso(offsetDays: number): string {
  return chinaDay(offsetDays).toISOString().slice(0, 10);
}

/** Syncs now (unless a sync is already running) and waits until nothing is left to upload. */
async function pushAll(page: Page, timeout: number) {
  await page.goto("/sync");
  const button = page.getByTestId("sync-now");
  if (await button.isEnabled()) await button.click();
  await expect(page.getByTestId("sync-last-success")).toHaveAttribute("data-at", /^\d+$/, { timeout });
  await expect(page.getByTestId("sync-pending")).toHaveText("0", { timeout });
}

test("a holiday on a step's deadline moves the due day to the next working day", async ({ browser }) => {
  test.setTimeout(300_000);
  // Election day E such that E + 10 is a Monday to Thursday: the day after it is a working day.
  let e = 50;
  while (![1, 2, 3, 4].includes(chinaDay(e + 10).getUTCDay())) e++;
  const due = iso(e + 10);
  const dueYear = due.slice(0, 4);

  // The township supervisor opens an election: the handover is due on E + 10.
  const supContext = await browser.newContext(phone);
  const sup = await supContext.newPage();
  await login(sup, "demo-supervisor");
  await sup.goto("/elections/new");
  await sup.getByTestId("election-unit").selectOption("5099001007");
  await sup.getByTestId("election-day").fill(iso(e));
  await sup.getByTestId("election-committee-day").fill(iso(-5));
  await sup.getByTestId("election-submit").click();
  await expect(sup.getByTestId("election-detail")).toBeVisible();
  await expect(sup).toHaveURL(/\/elections\/[0-9A-Za-z]+$/);
  const electionPath = new URL(sup.url()).pathname;
  await expect(sup.getByTestId("step-V22")).toContainText(`期限 ${due}`);
  await sup.goto("/elections/holidays");
  await expect(sup.getByTestId("holidays-not-admin")).toBeVisible();
  await expect(sup.getByTestId("holidays-save")).toHaveCount(0);

  // The district admin sets that day as a statutory holiday.
  const adminContext = await browser.newContext(phone);
  const admin = await adminContext.newPage();
  await login(admin, "demo-admin");
  await admin.goto("/elections");
  await admin.getByTestId("election-holidays-link").click();
  await expect(admin).toHaveURL(/\/elections\/holidays$/);
  await expect(admin.getByTestId("holidays-note")).toContainText("顺延到其后的第一个工作日");
  await admin.getByTestId("holidays-year").selectOption(dueYear);
  await expect(admin.getByTestId("holidays-form")).toHaveAttribute("data-year", dueYear);
  await expect(admin.getByTestId("holidays-none")).toBeVisible();

  // A weekday cannot be a make-up working day: a Chinese error, and nothing is added.
  await admin.getByTestId("workdays-add-date").fill(due);
  await admin.getByTestId("workdays-add").click();
  await expect(admin.getByTestId("holidays-error")).toContainText("调休上班日只能是周六或周日");
  await expect(admin.getByTestId("workdays-list").getByTestId("holiday-day")).toHaveCount(0);

  await admin.getByTestId("holidays-add-date").fill(due);
  await admin.getByTestId("holidays-add").click();
  await expect(admin.getByTestId("holidays-list").getByTestId("holiday-day")).toHaveAttribute("data-date", due);
  // The same day again is refused too.
  await admin.getByTestId("holidays-add").click();
  await expect(admin.getByTestId("holidays-error")).toContainText("已在列表中");
  await admin.getByTestId("holidays-save").click();
  await expect(admin.getByTestId("holidays-saved")).toBeVisible();
  await expect(admin.getByTestId("holidays-none")).toHaveCount(0);
  // The admin's first sync is district-sized.
  await pushAll(admin, 240_000);

  // The supervisor's phone syncs, receives the district's calendar, and the handover is due a
  // day later.
  await pushAll(sup, 60_000);
  // Opening the page restarts the app, which syncs and then fetches the district's calendar.
  await sup.goto(electionPath);
  await expect(sup.getByTestId("step-V22")).toContainText(`期限 ${iso(e + 11)}`, { timeout: 60_000 });
  await sup.goto("/elections/holidays");
  await sup.getByTestId("holidays-year").selectOption(dueYear);
  await expect(sup.getByTestId("holidays-list").getByTestId("holiday-day")).toHaveAttribute("data-date", due);

  await adminContext.close();
  await supContext.close();
});
