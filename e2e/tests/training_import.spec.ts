// Enrolment from a roster typed in Excel (issue 8): a village official records two people; a
// trainer whose scope is that village syncs, opens a class and imports an .xlsx naming them.
// A sheet whose identity number was typed as a number (Excel keeps 15 digits) is refused on its
// row, in Chinese, and enrols no one; the corrected sheet enrols both. The .xlsx files are made
// in the page by the app's own export worker (rust_xlsxwriter), read back by its reader (calamine).
import { APIRequestContext, devices, expect, Page, test } from "@playwright/test";
import { DEMO_PASSWORD, idNumber, login, recordPerson } from "./helpers";

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };
const VILLAGE = "5099001001";
const people = [
  { name: "孙导入", sex: "male" as const, birth: "1979-05-12", id: idNumber("500199", "19790512", "731") },
  { name: "周导入", sex: "female" as const, birth: "1986-11-03", id: idNumber("500199", "19861103", "742") },
];

async function syncNow(page: Page, timeout = 90_000) {
  await page.goto("/sync");
  const button = page.getByTestId("sync-now");
  if (await button.isEnabled()) await button.click();
  await expect(page.getByTestId("sync-last-success")).toHaveAttribute("data-at", /^\d+$/, { timeout });
  await expect(page.getByTestId("sync-pending")).toHaveText("0", { timeout: 30_000 });
}

async function createTrainer(request: APIRequestContext, username: string) {
  const res = await request.post("/api/v1/auth/login", { data: { username: "demo-admin", password: DEMO_PASSWORD } });
  expect(res.ok()).toBeTruthy();
  const { token } = await res.json();
  const made = await request.post("/api/v1/users", {
    headers: { Authorization: `Bearer ${token}` },
    data: { username, display_name: "松林村 培训联络员", role: "trainer", scope: VILLAGE, password: DEMO_PASSWORD },
  });
  expect(made.status()).toBeLessThan(300);
}

type Cell = { t: "text"; v: string } | { t: "int"; v: number } | { t: "empty" };

/** An .xlsx made by the app's export worker: header 姓名,身份证号码 then `rows`. */
async function xlsx(page: Page, rows: Cell[][]): Promise<Buffer> {
  const workbook = JSON.stringify({
    sheets: [{ name: "学员名单", title: [], columns: ["姓名", "身份证号码"], rows, footer: [] }],
  });
  const bytes: number[] = await page.evaluate(async (workbook) => {
    const worker = new Worker("/cunju-export-worker_loader.js");
    return await new Promise<number[]>((resolve, reject) => {
      worker.onerror = (e) => reject(new Error(String(e.message)));
      worker.onmessage = (ev) => {
        if (ev.data.ready) return worker.postMessage({ id: 1, kind: "xlsx", workbook });
        worker.terminate();
        if (ev.data.ok) resolve(Array.from(ev.data.bytes as Uint8Array));
        else reject(new Error(ev.data.error));
      };
    });
  }, workbook);
  return Buffer.from(bytes);
}

const text = (v: string): Cell => ({ t: "text", v });
const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

test("a trainer enrols a class from an Excel roster; a number-typed ID is refused on its row", async ({ browser, request }) => {
  test.setTimeout(180_000);
  const official = await browser.newContext(phone);
  const o = await official.newPage();
  await login(o, "demo-village");
  for (const p of people) {
    await o.goto("/people");
    await o.getByTestId("person-unit").fill(VILLAGE);
    await recordPerson(o, p);
  }
  await syncNow(o);
  await official.close();

  await createTrainer(request, "e2e-import-trainer");
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await login(page, "e2e-import-trainer");
  await syncNow(page);

  await page.goto("/training/classes/new");
  await page.getByTestId("class-name").fill("松林村村务培训班(测试)");
  await page.getByTestId("class-organiser").fill("松林村(测试)");
  await page.getByTestId("class-organiser-code").fill("SL");
  await page.getByTestId("class-topic-0").check();
  await page.getByTestId("class-submit").click();
  await expect(page).toHaveURL(/\/training\/classes\/training_class/);
  await expect(page.getByTestId("trainee-count")).toHaveText("0");

  // Row 3's identity number was typed into a number cell: refused on that row, nobody enrolled.
  const numeric = await xlsx(page, [
    [text(people[0].name), text(people[0].id)],
    [text(people[1].name), { t: "int", v: Number(people[1].id.slice(0, 17)) * 10 }],
  ]);
  await page.getByTestId("roster-file").setInputFiles({ name: "学员名单.xlsx", mimeType: XLSX_MIME, buffer: numeric });
  await expect(page.getByTestId("roster-error-row")).toHaveCount(1);
  await expect(page.getByTestId("roster-error-row")).toContainText("3");
  await expect(page.getByTestId("roster-error-row")).toContainText("保存成了数字");
  await expect(page.getByTestId("trainee-count")).toHaveText("0");

  // Not a spreadsheet at all, though named .xlsx: a clear message, nothing enrolled.
  await page.getByTestId("roster-file").setInputFiles({ name: "坏文件.xlsx", mimeType: XLSX_MIME, buffer: Buffer.from("PK\u0003\u0004 not really a zip") });
  await expect(page.getByRole("alert")).toContainText("无法读取该Excel文件");

  // The corrected sheet: both enrolled, and the class page counts them.
  const good = await xlsx(page, [
    [text(people[0].name), text(people[0].id)],
    [text(people[1].name), text(people[1].id)],
  ]);
  await page.getByTestId("roster-file").setInputFiles({ name: "学员名单.xlsx", mimeType: XLSX_MIME, buffer: good });
  await expect(page.getByTestId("roster-ok")).toContainText("2");
  await expect(page.getByTestId("roster-errors")).toHaveCount(0);
  await expect(page.getByTestId("trainee-count")).toHaveText("2");
  await context.close();
});
